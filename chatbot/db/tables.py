"""The database tables (SQLAlchemy 2 declarative); rows never leave chatbot.db."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chatbot.db.types import UtcDateTime

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class Base(DeclarativeBase):
    """Base of every table."""


class CustomerRow(Base):
    """A person; one customer may have dialogs in several channels (matched by phone)."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DialogRow(Base):
    """One chat of a customer in one channel, with the engine's state."""

    __tablename__ = "dialogs"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", name="uq_dialog_chat"),
        Index("ix_dialogs_created_at", "created_at"),  # the report's period
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(64), default="new")
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    close_reason: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the state's, for queries
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(8), default="ru")
    state: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MessageRow(Base):
    """A message in or out; inbound external ids are unique per channel (dedupe)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_message_external"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    author: Mapped[str] = mapped_column(String(64), default="customer")
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TimerRow(Base):
    """A pending timer; the scheduler claims due rows, the pipeline deletes fired ones."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("dialog_id", "name", name="uq_timer_name"),
        Index("ix_timers_due", "due_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"))
    name: Mapped[str] = mapped_column(String(64))
    token: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    keep_after_close: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TaskRow(Base):
    """A task for managers."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|taken|done|cancelled
    manager: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Where the task's card goes (managers | supervisor) and where it was posted, once it was.
    post_to: Mapped[str] = mapped_column(String(16), default="managers", server_default="managers")
    card_chat_id: Mapped[str | None] = mapped_column(String(32))
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)


class ManagerPostRow(Base):
    """A bot message in a managers' chat tied to a dialog: a reply to it reaches the customer."""

    __tablename__ = "manager_posts"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_manager_post"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[int] = mapped_column(BigInteger)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # card | sla | supervisor | relay | alert
    buttons: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """Something to deliver (a reply, a manager's text, a task card, an alert)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # message | task | alert | card | relay
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|sent|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the first failed send: retries are bounded in time from it (None: it never failed)
    first_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CrmEventRow(Base):
    """A CRM or shop event; its external id makes a repeated delivery apply once."""

    __tablename__ = "crm_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ManagerResponseRow(Base):
    """How long a manager took to answer, in working seconds, and whether it broke the SLA."""

    __tablename__ = "manager_responses"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"), index=True)
    manager: Mapped[str] = mapped_column(String(64))
    seconds: Mapped[float] = mapped_column(Float)
    breach: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DialogFactRow(Base):
    """Something the report counts that the state forgets: a close, a nudge, a rating, ...

    kind: closed (name = reason), stage (name = the new stage), nudge | reminder (name = the
    timer whose message went out), rating (value = the score), manager_message (manager),
    template (name = the WhatsApp template), wait_breach (a customer waited too long for the
    manager holding the dialog), llm_fallback (the LLM was asked and gave no intent).
    """

    __tablename__ = "dialog_facts"
    __table_args__ = (
        Index("ix_dialog_facts_dialog", "dialog_id", "kind", "created_at"),
        Index("ix_dialog_facts_kind", "kind", "created_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id"))
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(64), default="")
    manager: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportDigestRow(Base):
    """A weekly digest sent (or being sent): the unique week makes it once for all instances."""

    __tablename__ = "report_digests"
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week, "2026-W10"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
