"""Logging set-up for the CLI: one line per record on stderr, key=value extras."""

from __future__ import annotations

import logging
import sys

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    """`time level logger event key=value ...`: greppable, one record per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record and the extras it carries."""
        base = super().format(record)
        extras = " ".join(
            f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD
        )
        return f"{base} {extras}" if extras else base


def configure(level: str) -> None:
    """Send the project's logs to stderr at `level` (stdout stays for command output)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # pymorphy3 announces its dictionary's version at INFO each time it loads: not our news
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
