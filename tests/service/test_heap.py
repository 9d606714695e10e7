"""Freezing the start-up heap: what exists then is out of every later collection's way."""

from __future__ import annotations

import gc

from chatbot.service.heap import freeze_start_up_heap


class _Kept:
    """An object that lives on after start-up."""


def test_objects_alive_at_start_up_are_frozen_and_later_ones_are_not() -> None:
    kept = _Kept()
    try:
        frozen = freeze_start_up_heap()
        later = _Kept()
        assert frozen == gc.get_freeze_count() > 0
        # A collection never looks at frozen objects: it finds the old one in no generation.
        tracked = {id(o) for o in gc.get_objects()}
        assert id(kept) not in tracked
        assert id(later) in tracked
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
