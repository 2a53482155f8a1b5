"""Interval analysis of the events table: extents, merged periods, durations, day 0, counts.

Every function here is pure: a DataFrame in, a new DataFrame out, the input untouched. Dates stay
tz-aware UTC. Precision is honoured everywhere: a day-precise end means "through that day", a
month-precise date covers its whole month, and an approximate date is taken as its day plus or
minus one day (:data:`APPROXIMATE`).

Durations are *computed* from event categories, never typed in: day 0 (by default the first
``disruption`` event, or the case's ``day0``), the first ``disclosure``, the first ``recovery``
step, the end of the last ``disruption`` period (full restoration) and the calendar days covered
by the union of the disruption periods. While a disruption is still ``ongoing`` at the as-of
date the incident is *not* restored: those measures are lower bounds flagged ``open``, and
:func:`restoration_phrase` words restoration, open or closed, for every chart and text. Each
row ends its open periods at its own as-of date (the ``as_of`` column :func:`combine` writes
from each case), never at another case's.

The modules, each importing only those before it: :mod:`.intervals` (extents, merged periods),
:mod:`.alignment` (combine, day 0, align), :mod:`.measures` (durations) and :mod:`.posts`
(leak-site post counts).
"""

from __future__ import annotations

from .alignment import align, combine, day0_of
from .intervals import APPROXIMATE, extents, merge_periods
from .measures import MEASURES, durations, restoration_phrase
from .posts import counts

__all__ = [
    "APPROXIMATE",
    "MEASURES",
    "align",
    "combine",
    "counts",
    "day0_of",
    "durations",
    "extents",
    "merge_periods",
    "restoration_phrase",
]
