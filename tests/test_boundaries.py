"""The edges depend on the core and the ports, never on the service or the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_purity import PACKAGE, _closure

# The packages whose every module must stay clear of service/ and db/.
EDGES = ("llm", "ports", "concurrency")
INNER = ("service", "db")
EDGE_FILES = sorted(p for sub in EDGES for p in (PACKAGE / sub).rglob("*.py"))


def _reaches_inside(path: Path) -> list[str]:
    """The imports of service/ or db/ in `path`'s project closure, as "module imports name"."""
    found = []
    for module, names in _closure(path).items():
        for name in names:
            parts = name.split(".")
            if parts[0] == "chatbot" and len(parts) > 1 and parts[1] in INNER:
                where = module.relative_to(PACKAGE) if module.is_relative_to(PACKAGE) else module
                found.append(f"{where} imports {name}")
    return found


@pytest.mark.parametrize("path", EDGE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_edge_module_imports_no_service_or_db(path: Path) -> None:
    assert _reaches_inside(path) == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from chatbot.service.pipeline import Outcome\n", encoding="utf-8")
    assert _reaches_inside(bad) != []
