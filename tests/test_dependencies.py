"""Dependencies tell the truth: requirements.txt (pinned) and pyproject.toml list the same
packages, every third-party package the code imports, and none it does not use."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ["app.py", "app_pages", "ui", "zones", "rules", "geodata", "contract"]
OURS = {"app", "app_pages", "ui", "zones", "rules", "geodata", "contract", "tests"}
#: used without an import statement: the gazetteer reads this package's data files, and
#: SQLAlchemy loads the PostgreSQL driver for a postgresql+psycopg:// URL
DATA_ONLY = {"vietnamadminunits", "psycopg"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions() -> set[str]:
    dists = packages_distributions()
    found = set()
    for entry in CODE:
        path = ROOT / entry
        for file in [path] if path.is_file() else path.rglob("*.py"):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module
                    and node.level == 0 else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in OURS or top in sys.stdlib_module_names:
                        continue
                    found |= {norm(d) for d in dists.get(top, [top])}
    return found


def pinned() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            out[norm(name.split("[")[0])] = version
    return out


def declared() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {norm(re.split(r"[<>=!~ \[]", d)[0]) for d in deps}


def test_requirements_and_pyproject_agree():
    assert set(pinned()) == declared()


def test_every_imported_package_is_pinned():
    assert imported_distributions() - set(pinned()) == set()


def test_nothing_pinned_that_nothing_imports():
    assert set(pinned()) - imported_distributions() - DATA_ONLY == set()
