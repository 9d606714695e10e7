"""Prometheus metrics of one running bot, fed from pipeline outcomes, the outbox and the LLM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from chatbot.llm.stats import LATENCY_BUCKETS
from chatbot.service.pipeline import Outcome

if TYPE_CHECKING:
    from chatbot.llm.classifier import LlmClassifier
    from chatbot.service.personaliser import Personaliser

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Counters of messages, intents, tasks, SLA alerts, outbox backlog, errors and the LLM."""

    def __init__(
        self, llm: LlmClassifier | None = None, personaliser: Personaliser | None = None
    ) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "chatbot_messages_in", "customer messages", ["channel"], registry=r
        )
        self.messages_out = Counter(
            "chatbot_messages_out", "messages planned to customers", ["kind"], registry=r
        )
        self.skipped = Counter(
            "chatbot_replies_skipped",
            "replies not sent to customers (see the skipped trace and the "
            "outbox's skipped rows), by text key",
            ["key"],
            registry=r,
        )
        self.duplicates = Counter("chatbot_duplicates", "redelivered events ignored", registry=r)
        self.intents = Counter(
            "chatbot_intents", "classified messages", ["intent", "source"], registry=r
        )
        self.tasks = Counter("chatbot_tasks", "tasks created for managers", ["kind"], registry=r)
        self.alerts = Counter("chatbot_sla_alerts", "SLA alerts", ["kind"], registry=r)
        self.closed = Counter("chatbot_dialogs_closed", "dialogs closed", ["reason"], registry=r)
        self.errors = Counter("chatbot_errors", "failures by place", ["where"], registry=r)
        self.outbox_backlog = Gauge(
            "chatbot_outbox_backlog", "outbox rows not yet delivered", registry=r
        )
        if llm is not None:
            r.register(LlmCollector(llm))
        if personaliser is not None:
            r.register(PersonalisedCollector(personaliser))

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
            elif entry.type == "skipped":
                self.skipped.labels(f["text"]).inc()

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


BREAKER_STATES = ("closed", "open", "half_open")


class PersonalisedCollector(Collector):
    """Replies marked `personalise`, by outcome: rewritten, or the template and why."""

    def __init__(self, personaliser: Personaliser) -> None:
        self._personaliser = personaliser

    def collect(self) -> Iterator[Metric]:
        """One counter per outcome seen ("personalised", "llm_timeout", "new_price"...)."""
        family = CounterMetricFamily(
            "chatbot_personalised_replies",
            "replies marked personalise, by outcome",
            labels=["outcome"],
        )
        for outcome, count in sorted(self._personaliser.outcomes.items()):
            family.add_metric([outcome], count)
        yield family


class LlmCollector(Collector):
    """The LLM client's counters, read at scrape time so they never drift from its stats."""

    def __init__(self, llm: LlmClassifier) -> None:
        self._llm = llm

    def collect(self) -> Iterator[Metric]:
        """Calls by outcome, tokens, the latency histogram and the breaker's state."""
        s = self._llm.stats
        calls = CounterMetricFamily(
            "chatbot_llm_calls", "LLM classifications by outcome", labels=["outcome"]
        )
        for outcome, count in s.outcomes().items():
            calls.add_metric([outcome], count)
        yield calls
        tokens = CounterMetricFamily("chatbot_llm_tokens", "LLM tokens used", labels=["kind"])
        tokens.add_metric(["prompt"], s.prompt_tokens)
        tokens.add_metric(["completion"], s.completion_tokens)
        yield tokens
        cumulative, buckets = 0, []
        for bound, count in zip((*LATENCY_BUCKETS, "+Inf"), s.latency_counts, strict=True):
            cumulative += count
            buckets.append((str(bound), float(cumulative)))
        yield HistogramMetricFamily(
            "chatbot_llm_latency_seconds",
            "duration of LLM calls sent to the server, retries included",
            buckets=buckets,
            sum_value=s.latency_sum,
        )
        state = self._llm.breaker.state
        breaker = GaugeMetricFamily(
            "chatbot_llm_breaker_state",
            "1 for the LLM circuit breaker's current state",
            labels=["state"],
        )
        for name in BREAKER_STATES:
            breaker.add_metric([name], 1.0 if name == state else 0.0)
        yield breaker
