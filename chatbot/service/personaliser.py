"""Replies the flows let the LLM personalise: rewritten right before sending, else the template.

The engine only marks such a reply (`personalise` in its outbox payload). Right before the
outbox sends it, the writer gets the dialog's recent messages, outside any transaction and
under the LLM deadline, and the pure guard decides. The decision is written to the row before
the send, so a retried send repeats the same text and never asks the model again.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import replace

from chatbot.core.effects import Personalise
from chatbot.core.nudge import NudgeContext
from chatbot.core.outbox_messages import Composition, CustomerMessage
from chatbot.db import history
from chatbot.db.database import Database
from chatbot.db.outbox_rows import set_composed
from chatbot.engine.text_guard import Verdict, fallback, judge
from chatbot.ports.llm import TextLlm
from chatbot.ports.outbound import OutgoingMessage

log = logging.getLogger(__name__)
PER_ROUND = 4  # rewrites per outbox round: a morning burst of nudges must not hold up replies
FALLBACKS = {
    "unavailable": "llm_unavailable",
    "timeout": "llm_timeout",
    "error": "llm_error",
    "garbage": "llm_garbage",
    "refused": "llm_refused",
    "cut_off": "too_long",
}


class Personaliser:
    """The outbox's composer: the final text of every reply marked `personalise`."""

    def __init__(
        self, db: Database, writer: TextLlm | None, *, shop: str = "", per_round: int = PER_ROUND
    ) -> None:
        self.db = db
        self.writer = writer
        self.shop = shop
        self.per_round = per_round
        # Decided replies by outcome ("personalised" or the fallback's reason), for /metrics.
        self.outcomes: collections.Counter[str] = collections.Counter()

    def wants(self, message: OutgoingMessage) -> bool:
        """True for a marked reply whose text is not decided yet."""
        body = message.body
        return (
            isinstance(body, CustomerMessage)
            and body.personalise is not None
            and body.composed is None
        )

    async def compose(
        self, row_id: int, dialog_id: int, message: OutgoingMessage
    ) -> OutgoingMessage:
        """The message with its final text, the decision recorded on its outbox row."""
        body = message.body
        if not self.wants(message) or not isinstance(body, CustomerMessage) or not body.personalise:
            return message
        template = body.text or ""
        verdict = await self._decide(dialog_id, template, body.personalise)
        done = Composition(template, verdict.personalised, verdict.reason)
        composed = replace(body, text=verdict.text, composed=done)
        await self.db.write(set_composed, row_id, composed)
        outcome = "personalised" if verdict.personalised else str(verdict.reason)
        self.outcomes[outcome] += 1
        log.info("outbox.personalise", extra={"row": row_id, "outcome": outcome})
        return replace(message, body=composed)

    async def _decide(self, dialog_id: int, template: str, request: Personalise) -> Verdict:
        if self.writer is None:
            return fallback(template, "llm_off")
        lang, max_chars = request.lang, request.max_chars
        async with self.db.snapshot() as session:
            dialog = await history.recent_messages(session, dialog_id, request.recent_messages)
        context = NudgeContext(template, tuple(dialog), lang, self.shop, max_chars)
        written = await self.writer.write(context)
        if written.text is None:
            return fallback(template, FALLBACKS.get(written.failure or "error", "llm_error"))
        return judge(written.text, template, dialog, lang=lang, max_chars=max_chars)
