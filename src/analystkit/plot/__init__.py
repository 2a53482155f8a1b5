"""Briefing charts drawn on one matplotlib Axes: ``ax=None`` in, the Axes out.

``timeline`` (events as lanes of bars and markers), ``compare`` (incidents on a day-0 axis),
``activity`` (leak-site posts over time per actor) and ``graph`` (actor → victim graph). Nothing is
shown or printed; the caller composes figures and saves them (``analystkit.export.save``).
Importing this package imports matplotlib (but not pyplot); ``import analystkit`` alone does not.
"""

from __future__ import annotations

from .activity import activity
from .compare import compare
from .graph import graph
from .timeline import timeline

__all__ = ["activity", "compare", "graph", "timeline"]
