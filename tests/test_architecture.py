"""Import directions (architecture.md §1, README "How it works").

- the core (geodata, rules, zones) never imports streamlit, and never imports ``ui``;
- geodata and rules import nothing else of ours;
- no import cycles anywhere, counting imports inside functions and under
  ``if TYPE_CHECKING:`` (a cycle of types is still a cycle between modules: what both sides
  need goes into a lower module, or the lower side declares a ``Protocol``);
- no function-level imports of our own modules (an import inside a function is how a
  cycle hides);
- pages import only ``ui``, the core's front door ``zones.api`` and its errors;
- SQL only under ``zones/storage/``: no other module of ``zones``, ``ui``, ``app_pages`` or
  ``app.py`` uses a SQLAlchemy name outside ``sqlalchemy.exc`` and ``sqlalchemy.engine``
  (errors, the ``Engine``/``Connection`` types, URL parsing: no ``select``/``insert``/
  ``update``/``delete``/``text``/``func``, no dialect), imports a table of
  ``zones.storage.schema`` (its constants, e.g. ``METRICS``, are fine), or calls
  ``.execute``, ``.executemany``, ``.exec_driver_sql``, ``.executescript``, ``.scalar`` or
  ``.scalars`` on anything. Opening a transaction (``engine.begin()``, ``engine.connect()``)
  and handing the connection to storage functions is allowed: the domain chooses its
  transactions, storage writes the statements. (``geodata`` reads its bundled gazetteer
  with ``sqlite3``: a data file of its own, not our database, and it imports nothing of
  ours.)
- the web server ``ui/server/`` imports no page helper of ``ui`` (nor a page): only its own
  modules and the core; the page helpers and the pages import nothing of it but
  ``ui.server.names`` (the cookies and routes both sides share), which imports nothing, so
  a page never loads the server's Starlette code;
- pages, ``ui`` and the CLI use exactly the names the door lists (``api.__all__``): no
  reaching through it (``api.access.Role``), no name listed that nobody calls;
- importing the door and the CLI loads none of the heavy libraries (they load with the
  area that draws maps or briefings);
- the language is passed explicitly (issue 21, item 5): no ``ContextVar`` (nor any
  ``contextvars``) in ``zones``, ``rules`` or ``ui`` but the log's context
  (``zones/ops/logs.py``: who did what, on every log line; never a language), and every call of ``zones.i18n.t``,
  ``fmt_int`` and ``fmt_num`` (under any alias, or as ``i18n.t``) names its language.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from zones import api, i18n
from zones.storage import schema

ROOT = Path(__file__).resolve().parent.parent
CORE = ("geodata", "rules", "zones")
OURS = ("geodata", "rules", "zones", "ui")


def files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "versions" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(module of ours imported, inside a function?) for every import, ``TYPE_CHECKING``
    ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(n) for n in ast.walk(node) if n is not node}
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, *([node.module] if node.module else [])])
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in known else base)
        for target in targets:
            while target and target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != here:
                out.append((target, id(node) in inside))
    return out


def project_graph() -> tuple[dict[str, set[str]], list[str]]:
    paths = {module_name(p): p for pkg in OURS for p in files(pkg)}
    known = set(paths)
    graph: dict[str, set[str]] = {m: set() for m in paths}
    local: list[str] = []
    for name, path in paths.items():
        for target, in_function in imported_modules(path, known):
            graph[name].add(target)
            if in_function:
                local.append(f"{name} -> {target}")
    return graph, local


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def top_imports(path: Path) -> set[str]:
    """Modules imported (``from pkg import module`` counts as ``pkg.module``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = ROOT.joinpath(*node.module.split("."))
            subs = [a.name for a in node.names if (base / f"{a.name}.py").is_file()
                    or (base / a.name / "__init__.py").is_file()]
            found |= {f"{node.module}.{s}" for s in subs} if subs else {node.module}
    return found


def test_no_import_cycles():
    graph, _ = project_graph()
    assert cycles(graph) == []


def test_no_function_level_imports_of_our_modules():
    _, local = project_graph()
    assert local == []


@pytest.mark.parametrize("package", CORE)
def test_core_never_imports_streamlit_or_ui(package):
    bad = {str(p.relative_to(ROOT)): sorted(m for m in top_imports(p) if m.split(".")[0] in
                                            {"streamlit", "streamlit_folium", "ui"})
           for p in files(package)}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("package", ["geodata", "rules"])
def test_geodata_and_rules_import_nothing_of_ours(package):
    ours = {"zones", "ui", "app_pages", "app"} | ({"geodata", "rules"} - {package})
    bad = {str(p.relative_to(ROOT)): sorted(ours & {m.split(".")[0] for m in top_imports(p)})
           for p in files(package)}
    assert {k: v for k, v in bad.items() if v} == {}


def test_pages_use_only_ui_and_the_front_door():
    allowed = {"ui", "zones.api", "zones.errors"}
    bad = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        ours = {m for m in top_imports(path) if m.split(".")[0] in OURS}
        wrong = sorted(m for m in ours if m not in allowed and m.split(".")[0] != "ui")
        if wrong:
            bad[path.name] = wrong
    assert bad == {}


SHARED = "ui.server.names"
PAGE_SIDE = ("ui", "app_pages", "app")


def is_server(module: str) -> bool:
    return module == "ui.server" or module.startswith("ui.server.")


def server_crossings() -> dict[str, list[str]]:
    """Imports across the line between the web server (``ui.server``) and the page side
    (the page helpers of ``ui``, the pages), by file."""
    bad = {}
    for path in [ROOT / "app.py", *files("app_pages"), *files("ui")]:
        here, imported = module_name(path), top_imports(path)
        ours = {m for m in imported if m.split(".")[0] in PAGE_SIDE}
        if here in (SHARED, "ui.server"):
            wrong = imported - {"__future__"}
        elif is_server(here):
            wrong = {m for m in ours if not is_server(m)}
        else:
            wrong = {m for m in ours if is_server(m) and m != SHARED}
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    return bad


def test_the_web_server_and_the_page_helpers_stay_apart():
    assert server_crossings() == {}


def test_server_detector_sees_crossings(tmp_path):
    global ROOT
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "ui" / "server").mkdir(parents=True)
    for name, text in {
            "app.py": "from ui.server import auth\nimport ui.common\n",
            "ui/__init__.py": "", "ui/server/__init__.py": "import logging\n",
            "ui/common.py": "import streamlit\nfrom zones import api\n",
            "ui/session.py": "from ui.common import tr\nfrom ui.server.names import COOKIE\n"
                             "from ui.server.auth import ROUTES\n",
            "ui/server/names.py": "from __future__ import annotations\nimport starlette\n",
            "ui/server/auth.py": "from ui.server.names import COOKIE\nfrom zones import api\n",
            "ui/server/web.py": "import streamlit as st\nfrom ui.server import auth\n"
                                "from ui import session\nimport app_pages\n"}.items():
        (tmp_path / name).write_text(text)
    saved, ROOT = ROOT, tmp_path
    try:
        found = server_crossings()
    finally:
        ROOT = saved
    assert found == {"app.py": ["ui.server.auth"], "ui/server/__init__.py": ["logging"],
                     "ui/session.py": ["ui.server.auth"], "ui/server/names.py": ["starlette"],
                     "ui/server/web.py": ["app_pages", "ui.session"]}


def door_names_used(paths: list[Path]) -> dict[str, set[str]]:
    """``NAME`` -> files using ``api.NAME`` (attribute access on the name ``api``)."""
    used: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "api"):
                used.setdefault(node.attr, set()).add(path.name)
    return used


DOOR_USERS = [ROOT / "app.py", *files("app_pages"), *files("ui"), *files("zones/cli")]


def test_pages_ui_and_cli_use_exactly_the_curated_door():
    used = door_names_used(DOOR_USERS)
    assert {n: sorted(f) for n, f in used.items() if n not in api.__all__} == {}
    assert sorted(set(api.__all__) - set(used)) == []


def test_every_name_of_the_door_is_there():
    assert len(set(api.__all__)) == len(api.__all__) == sum(map(len, api.AREAS.values()))
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert missing == []
    with pytest.raises(AttributeError):
        api.access  # noqa: B018 (a module of the core, not a name of the door)


def test_the_door_and_the_cli_load_no_heavy_library():
    heavy = ("matplotlib", "reportlab", "pptx", "folium", "openpyxl", "geopandas")
    code = ("import sys, zones.api, zones.cli; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_detectors_see_violations(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    pkg = tmp_path / "zones"
    pkg.mkdir()
    bad = pkg / "bad.py"
    bad.write_text("from typing import TYPE_CHECKING\nimport streamlit as st\n"
                   "from zones import store\nif TYPE_CHECKING:\n    from zones.typed import T\n"
                   "def f():\n    from zones.other import x\n")
    assert {"streamlit", "zones"} <= top_imports(bad)
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = imported_modules(bad, {"zones", "zones.store", "zones.other", "zones.typed",
                                       "zones.bad"})
    finally:
        ROOT = saved
    assert ("zones.store", False) in found and ("zones.other", True) in found
    assert ("zones.typed", False) in found
    page = tmp_path / "page.py"
    page.write_text("from zones import api\nRole = api.access.Role\napi.day_view(ws, d)\n")
    assert door_names_used([page]) == {"access": {"page.py"}, "day_view": {"page.py"}}


SQL_ALLOWED = ("sqlalchemy.exc", "sqlalchemy.engine")
EXECUTE = {"execute", "executemany", "exec_driver_sql", "executescript", "scalar", "scalars"}
TABLES = {name for name, value in vars(schema).items() if isinstance(value, sa.Table)}


def sql_outside_storage(path: Path) -> list[str]:
    """What in ``path`` writes or runs SQL (see the module docstring), as readable items."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> the sqlalchemy module it stands for
    inner: set[int] = set()  # attributes inside a longer chain (``sa.func`` of ``sa.func.count``)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or "sqlalchemy": a.name if a.asname else "sqlalchemy"
                        for a in node.names if a.name.split(".")[0] == "sqlalchemy"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "sqlalchemy":
                found += [f"{node.module}.{a.name}" for a in node.names
                          if not f"{node.module}.{a.name}".startswith(SQL_ALLOWED)]
            elif node.module == "zones.storage.schema":
                found += [f"schema.{a.name}" for a in node.names if a.name in TABLES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner.add(id(node.value))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in EXECUTE):
            found.append(f".{node.func.attr}() line {node.lineno}")
    for node in ast.walk(tree):  # sa.select, sa.dialects.sqlite.insert, ...
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                name = ".".join([aliases[base.id], *reversed(chain)])
                if not name.startswith(SQL_ALLOWED):
                    found.append(name)
    return sorted(set(found))


def test_sql_only_under_storage():
    paths = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")),
             *(p for pkg in ("zones", "ui") for p in files(pkg)
               if "storage" not in p.relative_to(ROOT).parts)]
    bad = {str(p.relative_to(ROOT)): sql_outside_storage(p) for p in paths}
    assert {k: v for k, v in bad.items() if v} == {}


def test_sql_detector_sees_queries(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy as sa\nfrom sqlalchemy import text\n"
                   "from sqlalchemy.engine import Engine\nfrom sqlalchemy.exc import SQLAlchemyError\n"
                   "from zones.storage.schema import METRICS, users\n"
                   "def f(engine: Engine):\n    with engine.begin() as conn:\n"
                   "        conn.execute(sa.select(users))\n"
                   "        conn.exec_driver_sql('SELECT 1')\n"
                   "        conn.scalar(sa.func.count())\n"
                   "    sa.engine.make_url('sqlite://')\n")
    assert sql_outside_storage(bad) == [
        ".exec_driver_sql() line 9", ".execute() line 8", ".scalar() line 10", "schema.users",
        "sqlalchemy.func.count", "sqlalchemy.select", "sqlalchemy.text"]
    fine = tmp_path / "fine.py"
    fine.write_text("from sqlalchemy.engine import Connection, Engine\n"
                    "from zones.storage import store\n"
                    "def f(engine: Engine):\n    with engine.begin() as conn:\n"
                    "        store.take_write_lock(conn)\n")
    assert sql_outside_storage(fine) == []


#: where a date pattern may be written: the one formatter, and the browser charts' d3
#: formats (a format for plotly.js, not for Python)
DATE_PATTERN_HOMES = {"rules/text.py"}


def test_dates_formatted_in_one_place():
    """dd/mm/yyyy is written once (``rules.text.DATE_FORMAT``); everything else formats
    dates with ``fmt_date``/``fmt_datetime`` (``zones.i18n``, ``ui.widgets``)."""
    found = []
    for path in sorted(ROOT.glob("**/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/")) or rel in DATE_PATTERN_HOMES:
            continue
        if "%d/%m" in path.read_text(encoding="utf-8"):
            found.append(rel)
    assert found == []


#: the functions of ``zones.i18n`` that need a language, and its position among their
#: positional arguments (``t(key, lang)``, ``fmt_int(n, lang)``, ``fmt_num(x, digits, lang)``)
LANG_POSITION = {"t": 1, "fmt_int": 1, "fmt_num": 2}


def calls_without_language(path: Path) -> list[str]:
    """Calls of ``zones.i18n``'s functions of ``LANG_POSITION`` in ``path`` that pass no
    language (too few positional arguments and no ``lang=``), as "file:line"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}  # local name -> function of zones.i18n
    modules: set[str] = set()   # local names of the module zones.i18n itself
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "zones.i18n":
            names.update({a.asname or a.name: a.name for a in node.names
                          if a.name in LANG_POSITION})
        elif isinstance(node, ast.ImportFrom) and node.module == "zones":
            modules.update(a.asname or a.name for a in node.names if a.name == "i18n")
        elif isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.name == "zones.i18n" and a.asname)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in names:
            fn = names[f.id]
        elif (isinstance(f, ast.Attribute) and f.attr in LANG_POSITION
              and ast.unparse(f.value) in modules | {"zones.i18n"}):
            fn = f.attr
        else:
            continue
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) <= LANG_POSITION[fn] and not any(
                k.arg == "lang" or k.arg is None for k in node.keywords):
            found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                         f":{node.lineno}")
    return found


def context_vars(path: Path) -> list[str]:
    """Uses of ``contextvars`` in ``path`` (an import, or the name ``ContextVar``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        imported = (isinstance(node, ast.Import) and any(a.name == "contextvars"
                                                         for a in node.names)) or (
            isinstance(node, ast.ImportFrom) and node.module == "contextvars")
        named = (isinstance(node, ast.Name) and node.id == "ContextVar") or (
            isinstance(node, ast.Attribute) and node.attr == "ContextVar")
        if imported or named:
            found.append(f"{path.name}:{node.lineno}")
    return found


#: the context variables allowed, none of them a language: the log's context (request, user,
#: action, page), which only log lines read; the data versions pinned for one script run
#: (``store.versions_pinned``: a run reads the versions once)
CONTEXT_VAR_HOMES = {"zones/ops/logs.py", "zones/storage/store.py"}


@pytest.mark.parametrize("package", ["zones", "rules", "ui"])
def test_no_context_variable_carries_the_language(package):
    assert [hit for p in files(package) if p.relative_to(ROOT).as_posix() not in
            CONTEXT_VAR_HOMES for hit in context_vars(p)] == []
    assert not hasattr(i18n, "_lang") and not hasattr(i18n, "set_lang")


def test_every_message_and_number_names_its_language():
    everything = [p for package in ("zones", "rules", "ui", "app_pages", "tests", "bench")
                  for p in files(package)] + [ROOT / "app.py"]
    assert [hit for p in everything for hit in calls_without_language(p)] == []


def test_language_detectors_see_violations(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from zones.i18n import t as tr, fmt_num\nfrom zones import i18n\n"
                   "import contextvars\nfrom contextvars import ContextVar\n"
                   "a = tr('x', n=1)\nb = fmt_num(1.5, 1)\nc = i18n.t('y')\n"
                   "d = i18n.fmt_int(3)\nv = ContextVar('lang')\n")
    assert [h.split(":")[1] for h in calls_without_language(bad)] == ["5", "6", "7", "8"]
    assert len(context_vars(bad)) == 3
    fine = tmp_path / "fine.py"
    fine.write_text("from zones.i18n import t as tr, fmt_num\nfrom zones import i18n\n"
                    "a = tr('x', 'en', n=1)\nb = fmt_num(1.5, 1, lang='vi')\n"
                    "c = i18n.t('y', lang='vi')\nd = i18n.fmt_int(3, 'en')\n"
                    "e = tr('z', **{'lang': 'vi'})\n")
    assert calls_without_language(fine) == [] and context_vars(fine) == []
