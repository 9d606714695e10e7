"""Rendering the classification prompt and the cache key."""

from __future__ import annotations

from chatbot.core.intents import INTENTS
from chatbot.intents.prompting import MAX_TEXT_CHARS, PromptContext, context_key, render_prompt
from tests.conftest import ROOT

SHIPPED = (ROOT / "prompts" / "classify.md").read_text(encoding="utf-8")


def _context(text: str, **kw: str) -> PromptContext:
    return PromptContext(text=text, intents=("thanks", "agree"), **kw)


def test_slots_are_filled_and_double_braces_unescaped() -> None:
    template = (
        "<!-- notes {about} slots -->\nShop {shop}; {intents}; {stage}; {lang}\n"
        'Bot: {last_bot_message}\n{text}\nAnswer {{"intent": "..."}}'
    )
    out = render_prompt(
        template,
        _context("да", shop="Шарики", stage="offer", lang="ru", last_bot_message="Оформляем?"),
    )
    assert (
        out
        == 'Shop Шарики; thanks, agree; offer; ru\nBot: Оформляем?\nда\nAnswer {"intent": "..."}\n'
    )


def test_customer_text_is_inserted_verbatim_never_as_a_template() -> None:
    for text in ("{", "}", "{text}", "{0}", "{shop!r:>10}", "{{x}}", "%(text)s", "<!-- x -->"):
        out = render_prompt("<<{text}>>", _context(text))
        assert out == f"<<{text}>>\n"


def test_a_bot_message_with_braces_is_inserted_verbatim() -> None:
    out = render_prompt("{last_bot_message}|{text}", _context("1", last_bot_message="{menu}"))
    assert out == "{menu}|1\n"


def test_an_unknown_slot_is_left_as_written() -> None:
    assert render_prompt("{text} {nope}", _context("hi")) == "hi {nope}\n"


def test_a_very_long_message_is_clipped() -> None:
    out = render_prompt("{text}", _context("а" * (MAX_TEXT_CHARS + 500)))
    assert len(out) == MAX_TEXT_CHARS + 2


def test_the_shipped_prompt_renders_with_every_intent() -> None:
    context = PromptContext(
        text="Спасибо, а когда доставка?",
        intents=INTENTS,
        stage="new",
        last_bot_message="Здравствуйте!",
        lang="ru",
        shop="Шарики",
    )
    out = render_prompt(SHIPPED, context)
    assert "Спасибо, а когда доставка?" in out
    assert ", ".join(INTENTS) in out
    assert "{" not in out.replace('{"intent"', "")
    assert "<!--" not in out


def test_the_cache_key_ignores_case_and_spacing_but_not_context() -> None:
    key = context_key("Спасибо!", "new", "Ваш заказ отправлен")
    assert context_key("  спасибо! ", "new", "ваш  заказ отправлен") == key
    assert context_key("Спасибо!", "offer", "Ваш заказ отправлен") != key
    assert context_key("Спасибо!", "new", "Оформляем?") != key
    assert context_key("Спасибо?", "new", "Ваш заказ отправлен") != key
    assert context_key("Спасибо!", "new", "Ваш заказ отправлен", ("en",)) != key


def test_cache_key_parts_do_not_run_into_each_other() -> None:
    assert context_key("ab", "c", "") != context_key("a", "bc", "")
