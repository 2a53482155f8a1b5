"""Briefing charts drawn on one matplotlib Axes: ``ax=None`` in, the Axes out.

``timeline`` (events as lanes of bars and markers), ``compare`` (incidents on a day-0 axis),
``activity`` (leak-site posts over time per actor) and ``graph`` (actor → victim graph). Nothing is
shown or printed; the caller composes figures and saves them (``analystkit.export.save``).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["activity", "compare", "graph", "timeline"]

_WHERE = {
    "timeline": "analystkit.plot.timeline",
    "compare": "analystkit.plot.compare",
    "activity": "analystkit.plot.activity",
    "graph": "analystkit.plot.graph",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'analystkit.plot' has no attribute {name!r}")
