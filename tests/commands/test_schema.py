"""`chatbot schema`: a JSON Schema of flow files, shipped beside the flows and never stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chatbot.cli import main
from chatbot.commands.schema import flow_schema
from tests.conftest import ROOT

SHIPPED = ROOT / "flows" / "flow.schema.json"
EDITOR_LINE = "# yaml-language-server: $schema=flow.schema.json"


def _printed(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["schema"]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


def test_printed_schema_describes_flow_files(capsys: pytest.CaptureFixture[str]) -> None:
    schema = _printed(capsys)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert "yaml-language-server: $schema=" in schema["description"]
    assert schema["additionalProperties"] is False
    assert {"stages", "timers", "menus", "before", "customer", "events"} <= set(
        schema["properties"]
    )
    stage = schema["$defs"]["StageSpec"]["properties"]
    assert {"on_enter", "on"} <= set(stage)


def test_aliases_are_used(capsys: pytest.CaptureFixture[str]) -> None:
    handler = _printed(capsys)["$defs"]["Handler"]["properties"]
    assert "continue" in handler
    assert "continue_" not in handler


def test_output_file_equals_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "flow.schema.json"
    assert main(["schema", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text(encoding="utf-8")) == _printed(capsys)


def test_shipped_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    fresh = capsys.readouterr().out
    assert SHIPPED.read_text(encoding="utf-8") == fresh, (
        "run: .venv/bin/chatbot schema --output flows/flow.schema.json"
    )
    assert json.loads(fresh) == flow_schema()


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "flows").glob("*.yaml")))
def test_flow_files_point_editors_at_the_schema(name: str) -> None:
    first = (ROOT / "flows" / name).read_text(encoding="utf-8").splitlines()[0]
    assert first == EDITOR_LINE
