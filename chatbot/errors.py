"""The project's one error tree.

ChatbotError
 +-- ConfigError            a setting is missing or wrong
 +-- FlowError              admin files (flows/, prompts/) are invalid; carries the problems
 +-- ScriptError            a conversation script cannot be run (file, step, what to fix)
 +-- StorageError           the database cannot be reached or migrated
 +-- ChannelError           a messenger refused or failed a call
      +-- SendFailed        an outbox row was not delivered (chatbot/ports/outbound.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ChatbotError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(ChatbotError):
    """A setting is missing or has a wrong value."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in an admin file: where it is and how to fix it."""

    file: str
    line: int
    message: str
    hint: str = ""
    flow: str = ""
    stage: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        ctx = " ".join(
            p
            for p in (
                f"flow={self.flow}" if self.flow else "",
                f"stage={self.stage}" if self.stage else "",
            )
            if p
        )
        text = f"{where}: {self.severity}: {self.message}"
        if ctx:
            text += f" [{ctx}]"
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


class Reported:
    """A load that comes with problems: split into errors and warnings."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that stop the bot."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth a look that do not stop the bot."""
        return tuple(p for p in self.problems if p.severity != "error")


class FlowError(ChatbotError):
    """Admin files are invalid; `problems` lists every error found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScriptError(ChatbotError):
    """A conversation script is malformed."""


class StorageError(ChatbotError):
    """The database cannot be reached, migrated or written."""


class ChannelError(ChatbotError):
    """A messenger channel failed a call."""
