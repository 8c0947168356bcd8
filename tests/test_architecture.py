"""The rules of DESIGN.md and CONVENTIONS.md that a parser can check.

Each rule is a function from (module name, source) to a list of violations; every rule is run
on the real tree (no violations expected) and on a small bad example (it must object), so
that none of these tests can pass by looking at nothing.
"""

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forum", "collab")
MAX_LINES = 500

Rule = Callable[[str, str], list[str]]


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every Python module of forum/ and collab/."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imports(source: str, module: str = "") -> Iterator[tuple[str, list[str], bool]]:
    """(imported module, names taken from it, only-for-type-checking) for every import."""
    tree = ast.parse(source)
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], id(node) in typing_only
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if module else []
                base = ".".join([*package, base] if base else package)
            yield base, [a.name for a in node.names], id(node) in typing_only


def under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def imports_of(module: str, source: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {name}"
        for name, _n, _t in imports(source, module)
        if under(name, *forbidden)
    ]


# --- the rules -------------------------------------------------------------------------------


def collab_is_independent(module: str, source: str) -> list[str]:
    """collab/ never imports forum (DESIGN: the one meeting point is forum.collab_access)."""
    return imports_of(module, source, ("forum",)) if under(module, "collab") else []


def collab_room_knows_no_transport(module: str, source: str) -> list[str]:
    """The room and the store know neither Starlette nor Redis (only endpoint and pubsub do)."""
    if module not in ("collab.room", "collab.registry", "collab.store", "collab.protocol"):
        return []
    return imports_of(module, source, ("starlette", "redis", "forum"))


def services_know_no_http(module: str, source: str) -> list[str]:
    """Services never import Starlette, routes, the API or the app."""
    if not under(module, "forum.services"):
        return []
    forbidden = ("starlette", "forum.routes", "forum.api", "forum.app", "forum.forms")
    return imports_of(module, source, forbidden)


def models_are_data(module: str, source: str) -> list[str]:
    """Models import no service, route, access rule or HTTP code."""
    if module != "forum.models":
        return []
    forbidden = ("forum.services", "forum.routes", "forum.api", "forum.access", "starlette")
    return imports_of(module, source, forbidden)


def access_is_below_services(module: str, source: str) -> list[str]:
    """forum.access depends on models and errors only: services call it, not the reverse."""
    if module != "forum.access":
        return []
    return imports_of(module, source, ("forum.services", "forum.routes", "forum.api", "starlette"))


QUERY_BUILDERS = {
    "select",
    "update",
    "delete",
    "insert",
    "text",
    "func",
    "col",
    "or_",
    "and_",
    "not_",
    "exists",
    "join",
    "outerjoin",
}
SESSION_CALLS = {"exec", "execute", "query", "scalars", "scalar", "commit", "flush", "rollback"}


def handlers_build_no_queries(module: str, source: str) -> list[str]:
    """Routes and the API import no query builder and run no query: that is the services' job."""
    if not under(module, "forum.routes", "forum.api"):
        return []
    found = []
    for name, names, typing_only in imports(source, module):
        if typing_only or not under(name, "sqlalchemy", "sqlmodel"):
            continue
        if not names:  # `import sqlalchemy`: the whole toolbox
            found.append(f"{module} imports {name}")
        found += [f"{module} imports {b} from {name}" for b in sorted(QUERY_BUILDERS & set(names))]
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
        ):
            found.append(f"{module}:{node.lineno} calls .{node.func.attr}()")
    return found


MODULE_LEVEL_RESOURCES = {
    "create_engine",
    "make_engine",
    "Database",
    "Settings",
    "from_env",
    "create_app",
    "from_url",
    "Redis",
    "TestClient",
}


def no_module_level_resources(module: str, source: str) -> list[str]:
    """No engine, client, registry or settings built at import time (one composition root)."""
    found = []
    for stmt in ast.parse(source).body:
        if not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.Expr):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in MODULE_LEVEL_RESOURCES:
                    found.append(f"{module}:{stmt.lineno} builds {name}() at import time")
    return found


def has_docstring(module: str, source: str) -> list[str]:
    """Every module opens with its one-line responsibility (empty package markers excepted)."""
    if not source.strip():
        return []
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False)
    if not doc or not doc.strip():
        return [f"{module} has no docstring"]
    first = tree.body[0]
    if not isinstance(first, ast.Expr) or first.lineno != 1:
        return [f"{module}: the docstring must be the first line"]
    if not doc.splitlines()[0].strip():
        return [f"{module}: the docstring's first line is empty"]
    return []


def short_enough(module: str, source: str) -> list[str]:
    """No module over MAX_LINES lines: split it by what it does."""
    count = len(source.splitlines())
    return [f"{module} has {count} lines"] if count > MAX_LINES else []


def no_future_annotations_in_tables(module: str, source: str) -> list[str]:
    """SQLModel table modules must not postpone annotations (SQLModel reads them at runtime)."""
    tree = ast.parse(source)
    has_tables = any(
        isinstance(node, ast.ClassDef) and any(k.arg == "table" for k in node.keywords)
        for node in ast.walk(tree)
    )
    future = any(
        name == "__future__" and "annotations" in names for name, names, _t in imports(source)
    )
    if (has_tables or module == "forum.models") and future:
        return [f"{module} uses `from __future__ import annotations` with SQLModel tables"]
    return []


RULES: list[Rule] = [
    collab_is_independent,
    collab_room_knows_no_transport,
    services_know_no_http,
    models_are_data,
    access_is_below_services,
    handlers_build_no_queries,
    no_module_level_resources,
    has_docstring,
    short_enough,
    no_future_annotations_in_tables,
]

# Each rule, a module name and a source it must object to.
BAD_EXAMPLES: dict[Rule, tuple[str, str]] = {
    collab_is_independent: ("collab.room", '"""R."""\nfrom forum.models import User\n'),
    collab_room_knows_no_transport: ("collab.room", '"""R."""\nimport redis.asyncio\n'),
    services_know_no_http: (
        "forum.services.topics",
        '"""T."""\nfrom starlette.responses import Response\n',
    ),
    models_are_data: ("forum.models", '"""M."""\nfrom .services import users\n'),
    access_is_below_services: ("forum.access", '"""A."""\nfrom forum.services import boards\n'),
    handlers_build_no_queries: (
        "forum.routes.topics",
        '"""T."""\nfrom sqlmodel import Session, select\n',
    ),
    no_module_level_resources: (
        "forum.search.sqlite",
        '"""S."""\nfrom forum.db import make_engine\nENGINE = make_engine("sqlite://")\n',
    ),
    has_docstring: ("forum.thing", "import os\n"),
    short_enough: ("forum.big", '"""B."""\n' + "x = 1\n" * MAX_LINES),
    no_future_annotations_in_tables: (
        "forum.more_models",
        '"""M."""\nfrom __future__ import annotations\nclass T(SQLModel, table=True):\n    pass\n',
    ),
}


def test_every_rule_has_a_bad_example() -> None:
    assert set(BAD_EXAMPLES) == set(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rule_objects_to_its_bad_example(rule: Rule) -> None:
    module, source = BAD_EXAMPLES[rule]
    assert rule(module, source), f"{rule.__name__} let a violation through"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rule_holds_on_the_tree(rule: Rule) -> None:
    checked = 0
    violations: list[str] = []
    for module, path in modules():
        violations += rule(module, path.read_text(encoding="utf-8"))
        checked += 1
    assert checked > 20, "the walk found the modules"
    assert violations == []


def test_handlers_may_import_models_and_sessions_for_types() -> None:
    source = (
        '"""R."""\nfrom typing import TYPE_CHECKING\nfrom sqlmodel import Session\n'
        "from forum.models import Board\n"
        "if TYPE_CHECKING:\n    from sqlalchemy import select\n"
    )
    assert handlers_build_no_queries("forum.routes.boards", source) == []
    with_call = source + "def f(s: Session) -> None:\n    s.exec(1)\n"
    assert handlers_build_no_queries("forum.routes.boards", with_call)


def test_relative_imports_are_resolved() -> None:
    names = [n for n, _names, _t in imports("from ..services import users\n", "forum.routes.home")]
    assert names == ["forum.services"]


def test_no_utils_modules() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if p.stem in ("utils", "helpers", "misc", "common")
    ]
    assert offenders == []


def test_walk_sees_the_layers() -> None:
    names = {name for name, _path in modules()}
    assert {"forum.app", "forum.access", "forum.models", "forum.routes.home"} <= names
    assert any(name.startswith("forum.services.") for name in names)
