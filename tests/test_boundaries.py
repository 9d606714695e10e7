"""The edges depend on the core and the ports, never on the service or the database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.test_purity import PACKAGE, _closure, _imports

# The packages whose every module must stay clear of service/ and db/.
EDGES = ("channels", "concurrency", "llm", "ports")
INNER = ("service", "db")
EDGE_FILES = sorted(p for sub in EDGES for p in (PACKAGE / sub).rglob("*.py"))
PORT_FILES = sorted((PACKAGE / "ports").rglob("*.py"))
PORTS_MAY_IMPORT = ("core", "errors", "ports")  # besides the standard library


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


def _port_imports_beyond_the_core(path: Path) -> list[str]:
    """The imports of `path` that are neither the standard library nor core/, errors, ports/."""
    found = []
    for name in sorted(_imports(path)):
        top, _, rest = name.partition(".")
        if top == "chatbot":
            if rest.split(".")[0] not in PORTS_MAY_IMPORT:
                found.append(name)
        elif top not in sys.stdlib_module_names:
            found.append(name)
    return found


@pytest.mark.parametrize("path", PORT_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_port_module_imports_only_the_core(path: Path) -> None:
    assert _port_imports_beyond_the_core(path) == []


def test_the_ports_check_sees_a_library(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from pydantic import BaseModel\nfrom chatbot.db import dialogs\n", encoding="utf-8"
    )
    assert _port_imports_beyond_the_core(bad) == ["chatbot.db", "pydantic"]
