"""Admin files read as written: YAML 1.2 scalars, not PyYAML's YAML 1.1 guesses."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pytest

from chatbot.admin_files.loader import load_flows
from chatbot.admin_files.yaml_source import parse_yaml
from chatbot.errors import FlowError
from tests.admin_files.conftest import FLOWS


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1:30", "1:30"),  # YAML 1.1: 90 (base 60)
        ("010", 10),  # YAML 1.1: 8 (octal)
        ("0o10", 8),  # octal only when it says so
        ("0x1f", 31),
        ("1_000", "1_000"),  # YAML 1.1: 1000
        ("on", "on"),  # YAML 1.1: True
        ("no", "no"),  # YAML 1.1: False
        ("Yes", "Yes"),
        ("true", True),
        ("-7", -7),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("2026-03-08", date(2026, 3, 8)),  # holidays stay dates
    ],
)
def test_a_scalar_reads_as_written(text: str, value: object) -> None:
    assert parse_yaml(f"key: {text}\n", "f.yaml").data == {"key": value}


def test_infinity_and_not_a_number() -> None:
    data = parse_yaml("a: .inf\nb: -.Inf\nc: .nan\n", "f.yaml").data
    assert data["a"] == math.inf
    assert data["b"] == -math.inf
    assert math.isnan(data["c"])


def test_a_clock_like_duration_is_refused_with_its_line(tmp_path: Path) -> None:
    # An admin who writes `after: 1:30` meant an hour and a half, not 90 seconds or minutes:
    # the file says so at its line instead of running a different shop.
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    dialog = flows / "dialog.yaml"
    text = dialog.read_text(encoding="utf-8")
    dialog.write_text(text.replace("    after: 10h\n", "    after: 1:30\n", 1), encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flows(flows)
    line = next(i for i, row in enumerate(dialog.read_text().splitlines(), 1) if "1:30" in row)
    assert f"dialog.yaml:{line}:" in str(caught.value)
    assert "1:30" in str(caught.value)
