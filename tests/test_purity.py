"""The pure core (core/, engine/, intents/) imports no IO library, directly or indirectly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "chatbot"
PURE = ("core", "engine", "intents")
FORBIDDEN = (
    "asyncio",
    "aiogram",
    "openai",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "aiohttp",
    "httpx",
    "requests",
    "socket",
    "tenacity",
    "alembic",
    "subprocess",
    "sqlite3",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "chatbot":
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _closure(start: Path) -> dict[Path, set[str]]:
    """Every project module reachable from `start`, with its imports."""
    seen: dict[Path, set[str]] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen[path] = _imports(path)
        todo.extend(f for f in map(_module_file, seen[path]) if f is not None)
    return seen


PURE_FILES = sorted(p for sub in PURE for p in (PACKAGE / sub).rglob("*.py"))


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_module_imports_no_io(path: Path) -> None:
    for module, names in _closure(path).items():
        for name in names:
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{module.relative_to(PACKAGE)} imports {name}"
            if top == "chatbot":
                sub = name.split(".")[1] if "." in name else ""
                assert sub in (*PURE, "errors", ""), f"{module} reaches outside the core: {name}"


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom sqlalchemy import select\n", encoding="utf-8")
    assert {"asyncio", "sqlalchemy"} <= _imports(bad)


INTENT_FILES = sorted((PACKAGE / "intents").rglob("*.py"))


@pytest.mark.parametrize("path", INTENT_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_intents_do_not_import_the_engine(path: Path) -> None:
    # One direction only: the engine reads messages with intents, never the other way round.
    for module, names in _closure(path).items():
        for name in names:
            assert not name.startswith("chatbot.engine"), f"{module} imports {name}"
