"""Replies the flows let the LLM personalise: rewritten right before sending, else the template.

The engine only marks such a reply (`personalise` in its outbox payload). Right before the
outbox sends it, the writer gets the dialog's recent messages, outside any transaction and
under the LLM deadline, and the pure guard decides. The decision is written to the row before
the send, so a retried send repeats the same text and never asks the model again.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import update

from chatbot.db import history
from chatbot.db.database import Database
from chatbot.db.tables import OutboxRow
from chatbot.engine.nudge_prompt import NudgeContext
from chatbot.engine.text_guard import Verdict, fallback, judge
from chatbot.ports.llm import TextLlm
from chatbot.service.outbox import OutgoingMessage

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
        payload = message.payload
        return (
            message.kind == "message"
            and isinstance(payload.get("personalise"), Mapping)
            and "personalised" not in payload
        )

    async def compose(
        self, row_id: int, dialog_id: int, message: OutgoingMessage
    ) -> OutgoingMessage:
        """The message with its final text, the decision recorded on its outbox row."""
        if not self.wants(message):
            return message
        template = str(message.payload.get("text") or "")
        verdict = await self._decide(dialog_id, template, message.payload["personalise"])
        payload = {
            **message.payload,
            "text": verdict.text,
            "template_text": template,
            "personalised": verdict.personalised,
            "fallback": verdict.reason,
        }
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.status == "pending")
                .values(payload=payload)
            )
        outcome = "personalised" if verdict.personalised else str(verdict.reason)
        self.outcomes[outcome] += 1
        log.info("outbox.personalise", extra={"row": row_id, "outcome": outcome})
        return replace(message, payload=payload)

    async def _decide(self, dialog_id: int, template: str, request: Mapping[str, Any]) -> Verdict:
        if self.writer is None:
            return fallback(template, "llm_off")
        lang = str(request.get("lang") or "")
        max_chars = int(request.get("max_chars") or 0)
        async with self.db.snapshot() as session:
            dialog = await history.recent_messages(
                session, dialog_id, int(request.get("recent_messages") or 0)
            )
        context = NudgeContext(template, tuple(dialog), lang, self.shop, max_chars)
        written = await self.writer.write(context)
        if written.text is None:
            return fallback(template, FALLBACKS.get(written.failure or "error", "llm_error"))
        return judge(written.text, template, dialog, lang=lang, max_chars=max_chars)
