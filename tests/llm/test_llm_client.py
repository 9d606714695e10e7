"""The LLM client with the real openai SDK against a local OpenAI-compatible server."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.core.intents import INTENTS
from chatbot.llm.classifier import LlmClassifier
from chatbot.ports.llm import LlmResult
from tests.llm import fake_openai as f
from tests.llm.conftest import COOLDOWN, DEADLINE, MakeClassifier
from tests.llm.fake_openai import FakeOpenAI

KNOWN = frozenset(INTENTS)
MARGIN = 0.4  # seconds the event loop and the client may add to the deadline


async def ask(
    llm: LlmClassifier, text: str = "спасибо, всё получили", *, stage: str = "new", last: str = ""
) -> LlmResult | None:
    return await llm.classify(
        text, stage=stage, last_bot_message=last, lang="ru", known_intents=KNOWN
    )


async def test_a_valid_answer_gives_the_intent_its_tokens_and_the_mode(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    result = await ask(llm)
    assert result is not None
    assert (result.intent, result.mode, result.cached) == ("thanks", "json_schema", False)
    assert (result.prompt_tokens, result.completion_tokens) == (120, 7)
    assert 0 < result.latency_s < DEADLINE
    [body] = fake.requests
    assert body["model"] == "fake-model"
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["properties"]["intent"]["enum"] == list(INTENTS)
    assert fake.headers[0]["Authorization"] == "Bearer test-key"


async def test_the_prompt_carries_context_and_the_text_verbatim(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    await ask(llm, "да {text} }{", stage="offer", last="Оформляем заказ?")
    prompt = f.user_text(fake.requests[0])
    assert "да {text} }{" in prompt
    assert 'stage "offer"' in prompt
    assert "Оформляем заказ?" in prompt
    assert "«Шарики»" in prompt
    assert "<!--" not in prompt  # admin notes are not sent
    assert fake.requests[0]["messages"][0]["role"] == "system"


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        (f.FENCED, "ask_delivery"),
        (f.BARE_LABEL, "thanks"),
        (f.INVALID_JSON, None),
        (f.UNKNOWN_LABEL, None),
        (f.REFUSAL, None),
        (f.REFUSAL_FIELD, None),
        (f.TRUNCATED, None),
    ],
    ids=[
        "fenced",
        "bare_label",
        "invalid_json",
        "unknown_label",
        "refusal",
        "refusal_field",
        "truncated",
    ],
)
async def test_answers_in_text_mode(
    make_classifier: MakeClassifier, fake: FakeOpenAI, reply: f.Reply, intent: str | None
) -> None:
    llm = await make_classifier(mode="text")
    fake.default = reply
    result = await ask(llm)
    assert (result.intent if result else None) == intent
    assert "response_format" not in fake.requests[0]


@pytest.mark.parametrize("reply", [f.INVALID_JSON, f.UNKNOWN_LABEL, f.TRUNCATED, f.REFUSAL])
async def test_garbage_is_asked_again_once_and_does_not_trip_the_breaker(
    make_classifier: MakeClassifier, fake: FakeOpenAI, reply: f.Reply
) -> None:
    llm = await make_classifier(mode="json_object", threshold=1)
    fake.default = reply
    assert await ask(llm) is None
    assert len(fake.requests) == 2
    assert llm.stats.invalid == 1
    assert llm.breaker.state == "closed"


async def test_garbage_then_a_valid_answer(llm: LlmClassifier, fake: FakeOpenAI) -> None:
    fake.then(f.UNKNOWN_LABEL)
    result = await ask(llm)
    assert result is not None
    assert result.intent == "thanks"
    assert result.prompt_tokens == 240  # both requests are paid for


async def test_an_explicit_refusal_is_not_asked_again(llm: LlmClassifier, fake: FakeOpenAI) -> None:
    fake.default = f.REFUSAL_FIELD
    assert await ask(llm) is None
    assert len(fake.requests) == 1


@pytest.mark.parametrize("reply", [f.RATE_LIMITED, f.SERVER_ERROR])
async def test_transient_errors_are_retried(
    llm: LlmClassifier, fake: FakeOpenAI, reply: f.Reply
) -> None:
    fake.then(reply)
    result = await ask(llm)
    assert result is not None
    assert result.intent == "thanks"
    assert len(fake.requests) == 2


async def test_persistent_server_errors_give_up_within_the_deadline(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    fake.default = f.SERVER_ERROR
    started = time.monotonic()
    assert await ask(llm) is None
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert 2 <= len(fake.requests) <= 3
    assert llm.stats.failures == 1


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    fake.default = f.RATE_LIMITED_LONG
    started = time.monotonic()
    assert await ask(llm) is None
    assert time.monotonic() - started < 0.3
    assert len(fake.requests) == 1


async def test_client_errors_other_than_429_are_not_retried(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    fake.default = f.UNAUTHORIZED
    assert await ask(llm) is None
    assert len(fake.requests) == 1
    assert llm.stats.failures == 1


async def test_a_hanging_server_costs_no_more_than_the_deadline(
    make_classifier: MakeClassifier, fake: FakeOpenAI
) -> None:
    llm = await make_classifier(request_timeout=30.0)  # only the total deadline stops it
    fake.default = f.HANG
    started = time.monotonic()
    assert await ask(llm) is None
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert llm.stats.failures == 1


async def test_a_request_timeout_below_the_deadline_leaves_room_for_a_retry(
    make_classifier: MakeClassifier, fake: FakeOpenAI
) -> None:
    llm = await make_classifier(request_timeout=0.2)
    fake.then(f.HANG)
    started = time.monotonic()
    result = await ask(llm)
    assert result is not None
    assert result.intent == "thanks"
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert len(fake.requests) == 2


async def test_an_unreachable_server_fails_fast(make_classifier: MakeClassifier) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    llm = await make_classifier(base_url=f"http://127.0.0.1:{port}/v1")
    started = time.monotonic()
    assert await ask(llm) is None
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert llm.stats.failures == 1


@pytest.mark.parametrize("status", [400, 422, 500])
async def test_json_schema_rejected_falls_back_to_json_object_and_is_remembered(
    llm: LlmClassifier, fake: FakeOpenAI, status: int
) -> None:
    fake.supports = {"json_object"}
    fake.reject_status = status
    first = await ask(llm)
    assert first is not None
    assert (first.intent, first.mode) == ("thanks", "json_object")
    assert fake.formats() == ["json_schema", "json_object"]
    system = fake.requests[1]["messages"][0]["content"]
    assert "JSON Schema" in system
    assert '"price_objection"' in system
    await ask(llm, "благодарю")
    assert fake.formats() == ["json_schema", "json_object", "json_object"]


async def test_no_structured_output_at_all_falls_back_to_text(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    fake.supports = set()
    first = await ask(llm)
    assert first is not None
    assert first.mode == "text"
    await ask(llm, "благодарю")
    assert fake.formats() == ["json_schema", "json_object", "text", "text"]


async def test_a_server_that_ignores_the_format_moves_down_one_mode(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    fake.default = f.BARE_LABEL
    result = await ask(llm)
    assert result is not None
    assert result.intent == "thanks"  # the label is still usable
    assert llm.mode == "json_object"
    await ask(llm, "благодарю")
    assert llm.mode == "text"
    assert fake.formats() == ["json_schema", "json_object"]


async def test_a_confirmed_mode_is_kept_when_one_answer_is_prose(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    await ask(llm)
    fake.then(f.REFUSAL, f.REFUSAL)
    assert await ask(llm, "благодарю") is None
    assert llm.mode == "json_schema"


async def test_a_forced_mode_is_used_from_the_first_request(
    make_classifier: MakeClassifier, fake: FakeOpenAI
) -> None:
    llm = await make_classifier(mode="json_object")
    await ask(llm)
    assert fake.formats() == ["json_object"]


async def test_a_forced_mode_the_server_rejects_is_a_failure_not_a_loop(
    make_classifier: MakeClassifier, fake: FakeOpenAI
) -> None:
    llm = await make_classifier(mode="json_schema")
    fake.supports = {"json_object"}
    assert await ask(llm) is None
    assert fake.formats() == ["json_schema"]
    assert llm.stats.failures == 1


async def test_the_cache_answers_a_repeated_message_in_the_same_context(
    llm: LlmClassifier, fake: FakeOpenAI
) -> None:
    first = await ask(llm, "Спасибо!", stage="new")
    again = await ask(llm, "  спасибо!  ", stage="new")
    assert first is not None
    assert again is not None
    assert again.cached
    assert again.intent == first.intent
    assert (again.prompt_tokens, again.completion_tokens) == (0, 0)
    assert len(fake.requests) == 1
    assert llm.stats.cache_hits == 1
    await ask(llm, "Спасибо!", stage="offer")  # another context asks again
    await ask(llm, "Спасибо!", stage="new", last="Ваш заказ отправлен")
    assert len(fake.requests) == 3


async def test_the_cache_is_bounded_and_keeps_no_failures(
    make_classifier: MakeClassifier, fake: FakeOpenAI
) -> None:
    llm = await make_classifier(cache_size=2)
    fake.then(f.UNAUTHORIZED)
    assert await ask(llm, "раз") is None
    for text in ("раз", "два", "три", "раз"):
        await ask(llm, text)
    # "раз" failed first (not cached), then was answered, then evicted by "два" and "три"
    assert [f.customer_text(r) for r in fake.requests] == ["раз", "раз", "два", "три", "раз"]


async def test_the_breaker_opens_skips_and_probes_again(
    llm: LlmClassifier, fake: FakeOpenAI, clock: VirtualClock
) -> None:
    fake.default = f.UNAUTHORIZED  # fails without retries, so every call is one request
    for n in range(3):
        assert await ask(llm, f"вопрос {n}") is None
    assert llm.breaker.state == "open"
    assert await ask(llm, "ещё вопрос") is None
    assert len(fake.requests) == 3
    assert llm.stats.skipped == 1
    clock.advance(COOLDOWN)
    fake.default = f.VALID
    result = await ask(llm, "ещё вопрос")
    assert result is not None
    assert len(fake.requests) == 4
    assert llm.breaker.state == "closed"


async def test_a_failed_probe_opens_the_breaker_again(
    llm: LlmClassifier, fake: FakeOpenAI, clock: VirtualClock
) -> None:
    fake.default = f.UNAUTHORIZED
    for n in range(3):
        await ask(llm, f"вопрос {n}")
    clock.advance(COOLDOWN)
    assert await ask(llm, "проба") is None
    assert llm.breaker.state == "open"
    assert await ask(llm, "после пробы") is None
    assert len(fake.requests) == 4


async def test_stats_count_calls_tokens_and_latency(llm: LlmClassifier, fake: FakeOpenAI) -> None:
    await ask(llm, "раз")
    await ask(llm, "два")
    fake.default = f.UNAUTHORIZED
    await ask(llm, "три")
    s = llm.stats
    assert (s.calls, s.failures, s.prompt_tokens, s.completion_tokens) == (3, 1, 240, 14)
    assert len(s.latencies) == 3
    assert 0 < s.percentile(0.5) <= s.percentile(0.95) < DEADLINE


async def test_built_from_settings(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLM_API_KEY", raising=False)
    (tmp_path / "classify.md").write_text("Intents: {intents}. Text: {text}", encoding="utf-8")
    off = Settings(_env_file=None, LLM_MODEL=None)
    assert LlmClassifier.from_settings(off) is None
    on = Settings(
        _env_file=None,
        LLM_MODEL="local",
        LLM_BASE_URL=fake.base_url,
        PROMPTS_DIR=str(tmp_path),
        LLM_DEADLINE_SECONDS=1.0,
    )
    llm = LlmClassifier.from_settings(on)
    assert llm is not None
    try:
        result = await ask(llm)
    finally:
        await llm.aclose()
    assert result is not None
    assert result.intent == "thanks"
    assert fake.headers[0]["Authorization"] == "Bearer not-needed"
    assert f.user_text(fake.requests[0]).startswith("Intents: greeting, thinking,")
