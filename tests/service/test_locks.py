"""Per-dialog locks: arrival order within a dialog, and no lock left behind."""

from __future__ import annotations

import asyncio

import pytest

from chatbot.service.locks import DialogLocks


async def test_events_of_a_dialog_run_one_at_a_time_in_arrival_order() -> None:
    locks = DialogLocks()
    order: list[str] = []

    async def event(name: str) -> None:
        async with locks.hold("chat"):
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(event("a"), event("b"), event("c"))
    assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert len(locks) == 0


async def test_a_waiter_cancelled_leaves_no_lock_behind() -> None:
    locks = DialogLocks()
    entered = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.hold("chat"):
            entered.set()
            await release.wait()

    async def waiter() -> None:
        async with locks.hold("chat"):
            pytest.fail("the waiter was cancelled before its turn")

    first = asyncio.create_task(holder())
    await entered.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    release.set()
    await first
    assert len(locks) == 0


async def test_an_error_inside_releases_the_lock() -> None:
    locks = DialogLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("chat"):
            raise RuntimeError("boom")
    assert len(locks) == 0
    async with locks.hold("chat"):
        pass
