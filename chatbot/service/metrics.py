"""Prometheus metrics of one running bot, fed from pipeline outcomes and the outbox."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from chatbot.service.pipeline import Outcome

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Counters of messages, intents, tasks, SLA alerts, outbox backlog and errors."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter("chatbot_messages_in", "customer messages", ["channel"],
                                   registry=r)  # fmt: skip
        self.messages_out = Counter("chatbot_messages_out", "messages planned to customers",
                                    ["kind"], registry=r)  # fmt: skip
        self.duplicates = Counter("chatbot_duplicates", "redelivered events ignored", registry=r)
        self.intents = Counter("chatbot_intents", "classified messages", ["intent", "source"],
                               registry=r)  # fmt: skip
        self.tasks = Counter("chatbot_tasks", "tasks created for managers", ["kind"], registry=r)
        self.alerts = Counter("chatbot_sla_alerts", "SLA alerts", ["kind"], registry=r)
        self.closed = Counter("chatbot_dialogs_closed", "dialogs closed", ["reason"], registry=r)
        self.errors = Counter("chatbot_errors", "failures by place", ["where"], registry=r)
        self.outbox_backlog = Gauge("chatbot_outbox_backlog", "outbox rows not yet delivered",
                                    registry=r)  # fmt: skip

    def observe(self, outcome: Outcome, channel: str) -> None:
        """Count what one event did."""
        if outcome.duplicate:
            self.duplicates.inc()
        for entry in outcome.trace:
            f = entry.fields
            if entry.type == "inbound":
                self.messages_in.labels(channel).inc()
            elif entry.type == "intent":
                self.intents.labels(f["intent"], f["source"]).inc()
            elif entry.type in ("reply", "manager"):
                self.messages_out.labels(entry.type).inc()
            elif entry.type == "task":
                self.tasks.labels(f["kind"]).inc()
            elif entry.type == "alert":
                self.alerts.labels(f["kind"]).inc()
            elif entry.type == "closed":
                self.closed.labels(f["reason"]).inc()

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
