"""The map's player tells the page which day it stopped on through a map click at a
latitude no unit has (zones.maps.mapview.followed_day); real clicks are never read so."""

from __future__ import annotations

from datetime import date

import pytest

from zones.maps.mapview import FOLLOW_LAT, PICK_LAT, followed_day, picked_feature


def message(day: date) -> dict:
    """What the player's click carries for ``day`` (as the page's JavaScript builds it)."""
    days = (day - date(1970, 1, 1)).days
    return {"lat": FOLLOW_LAT - days / 1e6, "lng": 0}


@pytest.mark.parametrize("day", [date(2021, 9, 1), date(2021, 12, 31), date(2022, 1, 4),
                                 date(2035, 6, 30)])
def test_the_players_day_comes_back_exactly(day):
    assert followed_day(message(day)) == day


@pytest.mark.parametrize("clicked", [None, {}, {"lat": None, "lng": None},
                                     {"lat": 10.01, "lng": 105.08},  # Rạch Giá
                                     {"lat": FOLLOW_LAT, "lng": 0},
                                     {"lat": -89.5, "lng": 0}, {"lat": 88.01, "lng": 0}])
def test_real_clicks_are_not_the_players_message(clicked):
    assert followed_day(clicked) is None


@pytest.mark.parametrize("feature", [0, 1, 142, 10_039])
def test_the_feature_clicked_comes_back_exactly(feature):
    clicked = {"lat": PICK_LAT - feature / 1e6, "lng": 0}
    assert picked_feature(clicked) == feature
    assert followed_day(clicked) is None


def test_a_real_click_is_no_feature_number():
    assert picked_feature({"lat": 10.01, "lng": 105.08}) is None
    assert picked_feature(None) is None
