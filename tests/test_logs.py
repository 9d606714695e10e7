"""Log records are one line with their extras; message text is the caller's business."""

from __future__ import annotations

import logging

from chatbot.logs import KeyValueFormatter


def test_extras_are_rendered_as_key_value() -> None:
    record = logging.LogRecord("chatbot.service.pipeline", logging.INFO, "f", 1,
                               "pipeline.duplicate", None, None)  # fmt: skip
    record.dialog = 42
    line = KeyValueFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert line == "INFO chatbot.service.pipeline pipeline.duplicate dialog=42"
