"""The disruption timeline: events in lanes, periods as bars, points as markers, milestones.

Lanes come from any column (``category`` by default). Inside a lane, events are packed into rows
so that every label sits beside its own bar or marker without touching another label or bar.
Precision is drawn honestly (a month-precise date is a light band across its month, an
approximate one has whiskers, an ongoing period fades out at the as-of date) and status is coded
by fill, hatch, edge style and marker shape. Above ``max_labels`` events the chart switches to a
dense drawing: one row per lane, no per-event labels, hatching off, still a handful of
collections whatever the number of events. An event with a ``conflict`` slug (sources disagree
on it) carries a small ≠ after its label, or above it when unlabelled, with a legend entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import text as _text
from .. import theme as _theme
from .. import timeline as _tl
from ..times import utc
from .base import labels as _labels
from .base import marks as _marks
from .base.dates import date_axis, display_zone
from .base.lanes import lane_order
from .base.lanes import shade as shade_lanes
from .base.legends import chart_title, footnote, status_legend
from .base.milestones import milestone_labels, milestone_lines, milestone_marks, milestones_from
from .timeline_items import event_items, num

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["milestones_from", "timeline"]


def timeline(events: pd.DataFrame, *, lane: str = "category", ax: Axes | None = None,
             tz: object = None, as_of: object = None, window: Sequence | None = None,
             labels: bool | str | Sequence[str] = "auto", max_labels: int = 60,
             label_len: int = 56, milestones: str | Sequence | None = "auto", day0: object = None,
             title: str | None = None, legend: bool = True, label_kws: dict | None = None,
             marker_kws: dict | None = None, milestone_kws: dict | None = None,
             **kwargs) -> Axes:
    """Draw events as a lane chart on one Axes and return it.

    Parameters
    ----------
    events : the events table (validated: UTC ``start``/``end``, ``precision``, ``status`` ...).
    lane : column whose values are the lanes (default ``category``, in the kit's category order;
        other columns are ordered by their first event).
    ax : Axes to draw on; None makes a slide-size figure (13.33 × 7.5 in). Labels are placed for
        the Axes' size at call time: size and lay out the figure before calling.
    tz : display time zone (IANA name or tzinfo); ticks fall on local midnights, across DST
        changes, and the axis label names the zone. Default UTC.
    as_of : where ongoing periods end (default: the table's ``as_of`` column, else its last date).
    window : ``(start, end)`` dates to show; events wholly outside are left out and counted in a
        note under the axis.
    labels : ``"auto"`` (every event's title up to ``max_labels`` events, none above), True,
        False, or a list of event ids to label.
    max_labels : events above which the dense drawing is used.
    label_len : titles longer than this are shortened with an ellipsis.
    milestones : ``"auto"`` (day 0, first disclosure, first recovery step, full restoration from
        :func:`analystkit.timeline.durations`), None, a list of ``(date, text)`` pairs or of event
        ids; drawn as labelled vertical lines.
    day0 : day 0 for the automatic milestones (see :func:`analystkit.timeline.day0_of`).
    title : Axes title.
    legend : draw the status / precision legend above the plot.
    label_kws, marker_kws, milestone_kws : passed to the event label ``Text`` objects, to
        ``Axes.scatter`` for point events, and to ``Axes.vlines`` for milestones.
    **kwargs : passed to the ``PolyCollection`` of period bars (e.g. ``linewidths``).

    Returns
    -------
    The Axes drawn on (unchanged when ``events`` is empty).

    Examples
    --------
    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> ax = timeline(case.events, window=("2023-01-01", "2023-03-01"), tz="Europe/London")
    >>> ax.get_xlabel()
    'Date (Europe/London)'
    """
    own_figure = ax is None
    ax = _labels.new_axes() if own_figure else ax
    if events is None or len(events) == 0:
        return ax
    if lane not in events.columns:
        raise KeyError(f"no column {lane!r} for lanes (columns: {', '.join(events.columns)})")
    p = _TimelinePlotter(events, lane=lane, tz=tz, as_of=as_of, window=window, labels=labels,
                         max_labels=max_labels, label_len=label_len, milestones=milestones,
                         day0=day0, title=title, legend=legend, label_kws=label_kws,
                         marker_kws=marker_kws, milestone_kws=milestone_kws, bar_kws=kwargs)
    if p.prepare():
        p.plot(ax, own_figure=own_figure)
    return ax


class _TimelinePlotter:
    """One timeline drawing, in the seaborn way: :meth:`prepare` the events, then :meth:`plot`
    places them (x limits, label sides, rows in lanes, milestones, row heights), draws them
    (lanes, periods, points, labels, milestone lines) and adds the axis, notes and legend."""

    def __init__(self, events: pd.DataFrame, *, lane, tz, as_of, window, labels, max_labels,
                 label_len, milestones, day0, title, legend, label_kws, marker_kws,
                 milestone_kws, bar_kws) -> None:
        self.theme = _theme.current()
        self.zone, self.zone_name = display_zone(tz)
        self.events, self.lane, self.as_of, self.window = events, lane, as_of, window
        self.labels, self.max_labels, self.label_len = labels, max_labels, label_len
        self.milestones, self.day0, self.title, self.legend = milestones, day0, title, legend
        self.label_kws, self.marker_kws = label_kws or {}, marker_kws or {}
        self.milestone_kws, self.bar_kws = milestone_kws or {}, bar_kws

    # -- prepare -------------------------------------------------------------------------------
    def prepare(self) -> bool:
        """Fix the as-of date, keep the events inside the window (counting the others) and build
        their arrays; False when the window leaves nothing to draw."""
        events, as_of = self.events, self.as_of
        if as_of is None and "as_of" in events and events["as_of"].notna().any():
            as_of = events["as_of"].dropna().iloc[0]
        ex = _tl.extents(events, as_of=as_of)
        self.hidden = 0
        if self.window is not None:
            self.w0, self.w1 = (utc(w) for w in self.window)
            inside = (ex["hi"] >= self.w0) & (ex["lo"] <= self.w1)
            self.hidden = int((~inside).sum())
            events, ex = events[inside.to_numpy()], ex[inside]
            if events.empty:
                return False
        self.events, self.as_of = events, as_of
        self.lanes = lane_order(events[self.lane], events["start"], self.lane)
        self.items = event_items(events, ex, self.lanes, self.lane, self.theme)
        return True

    def plot(self, ax: Axes, *, own_figure: bool) -> None:
        """Place, draw and annotate on ``ax`` (a figure of our own may grow to fit the rows)."""
        self.place_x(ax)
        self.place_labels(ax)
        self.pack_rows()
        self.place_milestones(ax)
        self.fit_rows(ax, own_figure=own_figure)
        self.place_y()
        self.draw_lanes(ax)
        self.draw_periods(ax)
        self.draw_points(ax)
        self.draw_labels()
        self.draw_conflicts(ax)
        self.draw_milestones(ax)
        self.annotate(ax)

    # -- place ---------------------------------------------------------------------------------
    def place_x(self, ax: Axes) -> None:
        """The x limits (the window, else all events with a 2 % margin); who gets a label."""
        it, n = self.items, len(self.events)
        if self.window is not None:
            x0, x1 = num(pd.Series([self.w0, self.w1]))
        else:
            x0, x1 = it.lo.min(), it.hi.max()
            pad = max((x1 - x0) * 0.02, 0.5)
            x0, x1 = x0 - pad, x1 + pad
        ax.set_xlim(x0, x1)
        self.x0, self.x1 = x0, x1
        labels = self.labels
        if isinstance(labels, str) and labels == "auto":
            self.labelled = np.full(n, n <= self.max_labels)
        elif labels is True or labels is False:
            self.labelled = np.full(n, bool(labels))
        else:
            self.labelled = self.events["event_id"].isin(list(labels)).to_numpy()
        self.dense = n > self.max_labels

    def place_labels(self, ax: Axes) -> None:
        """Where each item is drawn and seen, then each label's text and side; sets the
        footprints (item plus label, in data units) that the rows are packed by."""
        it, n, x0, x1 = self.items, len(self.events), self.x0, self.x1
        fig = ax.figure
        self.rend = _labels.renderer(fig)
        self.per_px = per_px = _labels.data_per_pixel(ax, self.rend)
        self.dpi_scale = dpi_scale = fig.dpi / 72.0
        # where each item is drawn: points sit mid-span (mid-day for day precision)
        px = np.where(it.approx_start, it.start + 0.5, (it.start + it.start_hi) / 2)
        self.px = px = np.where(it.coarse_start & ~it.period, (it.start + it.start_hi) / 2, px)
        vis_lo = np.minimum(it.lo, px - 4 * dpi_scale * per_px)
        vis_hi = np.maximum(it.hi, px + 4 * dpi_scale * per_px)
        vis_hi = np.where(it.period, np.maximum(it.hi, it.end), vis_hi)
        vis_lo, vis_hi = np.clip(vis_lo, x0, x1), np.clip(vis_hi, x0, x1)
        self.lkw = {"fontsize": 8.5, "color": self.theme.foreground, "va": "center",
                    "clip_on": False, "bbox": _labels.label_box(0.85), **self.label_kws}
        self.texts, self.label_at, self.label_mode = [], np.zeros(n), np.zeros(n, dtype=int)
        self.gap = 4 * dpi_scale * per_px
        if self.labelled.any() and not self.dense:
            self.foot_lo, self.foot_hi, self.text_h = self._label_sides(ax, vis_lo, vis_hi)
        else:
            self.foot_lo, self.foot_hi, self.text_h = vis_lo, vis_hi + self.gap, 0.0

    def _label_sides(self, ax: Axes, vis_lo: np.ndarray, vis_hi: np.ndarray):
        """Write and measure the labels; put each right of its item if it fits, else inside its
        own bar, else left of it. Returns the footprints and the tallest label's height."""
        it, gap, x0, x1 = self.items, self.gap, self.x0, self.x1
        idx = np.flatnonzero(self.labelled)
        mark = np.where(it.conflict[idx], f" {_marks.CONFLICT_MARK}", "")
        self.texts = [ax.text(0, 0, _text.label(self.events["title"].iat[i], max_len=self.label_len)
                              + m, **self.lkw) for i, m in zip(idx, mark, strict=True)]
        sizes = _labels.measure(self.texts, self.rend)
        width = (sizes[:, 0] + 4 * self.dpi_scale) * self.per_px
        s_vis = np.where(it.coarse_start, it.start_hi, it.start)[idx]
        e_vis = np.where(it.coarse_end, it.end_lo, it.end)[idx]
        fits_right = vis_hi[idx] + gap + width <= x1
        fits_left = vis_lo[idx] - gap - width >= x0
        fits_inside = it.period[idx] & (np.minimum(e_vis, x1) - np.maximum(s_vis, x0) >= width + 2 * gap)
        mode = np.where(fits_right, 0, np.where(fits_inside, 2, np.where(fits_left, 1, 0)))
        self.label_mode[idx] = mode
        self.label_at[idx] = np.select([mode == 0, mode == 1],
                                       [vis_hi[idx] + gap, vis_lo[idx] - gap],
                                       np.maximum(s_vis, x0) + gap)
        foot_lo, foot_hi = vis_lo.copy(), vis_hi.copy()
        foot_hi[idx] = np.where(mode == 0, vis_hi[idx] + gap + width, vis_hi[idx])
        foot_lo[idx] = np.where(mode == 1, vis_lo[idx] - gap - width, vis_lo[idx])
        return foot_lo, foot_hi, sizes[:, 1].max()

    def pack_rows(self) -> None:
        """Rows inside each lane so that no two footprints touch (one row a lane when dense)."""
        self.row = np.zeros(len(self.events), dtype=int)
        self.lane_rows = np.ones(len(self.lanes), dtype=int)
        if self.dense:
            return
        for k in range(len(self.lanes)):
            members = np.flatnonzero(self.items.lane_of == k)
            self.row[members] = _labels.pack(self.foot_lo[members], self.foot_hi[members] + self.gap)
            self.lane_rows[k] = self.row[members].max() + 1 if len(members) else 1

    def place_milestones(self, ax: Axes) -> None:
        """The milestones inside the x limits, their labels packed into rows above the lanes."""
        marks = milestone_marks(self.events, self.milestones, day0=self.day0, as_of=self.as_of)
        self.marks = [m for m in marks if self.x0 <= num(pd.Series([m[0]]))[0] <= self.x1]
        self.m_x = num(pd.Series([m[0] for m in self.marks])) if self.marks else np.zeros(0)
        self.m_kinds = [m[2] for m in self.marks]
        self.m_texts, self.m_rows, self.m_right = milestone_labels(
            ax, self.m_x, [m[1] for m in self.marks], self.rend, self.per_px, self.x1, self.gap,
            kinds=self.m_kinds)
        self.n_mrows = int(self.m_rows.max()) + 1 if len(self.m_rows) else 0
        self.total = self.n_mrows + int(self.lane_rows.sum())

    def fit_rows(self, ax: Axes, *, own_figure: bool) -> None:
        """Make rows tall enough for their labels: grow a figure of our own, else shrink the text."""
        rend = self.rend
        need = max(self.text_h, *(t.get_window_extent(rend).height for t in self.m_texts), 0.0) * 1.3
        have = ax.get_window_extent(rend).height / self.total
        if need > have:
            if own_figure:
                fig = ax.figure
                fig.set_figheight(fig.get_figheight() * need / have * 1.02)
            else:
                scale = max(have / need, 6.0 / self.lkw["fontsize"])
                for t in [*self.texts, *self.m_texts]:
                    t.set_fontsize(t.get_fontsize() * scale)

    def place_y(self) -> None:
        """Each lane's first row (milestone rows on top) and each item's y; bar height."""
        self.lane_start = self.n_mrows + np.concatenate([[0], np.cumsum(self.lane_rows)[:-1]])
        self.y = self.lane_start[self.items.lane_of] + self.row + 0.5
        self.h = 0.62 if not self.dense else 0.7

    # -- draw ----------------------------------------------------------------------------------
    def draw_lanes(self, ax: Axes) -> None:
        """Alternate lane shading, lane names as y tick labels, rows top to bottom."""
        lane_start, lane_rows = self.lane_start, self.lane_rows
        shade_lanes(ax, zip(lane_start, lane_start + lane_rows, strict=True), color=self.theme.grid)
        ax.set_yticks(lane_start + lane_rows / 2)
        ax.set_yticklabels([_text.label(str(v).replace("-", " ").capitalize() if self.lane == "category"
                                        else v, max_len=28) for v in self.lanes])
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(self.total, 0)

    def draw_periods(self, ax: Axes) -> None:
        """Periods: the solid part, fading open ends, month bands and ± 1 day whiskers."""
        it, y, h = self.items, self.y, self.h
        start, start_hi, end_lo, end = it.start, it.start_hi, it.end_lo, it.end
        cs, ce, status, colors = it.coarse_start, it.coarse_end, it.status, it.colors
        s0 = np.where(cs, start_hi, start)
        e0 = np.where(ce, end_lo, end)
        fade = np.where(it.is_open, np.minimum((e0 - s0) * 0.25, 14.0), 0.0)
        p = it.period & (e0 > s0)
        _marks.bars(ax, s0[p], (e0 - fade)[p], y[p], h=h, status=status[p], colors=colors[p],
                    dense=self.dense, gid="bars", **self.bar_kws)
        po = p & it.is_open
        _marks.fades(ax, (e0 - fade)[po], e0[po], y[po], h=h, colors=colors[po])
        _marks.bands(ax, np.concatenate([start[cs], end_lo[ce]]), np.concatenate([start_hi[cs], end[ce]]),
                     np.concatenate([y[cs], y[ce]]), h=h, status=np.concatenate([status[cs], status[ce]]),
                     colors=np.concatenate([colors[cs], colors[ce]]))
        a_s, a_e = it.approx_start, it.approx_end
        _marks.whiskers(ax, np.concatenate([it.lo[a_s], end_lo[a_e]]),
                        np.concatenate([start_hi[a_s], it.hi[a_e]]), np.concatenate([y[a_s], y[a_e]]),
                        color=self.theme.foreground, cap=h * 0.3)

    def draw_points(self, ax: Axes) -> None:
        """Point events (not the month-precise ones, drawn as bands) as status-coded markers."""
        it = self.items
        pts = ~it.period & ~it.coarse_start
        _marks.markers(ax, self.px[pts], self.y[pts], status=it.status[pts], colors=it.colors[pts],
                       dense=self.dense, size=18.0 if self.dense else 42.0, **self.marker_kws)

    def draw_labels(self) -> None:
        """Move each event label beside its item (or into its own bar, in a contrasting colour)."""
        it = self.items
        for t, i in zip(self.texts, np.flatnonzero(self.labelled), strict=False):
            t.set_position((self.label_at[i], self.y[i]))
            t.set_horizontalalignment("right" if self.label_mode[i] == 1 else "left")
            if self.label_mode[i] == 2:  # inside its own bar
                t.set_gid("label-inside")
                if _theme.status_style(it.status[i])["fill"]:
                    t.set_color(_labels.contrast(it.colors[i]))
                    t.set_bbox(None)

    def draw_conflicts(self, ax: Axes) -> None:
        """Events sources disagree on carry ≠ after their label; unlabelled ones get it above."""
        it, bare = self.items, self.items.conflict & ~(self.labelled & (not self.dense))
        x = np.where(it.period, np.where(it.coarse_start, it.start_hi, it.start), self.px)[bare]
        _marks.conflict_marks(ax, x, self.y[bare] - self.h / 2 - 0.14, color=self.theme.foreground,
                              dense=self.dense)

    def draw_milestones(self, ax: Axes) -> None:
        """Milestones: lines from their label row down through the lanes (see ``milestone_lines``)."""
        if not self.marks:
            return
        mkw = {"colors": self.theme.muted, "linestyles": (0, (4, 3)), "linewidths": 0.9, "zorder": 1,
               **self.milestone_kws}
        milestone_lines(ax, self.m_x, self.m_rows + 0.5, self.total, kinds=self.m_kinds, **mkw)
        gap = self.gap
        for t, r, xx, right in zip(self.m_texts, self.m_rows, self.m_x, self.m_right, strict=True):
            t.set_position((xx + (gap if right else -gap), r + 0.5))
            t.set_horizontalalignment("left" if right else "right")

    # -- legend and labels ---------------------------------------------------------------------
    def annotate(self, ax: Axes) -> None:
        """The date axis, the note on events outside the window, the title and the legend."""
        date_axis(ax, self.zone, self.zone_name)
        if n := self.hidden:
            footnote(ax, f"{n} event{'s' if n != 1 else ''} outside the window not shown")
        chart_title(ax, self.title, legend=self.legend)
        if self.legend:
            it, ev = self.items, self.events
            notes = [k for k, m in (("band", it.coarse_start.any() or it.coarse_end.any()),
                                    ("whisker", it.approx_start.any() or it.approx_end.any()),
                                    ("open", it.is_open.any()), ("conflict", it.conflict.any())) if m]
            cats = sorted(set(ev["category"])) if self.lane != "category" and "category" in ev else ()
            status_legend(ax, sorted(set(it.status)), notes=notes, categories=cats)

