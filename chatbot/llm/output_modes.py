"""Which structured-output mode an LLM server supports, detected once and remembered."""

from __future__ import annotations

import logging

from chatbot.ports.llm import OutputMode

log = logging.getLogger(__name__)

MODES: tuple[OutputMode, ...] = ("json_schema", "json_object", "text")
"""From the richest to the plainest; detection only ever moves down this list."""


class OutputModes:
    """The mode the next request uses: the richest one the server has not turned down."""

    def __init__(self, forced: OutputMode | None = None) -> None:
        self.current: OutputMode = forced or MODES[0]
        self._settled = forced is not None  # a forced or confirmed mode is never left

    @property
    def settled(self) -> bool:
        """True once the mode was forced or a valid structured answer confirmed it."""
        return self._settled

    def confirm(self, mode: OutputMode) -> None:
        """A valid JSON answer came back in `mode`: keep it for good."""
        if mode == self.current and mode != "text":
            self._settled = True

    def step_down(self, mode: OutputMode, why: str) -> bool:
        """Leave `mode` for the next one; False when it is settled or nothing is left."""
        if self.current != mode:
            return True  # a concurrent call moved on already
        if self._settled or mode == MODES[-1]:
            return False
        self.current = MODES[MODES.index(mode) + 1]
        log.info("llm.mode", extra={"mode": self.current, "reason": why})
        return True
