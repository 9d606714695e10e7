"""The flow file format as pydantic models: the one source of validation and of `chatbot schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chatbot.engine.duration_type import Duration
from chatbot.engine.spec_actions import Action, Handler
from chatbot.engine.spec_base import Strict
from chatbot.engine.spec_shop import ShopSettings

# Shop settings, conditions and actions have their own modules; this one holds the file itself.

_NAME = r"^[a-z][a-z0-9_]*$"
CancelOn = Literal["reply", "manager", "take", "stage"]


def _default_cancel_on() -> list[CancelOn]:
    return ["reply"]


class TimerSpec(Strict):
    """A named timer: when it fires, its actions run (if the dialog still holds it)."""

    after: Duration = Field(description="delay from the moment the timer is started")
    working_time: bool = Field(False, description="count only working hours")
    proactive: bool = Field(False, description="a message to the customer: only in working hours")
    cancel_on: list[CancelOn] = Field(
        default_factory=_default_cancel_on, description="what cancels the timer"
    )
    keep_after_close: bool = Field(False, description="survives the dialog's closing")
    keeps_open: bool = Field(
        False, description="while it runs, the dialog is not closed for silence"
    )
    do: list[Action] = Field(default_factory=list)


class MenuOption(Strict):
    """A menu option: a button, its number, and words that pick it when typed."""

    id: str = Field(pattern=_NAME)
    label: str = Field(description="text key of the button label")
    intent: str = Field("other", description="the intent this choice stands for")
    words: dict[str, list[str]] = Field(
        default_factory=dict, description="per language: words that pick this option"
    )


class MenuSpec(Strict):
    """A numbered menu sent with a text."""

    text: str = Field(description="text key of the message above the buttons")
    options: list[MenuOption] = Field(min_length=1, max_length=10)


class StageSpec(Strict):
    """A stage of the dialog: what happens on entering it and how it reacts."""

    description: str = ""
    on_enter: list[Action] = Field(default_factory=list)
    on: list[Handler] = Field(default_factory=list)


class ManagerHandlers(Strict):
    """Reactions to managers."""

    message: list[Handler] = Field(default_factory=list)
    take: list[Handler] = Field(default_factory=list)
    done: list[Handler] = Field(default_factory=list)
    return_to_bot: list[Handler] = Field(default_factory=list)


class FlowFile(Strict):
    """One YAML file under flows/; the loader merges them."""

    shop: ShopSettings | None = None
    stages: dict[str, StageSpec] = Field(default_factory=dict)
    before: list[Handler] = Field(
        default_factory=list, description="customer messages in any stage, before the stage's own"
    )
    customer: list[Handler] = Field(
        default_factory=list, description="customer messages in any stage, after the stage's own"
    )
    events: dict[str, list[Handler]] = Field(default_factory=dict)
    manager: ManagerHandlers | None = None
    timers: dict[str, TimerSpec] = Field(default_factory=dict)
    menus: dict[str, MenuSpec] = Field(default_factory=dict)
    on_close: list[Handler] = Field(default_factory=list)
