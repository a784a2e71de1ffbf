"""The map component: its JavaScript's own tests (node's test runner, offline, no
package), and the messages it sends back, read once each and never as coordinates."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from tests.browser import ROOT
from ui import map_component
from zones.maps.assets import FRONTEND

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_map_scripts_pass_their_own_tests():
    done = subprocess.run([NODE, "--test", str(FRONTEND / "tests")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.M)
    assert passed and int(passed.group(1)) >= 10, done.stdout[-2000:]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("name", sorted(p.name for p in FRONTEND.glob("*.js")))
def test_every_map_script_parses(name):
    done = subprocess.run([NODE, "--check", str(FRONTEND / name)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_component_is_plain_files_with_no_address_outside_the_app():
    page = (FRONTEND / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert scripts and all(not s.startswith(("http", "//", "/")) for s in scripts), scripts
    for name in re.findall(r'src="([^"/]+\.js)"', page):
        assert (FRONTEND / name).is_file(), name
    # no message built from a point: the map names what it means
    code = "".join(p.read_text(encoding="utf-8") for p in FRONTEND.glob("*.js"))
    assert "latLng(" not in code and "1e6" not in code
    assert 'post("click", {unit:' in code and 'post("day", {day:' in code


@pytest.fixture
def session(monkeypatch):
    state = {}
    monkeypatch.setattr(map_component.st, "session_state", state)
    return state


def test_a_message_is_taken_once_and_only_by_its_kind(session):
    session["m"] = {"type": "click", "unit": "30745", "seq": 1}
    assert map_component.new_message("m", "day") is None  # not a day: left for the click
    assert map_component.clicked_unit(map_component.new_message("m", "click")) == "30745"
    assert map_component.new_message("m", "click") is None  # a rerun carries it again
    session["m"] = {"type": "click", "unit": "30745", "seq": 2}  # the same unit again
    assert map_component.clicked_unit(map_component.new_message("m", "click")) == "30745"
    session["m"] = {"type": "day", "day": "2021-09-05", "seq": 3}
    assert map_component.shown_day(map_component.new_message("m", "day")) == date(2021, 9, 5)


@pytest.mark.parametrize("value", [None, "30745", {"type": "click", "unit": "1"},
                                   {"type": "click", "unit": "1", "seq": "1"},
                                   {"type": "view", "seq": 1},
                                   {"lat": -86.0001, "lng": 0}])
def test_anything_else_is_no_message(session, value):
    session["m"] = value
    assert map_component.new_message("m", "click") is None
    assert map_component.new_message("m", "day") is None


@pytest.mark.parametrize("message", [{"type": "day", "day": "05/09/2021", "seq": 1},
                                     {"type": "day", "day": None, "seq": 1},
                                     {"type": "click", "unit": 5, "seq": 1}])
def test_a_malformed_day_or_unit_is_ignored(message):
    assert map_component.shown_day(message) is None
    assert map_component.clicked_unit(message) is None
