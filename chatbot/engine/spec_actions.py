"""Actions of flow files (`do:`): one small model per action key, and the handlers holding them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from chatbot.core.effects import TaskTo
from chatbot.engine.duration_type import Duration
from chatbot.engine.spec_base import Strict
from chatbot.engine.spec_conditions import Condition


class TaskSpec(Strict):
    """A task for managers."""

    kind: str
    reason: str = ""
    to: TaskTo = Field(
        "managers",
        description="where its card goes: the managers' group, or the supervisor's chat "
        "(SUPERVISOR_CHAT_ID; the group when that is not set)",
    )


class AlertSpec(Strict):
    """An alert to managers or the supervisor."""

    kind: Literal["sla", "supervisor"]
    reason: str = ""


class ReplySpec(Strict):
    """A text to send that the LLM may rewrite for the customer; the text stays the fallback."""

    text: str = Field(description="the text key to send")
    personalise: bool = Field(
        False, description="let the LLM rewrite the text using the dialog (needs LLM_MODEL)"
    )
    max_chars: int | None = Field(
        None, ge=20, le=4000, description="longest LLM text accepted (default shop.personalise)"
    )


class StartSpec(Strict):
    """Start a timer at its delay, or at the moment the customer named."""

    timer: str
    at: Literal["delay", "named"] = Field(
        "delay", description='named: when the customer said ("через неделю"), else the delay'
    )
    restart: bool = Field(True, description="false: leave a running timer as it is")


class SetDate(Strict):
    """Set a variable to a date some time from now (shop time zone), e.g. a deadline."""

    var: str
    after: Duration


class ReplyAction(Strict):
    """Send a text."""

    reply: str | ReplySpec = Field(
        description="send this text key, or {text: key, personalise: true} for the LLM"
    )

    @property
    def spec(self) -> ReplySpec:
        """The reply as a ReplySpec, whichever form the file used."""
        return ReplySpec(text=self.reply) if isinstance(self.reply, str) else self.reply


class MenuAction(Strict):
    """Send a menu."""

    menu: str = Field(description="send this menu and wait for a choice")


class GotoAction(Strict):
    """Move to a stage."""

    goto: str = Field(description="move to this stage (runs its on_enter)")


class StartAction(Strict):
    """Start a timer."""

    start: str | StartSpec = Field(
        description="start (or restart) this timer, or {timer: name, at: named}"
    )

    @property
    def spec(self) -> StartSpec:
        """The start as a StartSpec, whichever form the file used."""
        return StartSpec(timer=self.start) if isinstance(self.start, str) else self.start


class CancelAction(Strict):
    """Cancel timers."""

    cancel: str | list[str] = Field(description="cancel these timers")

    @property
    def timers(self) -> list[str]:
        """The timers' names, whichever form the file used."""
        return [self.cancel] if isinstance(self.cancel, str) else self.cancel


class CancelAllAction(Strict):
    """Cancel every timer."""  # whatever the value, as always

    cancel_all: bool = Field(description="cancel every timer of the dialog")


class TaskAction(Strict):
    """Create a task."""

    task: TaskSpec = Field(description="create a task for managers")


class HandoffAction(Strict):
    """Hand the dialog to managers."""

    handoff: TaskSpec = Field(description="create a task and let a manager lead")


class PauseAction(Strict):
    """Let a manager lead."""  # whatever the value, as always

    pause: bool = Field(description="the bot goes quiet: a manager leads, no task")


class ResumeAction(Strict):
    """Take the dialog back."""  # whatever the value, as always

    resume: bool = Field(description="the bot takes the dialog back")


class TaskStatusAction(Strict):
    """Update the dialog's open tasks."""

    task_status: Literal["taken", "done"] = Field(description="update open tasks")


class CloseAction(Strict):
    """Close the dialog."""

    close: str = Field(description="close the dialog with this reason")


class FlagAction(Strict):
    """Flag the customer."""

    flag: Literal["spammer", "do_not_write"] = Field(description="flag the customer")


class AlertAction(Strict):
    """Alert managers or the supervisor."""

    alert: AlertSpec = Field(description="alert managers or the supervisor")


class SetAction(Strict):
    """Set dialog variables."""

    set: dict[str, str] = Field(description="set dialog variables ({var} allowed)")


class SetDateAction(Strict):
    """Set a variable to a future date."""

    set_date: SetDate = Field(description="set a variable to a future date")


class UnsetAction(Strict):
    """Forget dialog variables."""

    unset: list[str] = Field(description="forget dialog variables")


class ChooseAction(Strict):
    """Run the first handler that matches."""

    choose: list[Handler] = Field(
        description="run the first of these handlers whose condition holds"
    )


# The action key -> its model; the order is the one error messages list.
ACTION_MODELS: dict[str, type[Strict]] = {
    "reply": ReplyAction,
    "menu": MenuAction,
    "goto": GotoAction,
    "start": StartAction,
    "cancel": CancelAction,
    "cancel_all": CancelAllAction,
    "task": TaskAction,
    "handoff": HandoffAction,
    "pause": PauseAction,
    "resume": ResumeAction,
    "task_status": TaskStatusAction,
    "close": CloseAction,
    "flag": FlagAction,
    "alert": AlertAction,
    "set": SetAction,
    "set_date": SetDateAction,
    "unset": UnsetAction,
    "choose": ChooseAction,
}
ACTION_KEYS = tuple(ACTION_MODELS)
# Union tags are model names: capitalised, so error locations tell them from data keys.
ACTION_TAGS = frozenset(model.__name__ for model in ACTION_MODELS.values())


def untagged(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """An error location without the action union's tags: they name no place in a file."""
    return tuple(part for part in loc if part not in ACTION_TAGS)


def _one_key(data: Any) -> Any:
    """Refuse anything but a mapping with exactly one action key, naming what was given."""
    if isinstance(data, dict):
        if len(data) != 1 or next(iter(data)) not in ACTION_MODELS:
            raise ValueError(
                f"an action is a mapping with exactly one of: {', '.join(ACTION_KEYS)}; "
                f"got {', '.join(map(str, data)) or 'nothing'}"
            )
    elif type(data).__name__ not in ACTION_TAGS:
        raise PydanticCustomError(
            "model_type", "Input should be a valid dictionary or instance of Action"
        )
    return data


def _tag(data: Any) -> str:
    """The union member an action is: named by its one key, or by its model."""
    if isinstance(data, dict):
        return ACTION_MODELS[next(iter(data))].__name__
    return type(data).__name__


# One thing to do; exactly one key per list item.
Action = Annotated[
    Annotated[ReplyAction, Tag("ReplyAction")]
    | Annotated[MenuAction, Tag("MenuAction")]
    | Annotated[GotoAction, Tag("GotoAction")]
    | Annotated[StartAction, Tag("StartAction")]
    | Annotated[CancelAction, Tag("CancelAction")]
    | Annotated[CancelAllAction, Tag("CancelAllAction")]
    | Annotated[TaskAction, Tag("TaskAction")]
    | Annotated[HandoffAction, Tag("HandoffAction")]
    | Annotated[PauseAction, Tag("PauseAction")]
    | Annotated[ResumeAction, Tag("ResumeAction")]
    | Annotated[TaskStatusAction, Tag("TaskStatusAction")]
    | Annotated[CloseAction, Tag("CloseAction")]
    | Annotated[FlagAction, Tag("FlagAction")]
    | Annotated[AlertAction, Tag("AlertAction")]
    | Annotated[SetAction, Tag("SetAction")]
    | Annotated[SetDateAction, Tag("SetDateAction")]
    | Annotated[UnsetAction, Tag("UnsetAction")]
    | Annotated[ChooseAction, Tag("ChooseAction")],
    Discriminator(_tag),
    BeforeValidator(_one_key),
]


class Handler(Strict):
    """When the condition holds, do the actions (and stop looking unless `continue`)."""

    when: Condition = Field(default_factory=Condition)
    do: list[Action] = Field(default_factory=list)
    continue_: bool = Field(False, alias="continue", description="keep looking for handlers")
    while_paused: bool = Field(False, description="also runs while a manager holds the dialog")


ChooseAction.model_rebuild()
