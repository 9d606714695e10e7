"""Chats in parallel, each chat in order: ordering, concurrency, a bound and failures."""

from __future__ import annotations

import asyncio

import pytest

from chatbot.concurrency.chats import each_chat_in_order

Item = tuple[str, int]  # (chat, number)


def _chat(item: Item) -> str:
    return item[0]


async def test_a_chats_items_come_in_their_order_and_results_in_chat_order() -> None:
    items = [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 2), ("a", 3)]
    seen: list[list[Item]] = []

    async def run(chain: list[Item]) -> str:
        seen.append(chain)
        await asyncio.sleep(0.01 * (3 - len(chain)))  # the shortest chat finishes last
        return chain[0][0]

    assert await each_chat_in_order(items, _chat, run) == ["a", "b", "c"]
    assert sorted(seen) == [
        [("a", 1), ("a", 2), ("a", 3)],
        [("b", 1), ("b", 2)],
        [("c", 1)],
    ]


async def test_different_chats_run_at_the_same_time() -> None:
    started = asyncio.Event()
    both = asyncio.Barrier(2)

    async def run(chain: list[Item]) -> None:
        started.set()
        await asyncio.wait_for(both.wait(), timeout=5)  # needs both chats at once

    await each_chat_in_order([("a", 1), ("b", 1)], _chat, run)
    assert started.is_set()


async def test_a_chats_items_never_overlap() -> None:
    running: set[str] = set()
    overlaps: list[str] = []

    async def run(chain: list[Item]) -> None:
        for chat, _ in chain:
            if chat in running:
                overlaps.append(chat)
            running.add(chat)
            await asyncio.sleep(0)
            running.discard(chat)

    await each_chat_in_order([("a", n) for n in range(5)] + [("b", 0)], _chat, run)
    assert overlaps == []


async def test_at_most_at_once_chats_run_together() -> None:
    now = 0
    most = 0

    async def run(chain: list[Item]) -> None:
        nonlocal now, most
        now += 1
        most = max(most, now)
        await asyncio.sleep(0.005)
        now -= 1

    await each_chat_in_order([(str(n), n) for n in range(10)], _chat, run, at_once=3)
    assert most == 3


async def test_a_failing_chat_lets_the_others_finish_then_its_error_is_raised() -> None:
    finished: list[Item] = []

    async def run(chain: list[Item]) -> None:
        for item in chain:
            if item == ("a", 1):
                raise RuntimeError("database is down")
            await asyncio.sleep(0.01)
            finished.append(item)

    items = [("a", 1), ("b", 1), ("a", 2), ("b", 2), ("c", 1)]
    with pytest.raises(RuntimeError, match="database is down"):
        await each_chat_in_order(items, _chat, run)
    # The other chats ran to their end; the failing chat decides about its own later items.
    assert sorted(finished) == [("b", 1), ("b", 2), ("c", 1)]


async def test_a_chat_that_keeps_going_past_a_failed_item_loses_no_later_item() -> None:
    handled: list[Item] = []

    async def run(chain: list[Item]) -> bool:
        ok = True
        for item in chain:
            try:
                if item == ("a", 1):
                    raise RuntimeError("poison")
                handled.append(item)
            except RuntimeError:
                ok = False
        return ok

    items = [("a", 1), ("a", 2), ("b", 1)]
    assert await each_chat_in_order(items, _chat, run) == [False, True]
    assert handled == [("a", 2), ("b", 1)]


async def test_nothing_to_run_gives_no_results() -> None:
    async def run(chain: list[Item]) -> int:
        return len(chain)

    assert await each_chat_in_order([], _chat, run) == []
