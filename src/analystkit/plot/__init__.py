"""Briefing charts drawn on one matplotlib Axes: ``ax=None`` in, the Axes out.

``timeline`` (events as lanes of bars and markers), ``compare`` (incidents on a day-0 axis),
``activity`` (leak-site posts over time per actor), ``graph`` (actor → victim graph) with its
``layout`` and the two-panel ``before_after``. Each chart lives in ``<name>_chart.py`` over the
shared pieces in ``base/``. Nothing is shown or printed; the caller composes figures and saves them
(``analystkit.export.save``). Importing this package imports matplotlib (but not pyplot);
``import analystkit`` alone does not.
"""

from __future__ import annotations

from .activity_chart import activity, annotations_from
from .compare_chart import compare
from .graph_chart import before_after, graph, layout
from .timeline_chart import milestones_from, timeline

__all__ = ["activity", "annotations_from", "before_after", "compare", "graph", "layout", "milestones_from",
           "timeline"]
