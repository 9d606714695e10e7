"""The start-up heap, frozen out of the garbage collector's full passes.

Start-up leaves about 200,000 long-lived objects behind (modules, the flows, pymorphy3's
dictionary, SQLAlchemy's tables). CPython's full collection walks every one of them each time
the objects promoted since the previous one reach a quarter of that count; on a busy two-core
machine one such pass takes a few hundred milliseconds, and every request waits behind it (a
burst of new customers met it as a latency tail of 200 ms and more). Frozen objects are never
walked again. They are still freed by reference counting; only a reference cycle among them
would stay for good, and what start-up builds is kept for the life of the process (a reload
replaces the flows, a few tens of kilobytes each time).
"""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> int:
    """Collect start-up garbage, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
