"""The cyclic garbage collector, paused while millions of small acyclic objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc(handover: int = 200_000) -> Iterator[None]:
    """Pause the cyclic collector for a block that makes many objects and no cycles.

    Parsing a million-post feed or building a million-edge graph makes millions of dicts; with
    the collector running, every few thousand allocations it walks them again. On the way out,
    when the block left more than ``handover`` new objects, they are handed straight to the
    oldest generation (``gc.freeze`` then ``gc.unfreeze``), so the next young collections do not
    walk them either; full collections still see everything. Small blocks (an explorer redraw)
    leave the generations as they were, so that short-lived cycles such as closed figures are
    still collected young.

    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > handover:  # objects made (and still alive) while paused
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()
