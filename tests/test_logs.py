"""Log records are one line with their extras; message text is the caller's business."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from pydantic import ValidationError

from chatbot.config import Settings, settings_problems
from chatbot.errors import Problem
from chatbot.logs import KeyValueFormatter, LogFormat, configure, logfmt_value


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """configure() replaces the root handlers: give pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_extras_are_rendered_as_key_value() -> None:
    record = logging.LogRecord(
        "chatbot.service.pipeline", logging.INFO, "f", 1, "pipeline.duplicate", None, None
    )
    record.dialog = 42
    line = KeyValueFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert line == "INFO chatbot.service.pipeline pipeline.duplicate dialog=42"


# A logfmt reader written from the format's grammar (key=bare or key="quoted with escapes"),
# independent of the formatter: what a log collector does with the lines.
_PAIR = re.compile(r'([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)')


def parse_logfmt(line: str) -> dict[str, str]:
    """The pairs of one logfmt line; AssertionError when any part of it is not a pair."""
    assert "\n" not in line
    pairs: dict[str, str] = {}
    position = 0
    while position < len(line):
        match = _PAIR.match(line, position)
        assert match is not None, f"not logfmt at {position}: {line[position:]!r}"
        key, value = match.groups()
        pairs[key] = json.loads(value) if value.startswith('"') else value
        position = match.end()
    return pairs


PROBLEM = Problem(
    "flows/buy.yaml",
    12,
    "unknown stage 'pay now'",
    hint='write "stage: paid"',
    flow="buy",
    stage="offer",
)
AWKWARD = {
    "problem": str(PROBLEM),
    "text": 'a="b" c\\d\nnext line\ttab',
    "empty": "",
    "word": "Шарики",
    "count": 3,
}


def _log_through_configure(log_format: LogFormat, capsys: pytest.CaptureFixture[str]) -> list[str]:
    configure("INFO", log_format)
    log = logging.getLogger("chatbot.service.runtime")
    log.error("runtime.reload_refused", extra=AWKWARD)
    try:
        raise ValueError("bad = value\nsecond line")
    except ValueError:
        log.exception("runtime.outbox_failed")
    # A library's sentence (alembic's own logger is quietened by other commands' tests)
    logging.getLogger("tests.library").info("Running upgrade 0003 -> 0004, a b")
    logging.getLogger("chatbot").debug("not shown at INFO")
    return capsys.readouterr().err.splitlines()


def test_logfmt_lines_parse_back_to_what_was_logged(capsys: pytest.CaptureFixture[str]) -> None:
    reload, failure, sentence = (
        parse_logfmt(line) for line in _log_through_configure("logfmt", capsys)
    )
    assert reload["level"] == "ERROR"
    assert reload["logger"] == "chatbot.service.runtime"
    assert reload["msg"] == "runtime.reload_refused"
    assert {key: reload[key] for key in AWKWARD} == {k: str(v) for k, v in AWKWARD.items()}
    assert reload["problem"].startswith("flows/buy.yaml:12: error: unknown stage 'pay now'")
    assert datetime.fromisoformat(reload["time"]).tzinfo is not None
    assert failure["msg"] == "runtime.outbox_failed"
    assert failure["traceback"].startswith("Traceback (most recent call last):\n")
    assert failure["traceback"].endswith("ValueError: bad = value\nsecond line")
    assert sentence["msg"] == "Running upgrade 0003 -> 0004, a b"


def test_json_lines_parse_back_to_what_was_logged(capsys: pytest.CaptureFixture[str]) -> None:
    reload, failure, sentence = (
        json.loads(line) for line in _log_through_configure("json", capsys)
    )
    assert {key: reload[key] for key in AWKWARD} == AWKWARD
    assert (reload["level"], reload["logger"], reload["msg"]) == (
        "ERROR",
        "chatbot.service.runtime",
        "runtime.reload_refused",
    )
    assert failure["traceback"].endswith("ValueError: bad = value\nsecond line")
    assert sentence["msg"] == "Running upgrade 0003 -> 0004, a b"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("flows/a.yaml:3", "flows/a.yaml:3"),
        ("", '""'),
        ("a b", '"a b"'),
        ("k=v", '"k=v"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("two\nlines", '"two\\nlines"'),
        (None, "None"),
        (2.5, "2.5"),
    ],
)
def test_values_are_bare_only_when_a_reader_cannot_misread_them(
    value: object, written: str
) -> None:
    assert logfmt_value(value) == written


def test_log_format_is_a_validated_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValidationError) as error:
        Settings()
    [line] = settings_problems(error.value)
    assert line.startswith(
        "setting LOG_FORMAT='xml' is not valid: Input should be 'logfmt' or 'json'"
    )
