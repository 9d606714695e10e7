"""Logging set-up for the CLI: one record per line on stderr, as logfmt or as JSON lines."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["logfmt", "json"]
LOGFMT = "time=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s"
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_BARE = frozenset('"=\\ ')  # characters that make a logfmt value need quotes


def logfmt_value(value: object) -> str:
    """The value as logfmt writes it: bare when it can be, else a quoted, escaped string."""
    text = str(value)
    if text and text.isprintable() and not _BARE.intersection(text):
        return text
    # JSON's string escapes are the ones logfmt readers undo: \" \\ \n \t \uXXXX.
    return json.dumps(text, ensure_ascii=False)


def extras(record: logging.LogRecord) -> dict[str, object]:
    """What the caller passed in `extra=`: the record's non-standard attributes."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


def _utc(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class KeyValueFormatter(logging.Formatter):
    """logfmt: `time=... level=... logger=... msg=... key=value`, every value quoted as needed.

    A traceback, too, stays on the record's one line (as `traceback="...\\n..."`).
    """

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 in UTC: no space inside, sortable, the same on every host."""
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        """Render the record with its message and extras quoted."""
        plain = logging.makeLogRecord(vars(record))
        plain.msg, plain.args = logfmt_value(record.getMessage()), None
        plain.exc_info, plain.exc_text, plain.stack_info = None, None, None
        pairs = [f"{key}={logfmt_value(value)}" for key, value in extras(record).items()]
        if record.exc_info:
            pairs.append(f"traceback={logfmt_value(self.formatException(record.exc_info))}")
        if record.stack_info:
            pairs.append(f"stack={logfmt_value(record.stack_info)}")
        return " ".join([super().format(plain), *pairs])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, msg, the extras and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a JSON line."""
        line: dict[str, object] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in extras(record).items():
            line.setdefault(key, value)  # the four fields above keep their meaning
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str, log_format: LogFormat = "logfmt") -> None:
    """Send the project's logs to stderr at `level` (stdout stays for command output)."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter() if log_format == "json" else KeyValueFormatter(LOGFMT)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # pymorphy3 announces its dictionary's version at INFO each time it loads: not our news
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
