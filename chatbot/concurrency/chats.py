"""Chats in parallel, each chat in order: the loop behind inbound batches and outbox rounds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


async def each_chat_in_order(
    items: Iterable[Item],
    chat_of: Callable[[Item], Hashable],
    run_chat: Callable[[list[Item]], Awaitable[Result]],
    at_once: int | None = None,
) -> list[Result]:
    """Run `run_chat` on every chat's items (in their order), chats concurrently.

    Chats come in the order they first appear and their results in the same order; at most
    `at_once` chats run together when it is set. A chat that raises does not stop the others:
    every chat runs to its end, then the first failure (in chat order) is raised.
    """
    chats: dict[Hashable, list[Item]] = {}
    for item in items:
        chats.setdefault(chat_of(item), []).append(item)
    slots = asyncio.Semaphore(at_once) if at_once is not None else None

    async def run(chain: list[Item]) -> Result:
        if slots is None:
            return await run_chat(chain)
        async with slots:
            return await run_chat(chain)

    done = await asyncio.gather(*(run(chain) for chain in chats.values()), return_exceptions=True)
    results: list[Result] = []
    for outcome in done:
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results
