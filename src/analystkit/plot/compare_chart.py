"""Several incidents on one "days since day 0" axis: disruption bars and recovery milestones.

Each incident gets a block of rows: one bar per disruption period, labelled with its length in
days, and one row of markers for the moments that frame it (intrusion, disclosure, recovery
steps). A period still ongoing fades out at *its own case's* as-of date, as on the timeline, and
its incident's header says it is not fully restored. Day 0 comes from
:func:`analystkit.timeline.day0_of`: an event id, a category, a date, a mapping per incident, or
each case's ``day0`` (via :func:`analystkit.timeline.combine`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import text as _text
from .. import theme as _theme
from .. import timeline as _tl
from .base import labels as _labels
from .base import marks as _marks
from .base.lanes import shade as shade_lanes
from .base.legends import chart_title, footnote, status_legend

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["compare"]


def _days_text(lo: float, hi: float) -> str:
    if round(lo) == round(hi):
        return f"{round(hi):g} day" + ("" if round(hi) == 1 else "s")
    return f"{round(lo):g}–{round(hi):g} days"


def compare(events: pd.DataFrame, *, day0: object = None, ax: Axes | None = None,
            names: Mapping[str, str] | None = None, bars: str = "disruption",
            points: Sequence[str] = ("intrusion", "disclosure", "recovery"),
            as_of: object = None, max_days: float | None = None, title: str | None = None,
            legend: bool = True, label_kws: dict | None = None, marker_kws: dict | None = None,
            **kwargs) -> Axes:
    """Draw incidents aligned on day 0, one block of rows each, and return the Axes.

    Parameters
    ----------
    events : events of one or more incidents (the ``incident`` column tells them apart), e.g.
        :func:`analystkit.timeline.combine` of several cases.
    day0 : day 0 of each incident (see :func:`analystkit.timeline.day0_of`); None uses each
        case's ``day0``, then its first disruption.
    ax : Axes to draw on; None makes a slide-size figure.
    names : display name per incident id (default: the ``incident_title`` column, else the id).
    bars : category drawn as labelled bars (periods of that category, one row each).
    points : categories drawn as markers on each incident's milestone row.
    as_of : end of ongoing periods for every incident; None (the default) ends each incident's
        at its own as-of date (the ``as_of`` column of :func:`analystkit.timeline.combine`).
    max_days : right end of the axis in days (default: just past the last bar or marker).
    title : Axes title.
    legend : draw the category / status legend above the plot.
    label_kws, marker_kws : passed to the bar label ``Text`` objects and to ``Axes.scatter``.
    **kwargs : passed to the ``PolyCollection`` of bars.

    Returns
    -------
    The Axes drawn on (unchanged when ``events`` is empty).

    Examples
    --------
    >>> from analystkit import load_case, timeline as tl
    >>> ev = tl.combine([load_case(DATA / "cases" / c) for c in ("royal-mail-2023", "capita-2023")])
    >>> ax = compare(ev)
    >>> ax.get_xlabel()
    'Days since day 0'
    """
    if ax is None:
        ax = _labels.new_axes()
    if events is None or len(events) == 0:
        return ax
    p = _ComparePlotter(events, day0=day0, names=names, bars=bars, points=points, as_of=as_of,
                        max_days=max_days, title=title, legend=legend, label_kws=label_kws,
                        marker_kws=marker_kws, bar_kws=kwargs)
    if p.prepare():
        p.plot(ax)
    return ax


class _ComparePlotter:
    """One comparison drawing, in the seaborn way: :meth:`prepare` aligns the incidents on day 0,
    then :meth:`plot` places them (x limits in days, a block of rows per incident), draws them
    (bars and their labels, milestone markers, incident headers) and adds the axis and legend."""

    def __init__(self, events: pd.DataFrame, *, day0, names, bars, points, as_of, max_days, title,
                 legend, label_kws, marker_kws, bar_kws) -> None:
        self.theme = _theme.current()
        self.events, self.day0, self.names, self.bars, self.points = events, day0, names, bars, points
        self.as_of, self.max_days, self.title, self.legend = as_of, max_days, title, legend
        self.label_kws, self.marker_kws, self.bar_kws = label_kws or {}, marker_kws or {}, bar_kws

    # -- prepare -------------------------------------------------------------------------------
    def prepare(self) -> bool:
        """Align each incident's bar and point events on its day 0 and name the incidents;
        False when nothing is left to draw."""
        events, as_of = self.events, self.as_of  # None: each row's own as-of date
        zero = _tl.day0_of(events, self.day0)
        inc_col = events["incident"].astype(str) if "incident" in events \
            else pd.Series("", index=events.index)
        keep = inc_col.isin(list(zero)).to_numpy()
        keep &= events["category"].isin([self.bars, *self.points]).to_numpy()
        a = _tl.align(events[keep], day0={k: v for k, v in zero.items()}, as_of=as_of)
        if a.empty:
            return False
        self.a, self.as_of, self.zero, self.keep = a, as_of, zero, keep
        self.incidents = [i for i in pd.unique(inc_col[keep]) if i in zero]
        self.titles = dict(self.names or {})
        if "incident_title" in a:
            for inc, t in zip(a["incident"], a["incident_title"], strict=True):
                self.titles.setdefault(inc, t)
        self._arrays()
        return True

    def _arrays(self) -> None:
        """Which aligned events are bars and which are points; status, colour and days."""
        a = self.a
        self.is_bar = a["category"].eq(self.bars).to_numpy() & a["kind"].eq("period").to_numpy()
        self.is_open = self.is_bar & a["open"].to_numpy(dtype=bool)
        self.is_pt = ~self.is_bar & a["category"].isin(self.points).to_numpy()
        self.status = a["status"].astype(str).to_numpy()
        self.colors = a["category"].map(self.theme.category_color).to_numpy()
        eprec = a["end_precision"].astype(str).to_numpy() if "end_precision" in a \
            else a["precision"].astype(str).to_numpy()
        self.coarse_end = np.isin(eprec, ("month", "year")) & self.is_bar
        self.s = a["start"].to_numpy(dtype=float)
        self.e_solid = np.where(self.coarse_end, a["end_lo"], a["end"]).astype(float)
        self.e_full = a["end"].to_numpy(dtype=float)

    def plot(self, ax: Axes) -> None:
        """Place, draw and annotate on ``ax``."""
        self.place_x(ax)
        self.place_rows(ax)
        self.draw_bars(ax)
        self.draw_bar_labels(ax)
        self.draw_points(ax)
        self.draw_blocks(ax)
        self.annotate(ax)

    # -- place ---------------------------------------------------------------------------------
    def place_x(self, ax: Axes) -> None:
        """The x limits in days (to ``max_days``, by default just past the last bar); points
        beyond the axis are left out and counted."""
        a, is_bar = self.a, self.is_bar
        if self.max_days is None:
            bar_end = a["end"][is_bar]
            self.max_days = float(np.ceil(bar_end.max() * 1.1 if len(bar_end) else a["start_hi"].max()))
        self.x_max = x_max = float(self.max_days) + 3
        self.beyond = self.is_pt & (a["start"].to_numpy(dtype=float) > x_max)
        self.is_pt &= ~self.beyond
        self.x_min = min(float(np.nanmin(a["lo"][is_bar | self.is_pt])), 0.0) - 3
        ax.set_xlim(self.x_min, x_max)
        self.rend = _labels.renderer(ax.figure)
        self.per_px = _labels.data_per_pixel(ax, self.rend)
        self.gap = 4 * ax.figure.dpi / 72 * self.per_px

    def place_rows(self, ax: Axes) -> None:
        """A block per incident: a header row, a row per bar (by start, then end), a milestone
        row, then a gap; sets each bar's row and each block's ``(incident, top, bottom, points)``."""
        a = self.a
        rows_y, self.blocks = [], []
        y = 0.0
        for inc in self.incidents:
            y += 1.0  # header row: incident name and its key durations
            mine = np.flatnonzero((a["incident"].astype(str) == inc).to_numpy() & self.is_bar)
            mine = mine[np.lexsort((a["end"].to_numpy()[mine], a["start"].to_numpy()[mine]))]
            block_top = y
            for i in mine:
                rows_y.append((i, y + 0.5))
                y += 1
            pts = np.flatnonzero((a["incident"].astype(str) == inc).to_numpy() & self.is_pt)
            self.blocks.append((inc, block_top, y, pts))
            y += 1.3  # milestone row, then a gap before the next incident
        ax.set_ylim(y - 0.2, -0.2)
        self.bar_idx = np.array([i for i, _ in rows_y], dtype=int)
        self.bar_y = np.array([yy for _, yy in rows_y])

    # -- draw ----------------------------------------------------------------------------------
    def draw_bars(self, ax: Axes) -> None:
        """The bars, cut at the axis end, with a light band where only the end's month is known
        and a fading end (gid ``open-ends``) where a period is still ongoing at the as-of date."""
        bar_idx, bar_y, x_max, h = self.bar_idx, self.bar_y, self.x_max, 0.62
        if not len(bar_idx):
            return
        status, colors, e_solid = self.status[bar_idx], self.colors[bar_idx], self.e_solid[bar_idx]
        s, still = self.s[bar_idx], self.is_open[bar_idx]
        e_cut = np.minimum(e_solid, x_max)
        fade = np.where(still, np.minimum((e_cut - s) * 0.25, 14.0), 0.0)
        _marks.bars(ax, s, e_cut - fade, bar_y, h=h, status=status, colors=colors, gid="bars",
                    **self.bar_kws)
        _marks.fades(ax, (e_cut - fade)[still], e_cut[still], bar_y[still], h=h, colors=colors[still])
        cb = self.coarse_end[bar_idx]
        _marks.bands(ax, e_solid[cb], np.minimum(self.e_full[bar_idx][cb], x_max), bar_y[cb],
                     h=h, status=status[cb], colors=colors[cb])

    def draw_bar_labels(self, ax: Axes) -> None:
        """Each bar's title and length in calendar days, right of the bar or else inside it."""
        s, e_full, e_solid, x_max, gap = self.s, self.e_full, self.e_solid, self.x_max, self.gap
        lkw = {"fontsize": 9, "color": self.theme.foreground, "va": "center",
               "bbox": _labels.label_box(0.85), **self.label_kws}
        for i, yy in zip(self.bar_idx, self.bar_y, strict=True):
            first = np.floor(s[i])  # calendar days covered, both ends counted
            hi_days = np.ceil(e_full[i]) - first
            lo_days = np.ceil(e_solid[i]) - first + 1 if self.coarse_end[i] else hi_days
            length = f"ongoing, ≥ {_days_text(hi_days, hi_days)}" if self.is_open[i] \
                else _days_text(lo_days, hi_days)
            label = f"{_text.label(self.a['title'].iat[i], max_len=48)} · {length}"
            after = min(e_full[i], x_max) + gap * (2 if self.is_open[i] else 1)  # clear of the arrow
            t = ax.text(after, yy, label, ha="left", gid="bar-label", **lkw)
            width = t.get_window_extent(self.rend).width * self.per_px
            if after + width > x_max:
                t.set_position((max(s[i], self.x_min) + gap, yy))
                if _theme.status_style(self.status[i])["fill"]:
                    t.set_color("#FFFFFF")
                    t.set_bbox(None)

    def draw_points(self, ax: Axes) -> None:
        """Each block's milestone row: markers per category, shape by status."""
        blocks, s, a = self.blocks, self.s, self.a
        pt_idx = np.concatenate([b[3] for b in blocks]).astype(int) if blocks else np.zeros(0, int)
        pt_y = np.concatenate([np.full(len(b[3]), b[2] + 0.45) for b in blocks]) if blocks \
            else np.zeros(0)
        px = np.where(a["precision"].astype(str).to_numpy() == "approximate", s + 0.5,
                      (s + a["start_hi"].to_numpy(dtype=float)) / 2)
        vis = px[pt_idx] <= self.x_max
        _marks.markers(ax, px[pt_idx][vis], pt_y[vis], status=self.status[pt_idx][vis],
                       colors=self.colors[pt_idx][vis], size=36, **self.marker_kws)

    def draw_blocks(self, ax: Axes) -> None:
        """Shade every other block; head each with the incident's name and its key durations."""
        th, gap = self.theme, self.gap
        quoted = _tl.durations(self.events[self.keep], day0=self.zero, as_of=self.as_of)
        shade_lanes(ax, [(top - 1.1, bottom + 0.95) for _, top, bottom, _ in self.blocks],
                    color=th.grid)
        for inc, top, _, _ in self.blocks:
            head = ax.text(self.x_min + gap, top - 0.45,
                           _text.label(self.titles.get(inc, inc), max_len=70), fontsize=10,
                           fontweight="bold", va="center", ha="left", gid="incident",
                           color=th.foreground)
            summary = _summary(quoted[quoted["incident"].eq(inc)])
            if summary:
                ax.annotate(summary, xy=(1, 0.5), xycoords=head, xytext=(10, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=9,
                            color=th.muted, gid="incident-summary")

    # -- legend and labels ---------------------------------------------------------------------
    def annotate(self, ax: Axes) -> None:
        """The day-0 lines, the days axis, the note on later points, the title and the legend."""
        th, blocks, beyond = self.theme, self.blocks, self.beyond
        ax.set_yticks([])
        if beyond.any():
            footnote(ax, f"{int(beyond.sum())} later event{'s' if beyond.sum() != 1 else ''} "
                     f"beyond day {self.max_days:g} not shown", right=True)
        ax.vlines([0.0] * len(blocks), [b[1] - 0.1 for b in blocks], [b[2] + 0.95 for b in blocks],
                  colors=th.foreground, linewidth=1.0, zorder=1.5, gid="day0")
        ax.set_xlabel("Days since day 0")
        ax.grid(axis="x", color=th.grid, linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        chart_title(ax, self.title, legend=self.legend)
        if self.legend:
            shown = self.is_bar | self.is_pt
            cats = [c for c in (self.bars, *self.points) if c in set(self.a["category"][shown])]
            notes = [k for k, m in (("band", self.coarse_end.any()), ("open", self.is_open.any())) if m]
            status_legend(ax, sorted(set(self.status[shown])), notes=notes, categories=cats,
                          max_columns=9)


_SUMMARY = (("time to disclosure", "disclosed day {}"),
            ("time to first recovery step", "first recovery step day {}"))


def _summary(rows: pd.DataFrame) -> str:
    """'disclosed day 1 · first recovery step day 8 · fully restored day 42' (restoration in the
    words of :func:`analystkit.timeline.restoration_phrase`, open or closed)."""
    parts = []
    by = rows.set_index("measure")
    for measure, fmt in _SUMMARY:
        if measure in by.index:
            r = by.loc[measure]
            days = f"{r['days_min']:g}–{r['days_max']:g}" if r["days_min"] != r["days_max"] \
                else f"{r['days']:g}"
            parts.append(fmt.format(days))
    if "time to full restoration" in by.index:
        parts.append(_tl.restoration_phrase(by.loc["time to full restoration"]))
    return " · ".join(parts)
