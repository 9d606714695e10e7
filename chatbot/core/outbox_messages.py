"""What an outbox row says: one frozen type per row kind, each with its one stored JSON form.

`to_payload` writes a row's `payload` column, `message_from_row` reads it by the row's `kind`.
The JSON is the format of existing databases: keys, their order and values stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar

from chatbot.core.effects import Button, Personalise, TemplateCall
from chatbot.core.media import Media

MANAGERS = "managers"  # the outbox channel of task cards, alerts and relays
CRM = "crm"  # the outbox channel of outbound CRM webhooks

Template = TemplateCall | str  # a bare name: rows written before templates had parameters


@dataclass(frozen=True, slots=True)
class Composition:
    """How a `personalise` reply's final text was decided (recorded before its send)."""

    template_text: str  # the flow's text the rewrite replaced
    personalised: bool  # True: `text` is the LLM's rewrite
    fallback: str | None  # why the template's text was kept


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """A `message` row: a bot reply, a manager's message, or the record of a skipped reply.

    A bot reply has a `key` and a `template` entry (null or not); a manager's message has the
    `manager` and maybe `copy_of` (a photo or file to copy); a skipped reply's record has only
    its `key` (`text` None).
    """

    ROW_KIND: ClassVar[str] = "message"
    text: str | None = None
    key: str | None = None  # the flow's message key of a bot reply
    manager: str | None = None  # who wrote it; None: the bot
    buttons: tuple[Button, ...] = ()
    template: Template | None = None
    fallback_template: Template | None = None  # used when WhatsApp's 24 h window is closed
    personalise: Personalise | None = None  # the sender may have the LLM rewrite the text
    copy_of: str | None = None  # "chat id:message id" or a manager's file (see core.media)
    composed: Composition | None = None

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        p: dict[str, Any] = {}
        if self.text is not None:
            p["text"] = self.text
        if self.key is not None:
            p["key"] = self.key
        if self.manager is not None:
            p["manager"] = self.manager
        if self.text is not None:
            p["buttons"] = [{"id": b.id, "label": b.label} for b in self.buttons]
            if self.manager is None:
                p["template"] = _template_json(self.template)
        if self.fallback_template is not None:
            p["fallback_template"] = _template_json(self.fallback_template)
        if (rules := self.personalise) is not None:
            p["personalise"] = _flat(rules)
        if self.copy_of is not None:
            p["copy_of"] = self.copy_of
        if (done := self.composed) is not None:
            p |= _flat(done)
        return p

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CustomerMessage:
        """Read `to_payload`'s output (and older rows' shapes) back."""
        return cls(
            text=p.get("text"),
            key=p.get("key"),
            manager=p.get("manager"),
            buttons=tuple(Button(b["id"], b["label"]) for b in p.get("buttons") or ()),
            template=_template(p.get("template")),
            fallback_template=_template(p.get("fallback_template")),
            personalise=_personalise(p.get("personalise")),
            copy_of=p.get("copy_of"),
            composed=_composition(p),
        )


@dataclass(frozen=True, slots=True)
class CardPost:
    """A `task` row: post a new task's card to the managers (or the supervisor)."""

    ROW_KIND: ClassVar[str] = "task"
    task_id: int
    kind: str  # the task's kind (lead, question...)
    reason: str
    dialog_id: int
    channel: str  # the customer's channel and chat
    chat_id: str
    to: str = MANAGERS  # managers | supervisor

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return _flat(self)

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CardPost:
        """Read `to_payload`'s output back."""
        defaults: dict[str, Any] = {"kind": "", "reason": "", "dialog_id": 0, "channel": ""}
        defaults["chat_id"] = ""
        return cls(**(defaults | dict(p)))


@dataclass(frozen=True, slots=True)
class CardRefresh:
    """A `card` row: these tasks changed status, their cards show it."""

    ROW_KIND: ClassVar[str] = "card"
    task_ids: tuple[int, ...]
    dialog_id: int

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return {"task_ids": list(self.task_ids), "dialog_id": self.dialog_id}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CardRefresh:
        """Read `to_payload`'s output back."""
        return cls(tuple(p.get("task_ids") or ()), p.get("dialog_id", 0))


@dataclass(frozen=True, slots=True)
class ManagerAlert:
    """An `alert` row: remind managers of waiting cards (sla) or escalate (supervisor).

    Its row's `chat_id` holds the alert's kind too: reports count alerts by that column.
    """

    ROW_KIND: ClassVar[str] = "alert"
    kind: str  # sla | supervisor
    reason: str
    dialog_id: int

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return {"kind": self.kind, "reason": self.reason, "dialog_id": self.dialog_id}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> ManagerAlert:
        """Read `to_payload`'s output back."""
        return cls(p.get("kind", ""), p.get("reason", ""), p["dialog_id"])


@dataclass(frozen=True, slots=True)
class Relay:
    """A `relay` row: a customer's message in a dialog a manager holds, for the managers."""

    ROW_KIND: ClassVar[str] = "relay"
    dialog_id: int
    text: str

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return {"dialog_id": self.dialog_id, "text": self.text}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Relay:
        """Read `to_payload`'s output back."""
        return cls(p["dialog_id"], p.get("text") or "")


@dataclass(frozen=True, slots=True)
class MediaRelay:
    """A `media` row: a customer's photo, file, place or contact, for the managers."""

    ROW_KIND: ClassVar[str] = "media"
    dialog_id: int
    channel: str  # the customer's channel, where the file is
    media: Media

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return {"dialog_id": self.dialog_id, "channel": self.channel, "media": self.media.to_json()}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> MediaRelay:
        """Read `to_payload`'s output back."""
        return cls(p["dialog_id"], str(p.get("channel")), Media.from_json(p.get("media") or {}))


@dataclass(frozen=True, slots=True)
class CrmDialog:
    """The dialog a CRM notice is about."""

    id: int
    channel: str
    chat_id: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class CrmNotice:
    """A `crm` row: an event posted to the shop's CRM webhook (the payload is the body)."""

    ROW_KIND: ClassVar[str] = "crm"
    event: str  # dialog_closed | task_created | stage_changed
    occurred_at: datetime
    dialog: CrmDialog
    data: Mapping[str, Any]  # the event's own fields

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        at, dialog = self.occurred_at.isoformat(), _flat(self.dialog)
        return {"event": self.event, "occurred_at": at, "dialog": dialog, "data": dict(self.data)}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CrmNotice:
        """Read `to_payload`'s output back."""
        dialog, occurred = CrmDialog(**p["dialog"]), datetime.fromisoformat(p["occurred_at"])
        return cls(p["event"], occurred, dialog, dict(p.get("data") or {}))


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A row this version cannot read (an unknown kind, a broken payload): kept as stored."""

    kind: str
    payload: Mapping[str, Any]
    problem: str = ""

    def to_payload(self) -> dict[str, Any]:
        """The row's stored JSON."""
        return dict(self.payload)


ManagersMessage = CardPost | CardRefresh | ManagerAlert | Relay | MediaRelay
"""What a row of the managers' channel says."""
OutboxMessage = CustomerMessage | ManagersMessage | CrmNotice | UnknownMessage
"""What an outbox row says."""

_TYPES: dict[str, Any] = {
    t.ROW_KIND: t
    for t in (CustomerMessage, CardPost, CardRefresh, ManagerAlert, Relay, MediaRelay, CrmNotice)
}


def kind_of(message: OutboxMessage) -> str:
    """The `kind` column of the message's row."""
    return message.kind if isinstance(message, UnknownMessage) else message.ROW_KIND


def message_from_row(kind: str, payload: Mapping[str, Any]) -> OutboxMessage:
    """The typed message of a row; one this version cannot read becomes an UnknownMessage."""
    reader = _TYPES.get(kind)
    if reader is None:
        return UnknownMessage(kind, dict(payload), "unknown kind")
    try:
        message: OutboxMessage = reader.from_payload(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return UnknownMessage(kind, dict(payload), f"unreadable payload: {exc!r}")
    return message


def _template_json(call: Template | None) -> dict[str, Any] | str | None:
    if call is None or isinstance(call, str):
        return call
    return _flat(call) | {"body": list(call.body)}  # the key keeps its place


def _flat(value: Any) -> dict[str, Any]:
    """A dataclass's fields as JSON keys, in their order (the stored order)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def _personalise(value: object) -> Personalise | None:
    if not isinstance(value, Mapping):
        return None
    lang, most, recent = value.get("lang"), value.get("max_chars"), value.get("recent_messages")
    return Personalise(lang or "", int(most or 0), int(recent or 0))


def _composition(p: Mapping[str, Any]) -> Composition | None:
    if "personalised" not in p:
        return None
    return Composition(p.get("template_text") or "", bool(p["personalised"]), p.get("fallback"))


def _template(value: object) -> Template | None:
    if isinstance(value, Mapping):
        body, url = tuple(value.get("body") or ()), value.get("button_url")
        return TemplateCall(value["name"], value.get("language") or "", body, url)
    return value if isinstance(value, str) and value else None
