"""`chatbot schema [--output FILE]`: the JSON Schema of flow files, for editors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chatbot.engine.spec import FlowFile


def flow_schema() -> dict[str, Any]:
    """The JSON Schema of one flow file, generated from the models the loader uses."""
    schema = FlowFile.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "chatbot flow file",
        "description": (
            "A YAML file under flows/ (stages, handlers, timers, menus, shop settings). Editors "
            "with the YAML language server (VS Code's YAML extension, JetBrains IDEs, Neovim) "
            "complete and check it when its first line is: "
            "# yaml-language-server: $schema=flow.schema.json (a path relative to the file). "
            "Run `chatbot validate` too: it checks what a schema cannot, such as unknown "
            "stages, timers and text keys, and missing translations."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def register(p: argparse.ArgumentParser) -> None:
    """Add the `schema` arguments."""
    p.add_argument("--output", type=Path, default=None, help="write to this file instead")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    text = json.dumps(flow_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
