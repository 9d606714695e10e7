"""Writes flows/intents/examples/written.jsonl from the tuning sets (never the held-out ones).

Run from the project folder after adding a tuning set:  python3 eval/build_examples.py
"""

import json
from pathlib import Path

EVAL = Path(__file__).resolve().parent
TARGET = EVAL.parent / "flows" / "intents" / "examples" / "written.jsonl"
SOURCES = [
    EVAL / "blind-dev.jsonl",
    *sorted(EVAL.glob("tune-*.jsonl")),
    *sorted(EVAL.glob("borders-*.jsonl")),
]

lines = []
for source in SOURCES:
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            lines.append(json.dumps({"text": row["text"], "label": row["label"]}, ensure_ascii=False))
TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"{TARGET}: {len(lines)} examples from {len(SOURCES)} files")
