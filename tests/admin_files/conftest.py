"""Shared fixtures for admin-file tests: the shipped flows folder and a writable copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "flows"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped flows."""
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target
