"""Milestones: the key moments of an incident, drawn as labelled vertical lines on a dated chart.

:func:`milestones_from` finds them (day 0, first disclosure, first recovery step, full
restoration — or, while a disruption is still ongoing, "not fully restored as of" the as-of
date), :func:`milestone_marks` and :func:`milestone_list` read a chart's ``milestones`` option,
and :func:`milestone_labels` writes their labels and packs them into rows above the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import text as _text
from ... import theme as _theme
from ... import timeline as _tl
from ...times import utc
from . import labels as _labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

__all__ = ["OPEN", "milestone_labels", "milestone_lines", "milestone_list", "milestone_marks",
           "milestones_from"]

#: Kind of the milestone that marks an incident not restored at its as-of date.
OPEN = "open"
_MILESTONE_NAMES = {
    "time to disclosure": "First disclosure",
    "time to first recovery step": "First recovery step",
}


def milestones_from(events: pd.DataFrame, *, day0: object = None,
                    as_of: object = None) -> list[tuple[pd.Timestamp, str]]:
    """Key moments of each incident for reference lines: day 0, first disclosure, first recovery
    step and full restoration, computed by :func:`analystkit.timeline.durations`.

    An incident still disrupted at its as-of date gets no restoration line but a mark at the
    as-of date worded by :func:`analystkit.timeline.restoration_phrase` ("Not fully restored as
    of 7 Mar 2025 · ≥ day 496").

    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> [label for _, label in milestones_from(ev)]
    ['Day 0', 'First disclosure · day 1', 'First recovery step · day 8', 'Full restoration · day 42']
    """
    return [(when, label) for when, label, _ in _auto(events, day0=day0, as_of=as_of)]


def _auto(events: pd.DataFrame, *, day0: object, as_of: object) -> list[tuple[pd.Timestamp, str, str]]:
    """:func:`milestones_from` with each mark's kind (``"day0"``, a measure, or :data:`OPEN`)."""
    if events.empty:
        return []
    d = _tl.durations(events, day0=day0, as_of=as_of)
    out = []
    for incident, d0 in _tl.day0_of(events, day0).items():
        rows = d[d["incident"].eq(incident)]
        if rows.empty:
            continue
        out.append((d0, "Day 0", "day0"))
        for _, r in rows.iterrows():
            if r["measure"] in _MILESTONE_NAMES:
                out.append((r["end"], f"{_MILESTONE_NAMES[r['measure']]} · day {r['days']:g}",
                            r["measure"]))
            elif r["measure"] == "time to full restoration":
                out.append((r["end"], _tl.restoration_phrase(r, form="milestone"),
                            OPEN if r["open"] else r["measure"]))
    return out


def milestone_marks(events: pd.DataFrame, milestones: str | Sequence | None, *, day0: object,
                    as_of: object) -> list[tuple[pd.Timestamp, str, str]]:
    """``(UTC stamp, text, kind)`` for a chart's ``milestones`` option: ``"auto"``
    (:func:`milestones_from`, nothing when day 0 cannot be found), None or ``"none"``, or a list
    of event ids (their start and title) and ``(date, text)`` pairs (a naive date is read as UTC).
    ``kind`` is :data:`OPEN` for the mark of an incident not restored at its as-of date (to be
    drawn unlike a restoration), ``""`` for marks given in the list."""
    if milestones is None or (isinstance(milestones, str) and milestones == "none"):
        return []
    if isinstance(milestones, str) and milestones == "auto":
        try:
            return _auto(events, day0=day0, as_of=as_of)
        except ValueError:
            return []
    out = []
    ids = events.set_index("event_id") if "event_id" in events else None
    for item in milestones:
        if isinstance(item, str) and ids is not None and item in ids.index:
            out.append((ids.loc[item, "start"], str(ids.loc[item, "title"]), ""))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append((utc(item[0]), str(item[1]), ""))  # pairs in mixed zones used to crash
        else:
            raise ValueError(f"milestone {item!r} is neither an event id nor a (date, text) pair")
    return out


def milestone_list(events: pd.DataFrame, milestones: str | Sequence | None, *, day0: object,
                   as_of: object) -> list[tuple[pd.Timestamp, str]]:
    """The ``(UTC stamp, text)`` pairs of :func:`milestone_marks`."""
    return [(when, text) for when, text, _ in milestone_marks(events, milestones, day0=day0,
                                                              as_of=as_of)]


def milestone_labels(ax: Axes, xs: np.ndarray, names: Sequence[str], rend: RendererBase,
                     per_px: float, x1: float, gap: float, *, kinds: Sequence[str] = ()):
    """Write the labels of milestones at ``xs`` (x data units) and pack them into rows.

    A label sits right of its line when it fits before ``x1``, else left of it. A milestone of
    kind :data:`OPEN` (in ``kinds``) is written in muted italics with gid ``milestone-open``, so
    it does not read as a restoration. Returns the ``Text`` objects (not yet positioned), each
    one's row and whether it sits to the right.
    """
    if not len(xs):
        return [], np.zeros(0, int), np.zeros(0, bool)
    th = _theme.current()
    kinds = list(kinds) + [""] * (len(names) - len(kinds))
    texts = [ax.text(0, 0, _text.label(s, max_len=60), fontsize=8.5, va="center", clip_on=False,
                     bbox=_labels.label_box(0.9),
                     **({"color": th.muted, "fontstyle": "italic", "gid": "milestone-open"}
                        if k == OPEN else {"color": th.foreground, "fontweight": "bold"}))
             for s, k in zip(names, kinds, strict=True)]
    width = (_labels.measure(texts, rend)[:, 0] + 4) * per_px
    right = xs + gap + width <= x1
    lo = np.where(right, xs, xs - gap - width)
    hi = np.where(right, xs + gap + width, xs)
    rows = _labels.pack(lo, hi + gap)
    return texts, rows, right


def milestone_lines(ax: Axes, xs: np.ndarray, tops: np.ndarray, bottom: float, *,
                    kinds: Sequence[str] = (), **kwargs) -> list:
    """The milestone lines from ``tops`` down to ``bottom`` (``kwargs`` go to ``Axes.vlines``).

    Marks of kind :data:`OPEN` (an incident not restored at its as-of date) are drawn apart, as a
    fainter dotted line with gid ``milestone-open``, so they never look like a restoration line.
    """
    is_open = np.array([k == OPEN for k in kinds] + [False] * (len(xs) - len(kinds)), dtype=bool)
    out = []
    for mask, extra in ((~is_open, {}), (is_open, {"linestyles": (0, (1, 2.5)), "alpha": 0.8,
                                                    "gid": "milestone-open"})):
        if mask.any():
            out.append(ax.vlines(np.asarray(xs)[mask], np.asarray(tops)[mask], bottom,
                                 **{**kwargs, **extra}))
    return out
