"""Navigation by role (issue 26): a page a person cannot use is not listed; the pages
themselves still refuse (tests/test_browser_ops.py follows a direct link)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.navigation import PAGE_RIGHTS, READ_AND_WRITE_PAGES, usable, visibility
from zones import api

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
READING = {"map", "transitions", "briefing", "criteria", "declarations", "plans", "compare", "sites", "outlook"}
SIGNED_IN = READING | {"alerts"}  # one's own alerts (issue 24): once signed in


def listed(actor) -> set[str]:
    return {p for p in PAGES if usable(p, actor)}


@pytest.mark.parametrize(("role", "unit", "expected"), [
    ("admin", None, set(PAGES)),
    ("province", "91", SIGNED_IN | {"upload"}),
    ("district", "899", SIGNED_IN | {"upload"}),
    ("commune", "30745", SIGNED_IN | {"upload"}),
    ("leader", "900", SIGNED_IN | {"upload", "audit"}),  # approves weeks on the upload page
    ("observer", None, SIGNED_IN),
])
def test_each_role_sees_only_the_pages_it_can_use(role, unit, expected):
    actor = api.Actor("x", api.Role(role), unit, "page")
    assert listed(actor) == expected
    assert {p for p in PAGES if visibility(p, actor) == "hidden"} == set(PAGES) - expected


def test_before_signing_in_the_reading_pages_and_the_sign_in_for_sending():
    assert listed(None) == READING | {"upload"}


def test_every_right_a_page_asks_for_is_the_one_its_listing_needs():
    """A page's ``require_actor(api.Right.X)`` is among the rights that list it (else a
    page would be listed to people it refuses, or hidden from people it serves)."""
    asked = {}
    for page in PAGES:
        text = (ROOT / "app_pages" / f"{page}.py").read_text(encoding="utf-8")
        asked[page] = set(re.findall(r"require_actor\(api\.Right\.(\w+)\)", text))
    for page, rights in asked.items():
        if page in READ_AND_WRITE_PAGES:  # listed for every reader; its sending part asks
            assert page not in PAGE_RIGHTS
            continue
        assert {api.Right[r] for r in rights} <= set(PAGE_RIGHTS.get(page, ())), page
    assert {p for p, r in asked.items() if r} - READ_AND_WRITE_PAGES == set(PAGE_RIGHTS)
