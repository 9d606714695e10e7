"""The nudge prompt (prompts/nudge.md) filled in for one reply the LLM may personalise."""

from __future__ import annotations

from chatbot.core.nudge import NudgeContext
from chatbot.intents.prompting import fill_slots


def render_nudge_prompt(template: str, context: NudgeContext) -> str:
    """The prompt text sent to the model, slots filled verbatim."""
    return fill_slots(template, context.slots())
