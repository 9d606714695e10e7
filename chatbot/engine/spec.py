"""The flow file format as pydantic models: the one source of validation and of `chatbot schema`."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chatbot.core.effects import TaskTo
from chatbot.core.phones import check_country
from chatbot.engine.duration_type import Duration
from chatbot.engine.whatsapp_spec import WhatsAppSettings

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_NAME = r"^[a-z][a-z0-9_]*$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Where customers find what they want and send it to the shop: "хочу такие, сколько стоит?"
PRODUCT_LINK_DOMAINS = (
    "ozon.ru",
    "wildberries.ru",
    "wb.ru",
    "avito.ru",
    "market.yandex.ru",
    "megamarket.ru",
    "aliexpress.ru",
    "aliexpress.com",
    "lamoda.ru",
    "amazon.com",
    "ebay.com",
    "etsy.com",
    "instagram.com",
    "instagr.am",
    "pinterest.com",
    "pinterest.ru",
    "pin.it",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _default_hours() -> dict[str, str | None]:
    return {d: "10:00-19:00" for d in WEEKDAYS}


def _default_cancel_on() -> list[CancelOn]:
    return ["reply"]


CancelOn = Literal["reply", "manager", "take", "stage"]


class SlaSettings(_Strict):
    """Response-time rules for managers, in working time."""

    manager_answer: Duration = Field(
        "10m", validate_default=True, description="a later answer counts as a breach"
    )


class PersonaliseSettings(_Strict):
    """Limits of replies the LLM may personalise (`reply: {text: ..., personalise: true}`)."""

    max_chars: int = Field(
        300, ge=20, le=4000, description="a longer LLM text is refused and the template is sent"
    )
    recent_messages: int = Field(
        10, ge=0, le=50, description="how many of the dialog's last messages the LLM reads"
    )


class ShopSettings(_Strict):
    """Shop-wide settings: time zone, working hours, holidays, languages."""

    name: str = Field("", description="the shop's name, available in texts as {shop}")
    timezone: str = Field("Europe/Moscow", description="IANA time zone of the shop")
    country: str = Field(
        "RU",
        description="ISO country code: phones written without +, like 8 916..., are read "
        "as this country's numbers",
    )
    default_lang: str = Field("ru", description="language of customers whose language is unknown")
    languages: list[str] = Field(default_factory=lambda: ["ru", "en"])
    working_hours: dict[str, str | None] = Field(
        default_factory=_default_hours,
        description='per weekday (mon..sun) "HH:MM-HH:MM", or null when closed',
    )
    holidays: list[date] = Field(default_factory=list, description="days closed all day")
    allowed_link_domains: list[str] = Field(
        default_factory=list, description="links to these domains are not counted as spam links"
    )
    product_link_domains: list[str] = Field(
        default_factory=lambda: list(PRODUCT_LINK_DOMAINS),
        description="marketplaces and social sites whose links show a customer's wish (a buying "
        "signal), never spam on their own",
    )
    deferred_demand: bool = Field(
        True, description="goods are bought after reflection, so a discount may win the customer"
    )
    close_after_silence: Duration = Field(
        "7d", validate_default=True, description="close a dialog with no messages"
    )
    weekly_digest: bool = Field(
        False,
        description="on Monday when the shop opens, send last week's report to "
        "SUPERVISOR_CHAT_ID (the managers' chat if unset)",
    )
    max_steps_per_event: int = Field(20, ge=1, le=200, description="guards against goto loops")
    vars: dict[str, str] = Field(default_factory=dict, description="shop variables for texts")
    sla: SlaSettings = Field(default_factory=SlaSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    personalise: PersonaliseSettings = Field(default_factory=PersonaliseSettings)

    _check_country = field_validator("country")(check_country)

    @field_validator("working_hours")
    @classmethod
    def _check_hours(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}: use one of {', '.join(WEEKDAYS)}")
            if span is not None:
                parse_hours(span)
        return value


def parse_hours(span: str) -> tuple[time, time]:
    """Turn "10:00-19:00" into (opens, closes); raise ValueError with a hint otherwise."""
    m = _HOURS.match(span.strip())
    if not m:
        raise ValueError(f"bad hours {span!r}: write them like 10:00-19:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ValueError(f"bad hours {span!r}: hours 0-24, minutes 0-59")
    opens = time(h1, m1)
    closes = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if closes <= opens:
        raise ValueError(f"bad hours {span!r}: the closing time must be after the opening time")
    return opens, closes


class Condition(_Strict):
    """What must hold for a handler to run; every given field must match."""

    intent: str | list[str] | None = Field(None, description="the classified intent(s)")
    not_intent: list[str] | None = Field(None, description="the intent is none of these")
    option: str | list[str] | None = Field(None, description="the chosen menu option id(s)")
    first_message: bool | None = Field(None, description="the dialog's first customer message")
    emojis_over: int | None = Field(None, ge=0, description="more than this many emojis")
    has_link: bool | None = Field(None, description="contains a link to a foreign domain")
    number: str | None = Field(None, description='the message is a number in "A-B"')
    off_hours: bool | None = Field(None, description="outside working hours (or a holiday)")
    vars: dict[str, str] | None = Field(None, description="dialog variables equal these values")
    unset: list[str] | None = Field(None, description="these dialog variables are not set")
    has: list[str] | None = Field(None, description="these dialog variables are set")
    once: str | None = Field(None, description="only the first time for this key in the dialog")
    once_per: Duration | None = Field(None, description="with `once`: at most once per period")
    quiet_elsewhere: Duration | None = Field(
        None, description="the customer wrote nothing in their other dialogs for this long"
    )
    setting: str | None = Field(None, description="a true shop setting, e.g. deferred_demand")
    after_bot: list[str] | None = Field(None, description="the bot's last text key is one of these")
    stage: str | list[str] | None = Field(None, description="the dialog is in one of these stages")
    reason: str | list[str] | None = Field(None, description="close reason (on_close only)")
    last_intent_not: list[str] | None = Field(
        None, description="the customer's last intent is none of these"
    )
    any: list[Condition] | None = Field(None, description="at least one of these holds")
    not_: Condition | None = Field(None, alias="not", description="this condition does not hold")
    asks: bool | None = Field(
        None, description="the message asks something or requests something (not small talk)"
    )
    buying_signal: bool | None = Field(
        None,
        description="the message wants to buy: an order, a question about goods, price, "
        "delivery or payment, or a link to a product page",
    )
    rating: str | None = Field(
        None, description='the message gives a score in "A-B" ("7", "7/10", "ставлю 10", "семь")'
    )
    rated: str | None = Field(None, description='the dialog\'s stored score is in "A-B"')
    names_time: bool | None = Field(
        None, description="the message names a future moment (через неделю, в понедельник)"
    )
    stage_for: Duration | None = Field(
        None, description="the dialog has been in its current stage at least this long"
    )
    paused: bool | None = Field(None, description="a manager holds the dialog")
    open_order: bool | None = Field(
        None, description="an order of the dialog is not yet delivered or cancelled"
    )
    order: list[str] | None = Field(
        None, description="the event's order has all of these: created, paid, ready, shipped..."
    )
    order_not: list[str] | None = Field(None, description="the event's order has none of these")

    @field_validator("number", "rating", "rated")
    @classmethod
    def _check_number(cls, value: str | None) -> str | None:
        if value is not None:
            number_range(value)
        return value


def number_range(text: str) -> tuple[int, int]:
    """Turn "9-10" or "7" into an inclusive range."""
    m = re.match(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$", text)
    if not m:
        raise ValueError(f'bad number range {text!r}: write "9-10" or "7"')
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if hi < lo:
        raise ValueError(f"bad number range {text!r}: the first number must not exceed the second")
    return lo, hi


class TaskSpec(_Strict):
    """A task for managers."""

    kind: str
    reason: str = ""
    to: TaskTo = Field(
        "managers",
        description="where its card goes: the managers' group, or the supervisor's chat "
        "(SUPERVISOR_CHAT_ID; the group when that is not set)",
    )


class AlertSpec(_Strict):
    """An alert to managers or the supervisor."""

    kind: Literal["sla", "supervisor"]
    reason: str = ""


class ReplySpec(_Strict):
    """A text to send that the LLM may rewrite for the customer; the text stays the fallback."""

    text: str = Field(description="the text key to send")
    personalise: bool = Field(
        False, description="let the LLM rewrite the text using the dialog (needs LLM_MODEL)"
    )
    max_chars: int | None = Field(
        None, ge=20, le=4000, description="longest LLM text accepted (default shop.personalise)"
    )


class StartSpec(_Strict):
    """Start a timer at its delay, or at the moment the customer named."""

    timer: str
    at: Literal["delay", "named"] = Field(
        "delay", description='named: when the customer said ("через неделю"), else the delay'
    )
    restart: bool = Field(True, description="false: leave a running timer as it is")


class SetDate(_Strict):
    """Set a variable to a date some time from now (shop time zone), e.g. a deadline."""

    var: str
    after: Duration


ACTION_KEYS = (
    "reply", "menu", "goto", "start", "cancel", "cancel_all", "task", "handoff", "pause",
    "resume", "task_status", "close", "flag", "alert", "set", "set_date", "unset", "choose",
)  # fmt: skip


class Action(_Strict):
    """One thing to do; exactly one key per list item."""

    reply: str | ReplySpec | None = Field(
        None, description="send this text key, or {text: key, personalise: true} for the LLM"
    )
    menu: str | None = Field(None, description="send this menu and wait for a choice")
    goto: str | None = Field(None, description="move to this stage (runs its on_enter)")
    start: str | StartSpec | None = Field(
        None, description="start (or restart) this timer, or {timer: name, at: named}"
    )
    cancel: str | list[str] | None = Field(None, description="cancel these timers")
    cancel_all: bool | None = Field(None, description="cancel every timer of the dialog")
    task: TaskSpec | None = Field(None, description="create a task for managers")
    handoff: TaskSpec | None = Field(None, description="create a task and let a manager lead")
    pause: bool | None = Field(None, description="the bot goes quiet: a manager leads, no task")
    resume: bool | None = Field(None, description="the bot takes the dialog back")
    task_status: Literal["taken", "done"] | None = Field(None, description="update open tasks")
    close: str | None = Field(None, description="close the dialog with this reason")
    flag: Literal["spammer", "do_not_write"] | None = Field(None, description="flag the customer")
    alert: AlertSpec | None = Field(None, description="alert managers or the supervisor")
    set: dict[str, str] | None = Field(None, description="set dialog variables ({var} allowed)")
    set_date: SetDate | None = Field(None, description="set a variable to a future date")
    unset: list[str] | None = Field(None, description="forget dialog variables")
    choose: list[Handler] | None = Field(
        None, description="run the first of these handlers whose condition holds"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_key(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [k for k in data if k in ACTION_KEYS]
            if len(data) != 1 or len(given) != 1:
                raise ValueError(
                    f"an action is a mapping with exactly one of: {', '.join(ACTION_KEYS)}; "
                    f"got {', '.join(map(str, data)) or 'nothing'}"
                )
        return data

    @property
    def reply_spec(self) -> ReplySpec | None:
        """The reply as a ReplySpec, whichever form the file used."""
        if isinstance(self.reply, str):
            return ReplySpec(text=self.reply)
        return self.reply

    @property
    def start_spec(self) -> StartSpec | None:
        """The start as a StartSpec, whichever form the file used."""
        if isinstance(self.start, str):
            return StartSpec(timer=self.start)
        return self.start

    @property
    def kind(self) -> str:
        """The action's key."""
        for key in ACTION_KEYS:
            if getattr(self, key) is not None:
                return key
        raise ValueError("empty action")


class Handler(_Strict):
    """When the condition holds, do the actions (and stop looking unless `continue`)."""

    when: Condition = Field(default_factory=Condition)
    do: list[Action] = Field(default_factory=list)
    continue_: bool = Field(False, alias="continue", description="keep looking for handlers")
    while_paused: bool = Field(False, description="also runs while a manager holds the dialog")


class TimerSpec(_Strict):
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


class MenuOption(_Strict):
    """A menu option: a button, its number, and words that pick it when typed."""

    id: str = Field(pattern=_NAME)
    label: str = Field(description="text key of the button label")
    intent: str = Field("other", description="the intent this choice stands for")
    words: dict[str, list[str]] = Field(
        default_factory=dict, description="per language: words that pick this option"
    )


class MenuSpec(_Strict):
    """A numbered menu sent with a text."""

    text: str = Field(description="text key of the message above the buttons")
    options: list[MenuOption] = Field(min_length=1, max_length=10)


class StageSpec(_Strict):
    """A stage of the dialog: what happens on entering it and how it reacts."""

    description: str = ""
    on_enter: list[Action] = Field(default_factory=list)
    on: list[Handler] = Field(default_factory=list)


class ManagerHandlers(_Strict):
    """Reactions to managers."""

    message: list[Handler] = Field(default_factory=list)
    take: list[Handler] = Field(default_factory=list)
    done: list[Handler] = Field(default_factory=list)
    return_to_bot: list[Handler] = Field(default_factory=list)


class FlowFile(_Strict):
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


Condition.model_rebuild()
Action.model_rebuild()
