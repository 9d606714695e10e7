"""Write or compare the traces of every conversation script, to show a change kept behaviour.

    python scripts/scenario_traces.py write DIR     # one DIR/<folder>-<script>.jsonl per script
    python scripts/scenario_traces.py compare DIR   # exit 1 and name every script that differs

The scripts are tests/scenarios/*.yaml and flows/tests/*.yaml, each replayed by
`chatbot simulate --json` in this process (the virtual clock makes the traces repeatable).
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from chatbot.cli import main as chatbot

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*ROOT.glob("tests/scenarios/*.yaml"), *ROOT.glob("flows/tests/*.yaml")])


def trace(script: Path) -> str:
    """The JSON trace `chatbot simulate` prints for one script, with its exit code."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = chatbot(["simulate", "--json", str(script)])
    return f"{out.getvalue()}exit {code}\n"


def name(script: Path) -> str:
    """The file name of a script's trace."""
    return f"{script.parent.name}-{script.stem}.jsonl"


def run(command: str, folder: Path) -> int:
    """`write` the traces into `folder`, or `compare` them with the ones there."""
    if command == "write":
        folder.mkdir(parents=True, exist_ok=True)
        for script in SCRIPTS:
            (folder / name(script)).write_text(trace(script), encoding="utf-8")
        print(f"{len(SCRIPTS)} traces written to {folder}")
        return 0
    differ = [s for s in SCRIPTS if (folder / name(s)).read_text(encoding="utf-8") != trace(s)]
    for script in differ:
        print(f"differs: {script.relative_to(ROOT)}")
    print(f"{len(SCRIPTS) - len(differ)} of {len(SCRIPTS)} traces identical")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "compare"):
        sys.exit(__doc__)
    sys.exit(run(sys.argv[1], Path(sys.argv[2])))
