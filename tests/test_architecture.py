"""Import directions (architecture.md §1): the core never imports streamlit;
geodata and rules import nothing else of ours."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("geodata", "rules", "zones")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", CORE)
def test_core_never_imports_streamlit(package):
    bad = [str(p.relative_to(ROOT)) for p in files(package)
           if {"streamlit", "streamlit_folium"} & imports_of(p)]
    assert bad == []


@pytest.mark.parametrize("package", ["geodata", "rules"])
def test_geodata_and_rules_import_nothing_of_ours(package):
    ours = {"zones", "ui", "pages", "app"} | ({"geodata", "rules"} - {package})
    bad = {str(p.relative_to(ROOT)): sorted(ours & imports_of(p)) for p in files(package)}
    assert {k: v for k, v in bad.items() if v} == {}


def test_mapview_does_not_import_streamlit():
    """The CLI's map export uses ui.mapview: it must work without a Streamlit session."""
    assert "streamlit" not in imports_of(ROOT / "ui" / "mapview.py")
    assert "streamlit" not in imports_of(ROOT / "ui" / "assets.py")


def test_detector_sees_violations(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom zones import store\n")
    assert {"streamlit", "zones"} <= imports_of(bad)
