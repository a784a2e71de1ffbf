"""Reproducible installs and packaging (issue 26): the locks pin the whole set with
hashes and agree with the human lists, ``make run``/``make test`` install from them,
the GPL dependency of vietnamadminunits is neither run nor locked, the wheel carries
every sub-package with its data and a ``zones`` command that works from the wheel alone,
and the tracked and ignored files are what they should be."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("contract", "zones", "rules", "geodata", "ui")
NOT_LOCKED = {"unidecode", "geopy", "geographiclib", "tqdm"}
ENTRY = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of a requirements file's ``==`` lines (its ``-r`` too)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            out |= pins(path.parent / line[3:].strip())
        elif (m := ENTRY.match(line)):
            out[norm(m[1])] = m[2]
    return out


def locked(path: Path) -> dict[str, tuple[str, set[str]]]:
    """name -> (version, hashes) of a lock made by ``make lock``."""
    out: dict[str, tuple[str, set[str]]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if (m := ENTRY.match(line)):
            name = norm(m[1])
            out[name] = (m[2], set())
        elif name and (h := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            out[name][1].add(h[1])
        elif not line.startswith(" "):
            name = None
    return out


@pytest.mark.parametrize(("human", "lock"), [("requirements.txt", "requirements.lock"),
                                             ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_pin_is_locked_at_its_version_with_hashes(human, lock):
    wanted, got = pins(ROOT / human), locked(ROOT / lock)
    assert {n: v for n, v in wanted.items() if got.get(n, ("",))[0] != v} == {}, \
        f"{lock} is not current: run `make lock`"
    assert [n for n, (_, hashes) in got.items() if not hashes] == []
    assert NOT_LOCKED & set(got) == set()
    assert "make lock" in (ROOT / lock).read_text(encoding="utf-8")[:300]


def test_the_dev_lock_is_the_app_lock_plus_the_tools():
    app, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    assert {n: v for n, v in app.items() if dev.get(n) != v} == {}
    assert set(dev) - set(app) >= set(pins(ROOT / "requirements-dev.txt")) - set(
        pins(ROOT / "requirements.txt"))


def test_the_tests_run_on_the_locked_versions():
    wrong = {}
    for name, (ver, _) in locked(ROOT / "requirements-dev.lock").items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != ver:
            wrong[name] = (ver, installed)
    assert wrong == {}


def test_make_installs_from_the_locks_with_hashes():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --no-deps --require-hashes -r requirements.lock" in text
    assert "pip install --quiet --no-deps --require-hashes -r requirements-dev.lock" in text
    assert not re.search(r"pip install[^\n]*-r requirements(-dev)?\.txt", text)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_vietnamadminunits_is_read_as_data_never_run():
    code = ("import sys; from geodata import gazetteer, hierarchy; "
            "hierarchy._key_tables(); gazetteer.legacy_communes('91'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('vietnamadminunits', 'unidecode', 'geopy', 'tqdm')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tracked_and_ignored_files():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert [f for f in tracked if f.endswith(".migrate-lock") or "secrets.toml" in f] == []
    for path in (".streamlit/secrets.toml", "data/zones.db.migrate-lock", "data/zones.db",
                 "dist/x.whl"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def source_tree(dest: Path) -> Path:
    """What a clean checkout holds for building (no caches, no build leftovers)."""
    dest.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    return dest


@pytest.mark.slow
def test_the_wheel_has_every_sub_package_its_data_and_a_working_zones_command(tmp_path):
    src = source_tree(tmp_path / "src")
    built = subprocess.run([sys.executable, "-m", "uv", "build", "--wheel", "--out-dir",
                            str(tmp_path / "dist"), str(src)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {str(p.relative_to(ROOT)) for package in PACKAGES
              for p in (ROOT / package).rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and "tests" not in p.parts
              and p.suffix in (".py", ".yaml", ".js", ".css", ".html", ".mako", ".png")}
    assert sorted(wanted - names) == []
    assert "zones/demo/vn_daily_cases_2021.csv" in names  # demo --curve real-shaped
    assert any(n.startswith("zones/storage/migrations/versions/0013") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "zones = zones.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--no-deps",
                    "--python", sys.executable, "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target), "HOME": str(tmp_path)}
    helped = subprocess.run([str(target / "bin" / "zones"), "--help"], cwd=tmp_path,
                            env=env, capture_output=True, text=True)
    assert helped.returncode == 0, helped.stderr[-2000:]
    assert "check" in helped.stdout and "export" in helped.stdout
    gone = tmp_path / "nothing.db"
    checked = subprocess.run([str(target / "bin" / "zones"), "--lang", "en", "--db",
                              f"sqlite:///{gone}", "check"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert checked.returncode == 2 and "✗ Database: the database file does not exist" in \
        checked.stdout, checked.stderr[-2000:]
    where = subprocess.run([sys.executable, "-c", "import zones; print(zones.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True).stdout
    assert where.startswith(str(target))
