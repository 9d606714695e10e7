"""What a customer's message means: its language, then menus and rules, then the LLM if unsure."""

from __future__ import annotations

import re

from chatbot.admin_files.snapshot import AdminFiles
from chatbot.core.intents import Classification
from chatbot.core.state import DialogState, evolve
from chatbot.engine.decision import decide
from chatbot.intents.normalize import without_links
from chatbot.intents.policy import combine, needs_llm
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.ports.llm import IntentLlm

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


class MessageClassifier:
    """The one place a message is classified: rules (and menus) first, the LLM when unsure."""

    def __init__(self, llm: IntentLlm | None = None) -> None:
        self.llm = llm

    def asked_llm(self, decision: Classification | None) -> bool:
        """Whether the LLM was asked about this decision of the rules."""
        return self.llm is not None and decision is not None and needs_llm(decision)

    async def classify(
        self, state: DialogState, inbound: Inbound, files: AdminFiles
    ) -> Classification | None:
        """The message's intent (None for an event that is not a customer's text)."""
        flows = files.flows
        payload = inbound.payload
        if not isinstance(payload, IncomingText):
            return None
        state = reading_state(state, inbound)
        decision = decide(payload.text, payload.button, state, flows, files.rules)
        if self.llm is None or not needs_llm(decision):
            return decision
        last_bot = flows.text(state.last_bot_key, state.lang) if state.last_bot_key else ""
        answer = await self.llm.classify(
            payload.text,
            stage=state.stage,
            last_bot_message=last_bot,
            lang=state.lang,
            known_intents=files.intents,
        )
        return combine(decision, answer.intent if answer is not None else None)


def reading_state(state: DialogState, inbound: Inbound) -> DialogState:
    """The state a message is read in: a first message also sets the dialog's language."""
    payload = inbound.payload
    if (
        isinstance(payload, IncomingText)
        and state.inbound_count == 0
        and inbound.customer.lang is None
    ):
        return evolve(state, lang=_guess_lang(payload.text, state.lang))
    return state


def _guess_lang(text: str, default: str) -> str:
    """English when the first message has Latin words and no Cyrillic at all (links aside)."""
    text = without_links(text)
    if not _CYRILLIC.search(text) and len(_LATIN_WORD.findall(text)) >= 2:
        return "en"
    return default
