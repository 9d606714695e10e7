"""Effects returned by the engine instead of doing IO; the edges carry them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

TaskTo = Literal["managers", "supervisor"]
"""Where a task's card is posted: the managers' group, or the supervisor's chat."""


@dataclass(frozen=True, slots=True)
class Button:
    """A menu option as the customer sees it."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Personalise:
    """The LLM may rewrite a reply at the sending edge, within these bounds."""

    lang: str
    max_chars: int
    recent_messages: int


@dataclass(frozen=True, slots=True)
class TemplateCall:
    """An approved WhatsApp template with its parameters filled from the dialog's variables."""

    name: str
    language: str
    body: tuple[str, ...] = ()
    button_url: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """Write to the customer; `template` is the WhatsApp template used outside the 24 h window.

    With `personalise`, `text` is the fallback the sender keeps unless the LLM's rewrite passes
    the guard. `fallback` is the template a free-text WhatsApp reply is sent as when Meta
    answers that the window has closed meanwhile.
    """

    text: str
    key: str
    buttons: tuple[Button, ...] = ()
    template: TemplateCall | None = None
    proactive: bool = False
    personalise: Personalise | None = None
    fallback: TemplateCall | None = None


@dataclass(frozen=True, slots=True)
class SkippedReply:
    """A reply that could not be sent (no template outside the window, do_not_write...)."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Start (or restart) the dialog's timer `name`, firing at `due` with `token`."""

    name: str
    due: datetime
    token: int
    keep_after_close: bool = False


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Cancel the dialog's timer `name`."""

    name: str


@dataclass(frozen=True, slots=True)
class TimerDone:
    """A due timer was applied (it belonged to the dialog's current state)."""

    name: str


@dataclass(frozen=True, slots=True)
class CreateTask:
    """A task for managers (or for the supervisor)."""

    kind: str
    reason: str
    to: TaskTo = "managers"


@dataclass(frozen=True, slots=True)
class UpdateTasks:
    """Managers' open tasks of the dialog change status (taken, done, cancelled)."""

    status: str
    manager: str | None = None


@dataclass(frozen=True, slots=True)
class Close:
    """The dialog is closed with a reason."""

    reason: str


@dataclass(frozen=True, slots=True)
class Reopen:
    """A closed dialog got a new customer message."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A customer flag is set (spammer, do_not_write)."""

    flag: str


@dataclass(frozen=True, slots=True)
class Unflag:
    """A customer flag is cleared (a manager found a spam close wrong)."""

    flag: str


@dataclass(frozen=True, slots=True)
class Alert:
    """Managers (`sla`) or the supervisor (`supervisor`) are alerted."""

    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Handoff:
    """The bot goes quiet in this dialog: a manager holds it."""


@dataclass(frozen=True, slots=True)
class BotResumed:
    """The bot takes the dialog back."""


@dataclass(frozen=True, slots=True)
class StageChanged:
    """The dialog moved from one stage to another."""

    from_stage: str
    to_stage: str


@dataclass(frozen=True, slots=True)
class ManagerDelivered:
    """A manager's text (or photo or file, see `ManagerMessage`) goes to the customer."""

    text: str
    manager: str
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class ManagerResponse:
    """How long a manager took to answer the customer, in working seconds."""

    manager: str
    seconds: float
    breach: bool


Effect = (
    Reply
    | SkippedReply
    | SetTimer
    | CancelTimer
    | TimerDone
    | CreateTask
    | UpdateTasks
    | Close
    | Reopen
    | Flag
    | Unflag
    | Alert
    | Handoff
    | BotResumed
    | StageChanged
    | ManagerDelivered
    | ManagerResponse
)
