"""The classification prompt filled in for one message, and the cache key of that message."""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chatbot.intents.normalize import normalize

MAX_TEXT_CHARS = 2000  # longer messages are cut: the intent shows early and tokens cost money
_FORMATTER = string.Formatter()
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PromptContext:
    """What the prompt's slots are filled with for one customer message."""

    text: str
    intents: tuple[str, ...]
    stage: str = "new"
    last_bot_message: str = ""
    lang: str = "ru"
    shop: str = ""

    def slots(self) -> dict[str, str]:
        """The value of every slot of classify.md."""
        return {
            "shop": self.shop,
            "intents": ", ".join(self.intents),
            "stage": self.stage,
            "last_bot_message": _clip(self.last_bot_message),
            "lang": self.lang,
            "text": _clip(self.text),
        }


def prompt_body(text: str) -> str:
    """The text sent to the model: the file without its `<!-- notes for admins -->`."""
    return _COMMENT.sub("", text).strip() + "\n"


def render_prompt(template: str, context: PromptContext) -> str:
    """The prompt text: admin notes dropped, `{{`/`}}` unescaped, slots filled verbatim.

    Values are pasted in as they are and never parsed again, so braces or `{text}` inside a
    customer message stay plain text. An unknown slot is left as written (validation reports it).
    """
    return fill_slots(template, context.slots())


def fill_slots(template: str, values: Mapping[str, str]) -> str:
    """Any prompt's text: admin notes dropped, `{{`/`}}` unescaped, slots filled verbatim."""
    parts: list[str] = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(prompt_body(template)):
        parts.append(literal)
        if field is not None:
            parts.append(values.get(field, "{" + field + "}"))
    return "".join(parts)


def context_key(text: str, stage: str, last_bot_message: str, extra: Iterable[str] = ()) -> str:
    """A cache key: equal for messages that read the same in the same context."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (normalize(text), stage, normalize(last_bot_message), *extra):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")  # a separator no normalised text contains keeps parts apart
    return digest.hexdigest()


def _clip(value: str) -> str:
    return value if len(value) <= MAX_TEXT_CHARS else value[:MAX_TEXT_CHARS] + "…"
