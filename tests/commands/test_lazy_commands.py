"""Only the chosen command's module is imported: admin commands start without aiogram."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from chatbot.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from chatbot.cli import main
code = main(sys.argv[1:])
print("aiogram loaded:", "aiogram" in sys.modules, "exit:", code)
"""


def _probe(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout.strip().splitlines()[-1]


def test_validate_runs_without_importing_aiogram() -> None:
    assert _probe("validate") == "aiogram loaded: False exit: 0"


def test_the_help_lists_every_command_without_importing_them() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom chatbot.cli import build_parser\n"
            "build_parser('').print_help()\nprint('aiogram' in sys.modules)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    for name in (
        "start",
        "run",
        "chat",
        "simulate",
        "test",
        "validate",
        "schema",
        "migrate",
        "doctor",
        "eval-intents",
        "export-messages",
    ):
        assert name in done.stdout
    assert done.stdout.strip().endswith("False")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_a_description_and_an_example_that_parses(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    help_text = capsys.readouterr().out
    description = help_text.split("\n\n")[1]
    assert description.strip()
    assert not description.startswith(("options:", "positional arguments:"))
    example = COMMANDS[name].example
    assert help_text.endswith(f"\n\nexample:\n  {example}\n")
    words = [w for w in shlex.split(example) if not re.match(r"[A-Z_]+=", w)]  # no VAR=value
    assert words[:2] == ["chatbot", name]
    args = build_parser(name).parse_args(words[1:])
    assert args.command == name


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    with (ROOT / "pyproject.toml").open("rb") as f:
        declared = tomllib.load(f)["project"]["version"]
    assert capsys.readouterr().out == f"chatbot {version('chatbot')}\n"
    assert version("chatbot") == declared
