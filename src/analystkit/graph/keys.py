"""Node keys, the status order and the date-window test every graph builder shares.

See :mod:`analystkit.graph` for the node and edge attributes.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["STATUS_RANK", "in_window", "node_key"]

#: Edge statuses from the strongest to the weakest: merging two claims keeps the stronger one.
STATUS_RANK = {"confirmed": 0, "reported": 1, "claimed": 2, "disputed": 3}


def node_key(role: str, name: str) -> str:
    """The node key of ``name``: ``actor:<name>`` for actors, ``victim:<name>`` otherwise.

    >>> node_key("actor", "Royal"), node_key("victim", "Royal Mail"), node_key("supplier", "Zellis")
    ('actor:Royal', 'victim:Royal Mail', 'victim:Zellis')
    """
    return f"{'actor' if role == 'actor' else 'victim'}:{name}"


def in_window(dates: pd.Series, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> pd.Series:
    """Which ``dates`` fall in ``[lo, hi]`` (bounds of :func:`~analystkit.graph.build.window`).

    An open side (``None``) lets every date through; undated rows pass only when both are open.
    """
    keep = pd.Series(True, index=dates.index)
    if lo is not None:
        keep &= dates >= lo
    if hi is not None:
        keep &= dates <= hi
    if lo is not None or hi is not None:
        keep &= dates.notna()
    return keep
