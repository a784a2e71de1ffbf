"""The "Địa giới hành chính" page (Streamlit AppTest): empty database, stored sets, and the
import helpers the page calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_boundaries_fixtures import imported_fixture, write_geojson  # noqa: F401
from zones import api
from zones.boundaries import imports as bnd
from zones.storage.db import open_db

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "boundaries.py")


SIGNED_IN = api.Actor("quantri", api.Role.ADMIN, None, "page")


def page(tmp, monkeypatch, lang="vi") -> AppTest:
    monkeypatch.setenv("ZONES_DB", f"sqlite:///{tmp}/t.db")
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["_actor"] = SIGNED_IN  # an administrator signed in on this session
    return at.run()


def test_empty_database(tmp_path, monkeypatch):
    at = page(tmp_path, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Địa giới hành chính"
    assert any("Chưa có bộ địa giới" in i.value for i in at.info)


def test_lists_sets_with_counts(imported, monkeypatch):
    at = page(imported, monkeypatch, lang="en")
    assert not at.exception
    assert at.title[0].value == "Boundaries"
    table = at.dataframe[0].value
    assert table.loc[0, "Communes"] == 4 and table.loc[0, "Districts"] == 2
    assert bool(table.loc[0, "Active"])


def test_page_helpers_plan_and_commit(tmp_path):
    engine = open_db(f"sqlite:///{tmp_path}/t.db")
    data = write_geojson(tmp_path / "xa.geojson").read_bytes()
    path = bnd.stage_upload("xa.geojson", data)
    assert bnd.file_layers(path) == []
    assert "MaXa" in bnd.file_columns(path, bnd.ImportOptions())
    plan = bnd.plan_import(engine, path, bnd.ImportOptions(display_payload=False))
    assert len(bnd.preview_layer(plan)) == 4
    assert bnd.sets_table(engine).empty
    set_id = bnd.commit_import(engine, plan, lang="vi")
    table = bnd.sets_table(engine)
    assert table.loc[0, "id"] == set_id and table.loc[0, "commune"] == 4


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_message_has_both_languages(lang):
    from zones.i18n import catalogue

    keys = [k for k in catalogue() if k.startswith("bnd.")]
    assert len(keys) > 50
    assert all(catalogue()[k].get(lang) for k in keys)
