"""Only the chosen command's module is imported: admin commands start without aiogram."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_validate_runs_without_importing_aiogram() -> None:
    assert _probe("validate") == "aiogram loaded: False exit: 0"


def test_the_help_lists_every_command_without_importing_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom chatbot.cli import build_parser\n"
         "build_parser('').print_help()\nprint('aiogram' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    for name in ("start", "run", "chat", "simulate", "test", "validate", "schema", "migrate",
                 "doctor", "eval-intents", "export-messages"):  # fmt: skip
        assert name in done.stdout
    assert done.stdout.strip().endswith("False")
