"""Leak-site activity over time: victims posted per week or month by actor, with annotations.

Aliases are merged through the ``actor`` column of the posts table (``lockbit2`` and
``lockbit3`` both count as LockBit). The counting is :func:`analystkit.timeline.counts`; this
module only draws: stacked bars (``kind="bar"``) or a heat strip, one row per actor
(``kind="heat"``), plus labelled spans or lines for events such as law-enforcement operations.
Annotations outside the data's time range are not drawn on empty ground (that would read as "no
posts"); they are listed in a note under the axis instead.

:func:`activity` counts once, up front, and hands the table to an :class:`ActivityPlotter`, whose
steps are: period edges and colours, the bars or heat strip, the date axis, the annotations, then
the title and legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import text as _text
from .. import theme as _theme
from .. import timeline as _tl
from ..aliases import display_actor
from ..io.posttable import as_posts, is_posts_table, standard_fields
from ..timeline.collection import collection_notes, date_meaning
from ..times import utc
from .base import labels as _labels
from .base.dates import date_axis, display_zone

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ActivityPlotter", "activity", "annotations_from"]

_FREQ_NAME = {"D": "day", "W": "week", "M": "month"}
_DATE_WORDS = {"discovered": "Date the crawler found the post", "published": "Date the group posted"}


def annotations_from(events: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp | None, str]]:
    """``(start, end or None, text)`` triples from an events table (e.g. law-enforcement rows).

    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> annotations_from(ev[ev["event_id"].eq("rm-036")])[0][2]
    'Operation Cronos seizes LockBit infrastructure'
    """
    out = []
    for _, r in events.sort_values("start", kind="stable").iterrows():
        end = r["end"] + pd.Timedelta(days=1) if pd.notna(r.get("end")) else None
        out.append((r["start"], end, str(r["title"])))
    return out


def activity(posts: pd.DataFrame, *, ax: Axes | None = None, freq: str = "W", top: int | None = 8,
             kind: str = "bar", annotations: Sequence | pd.DataFrame | None = None,
             start: object = None, end: object = None, weight: str | None = None,
             tz: object = None, title: str | None = None, legend: bool = True,
             annotation_kws: dict | None = None, collection: bool = True, **kwargs) -> Axes:
    """Draw leak-site posts per period and actor and return the Axes.

    Parameters
    ----------
    posts : the posts table (``date`` in UTC and ``actor``; see ``analystkit.schema.POSTS_COLUMNS``).
    ax : Axes to draw on; None makes a slide-size figure.
    freq : ``"W"`` (weeks from Monday), ``"M"`` (months) or ``"D"`` (days).
    top : actors shown by name (largest first); the rest are summed as ``other``. At most
        :data:`analystkit.theme.MAX_SERIES` (32) are shown by name, None included, so that no two
        share a style; each actor has its colour (and hatch) by name, the same in every chart.
    kind : ``"bar"`` (stacked bars) or ``"heat"`` (one strip per actor, colour = count).
    annotations : ``(date, text)``, ``(start, end, text)`` tuples, or an events DataFrame (its
        ``start``/``end``/``title``); periods are shaded, single dates are lines.
    start, end : window of dates counted.
    weight : ``"count"`` to count raw posts (re-posts included) instead of distinct claims.
    tz : display time zone (named on the axis). Periods are still cut in UTC.
    title : Axes title.
    legend : actor legend above the plot (``kind="bar"``).
    annotation_kws : passed to ``Axes.axvspan`` / ``Axes.axvline`` for annotations.
    collection : mark the periods that say how the feed was gathered rather than what the groups
        did (:func:`analystkit.timeline.collection.collection_notes`: a crawler's first-pass
        back-fill, a partial first or last period) with a dotted outline and a label.
    **kwargs : passed to the ``PolyCollection`` of each stacked series (one collection per actor,
        one rectangle per period) or to ``Axes.pcolormesh`` (heat).

    Returns
    -------
    The Axes drawn on (unchanged when no post falls in the window).

    Examples
    --------
    >>> posts = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-09", "2023-01-10"],
    ...                                              utc=True), "actor": ["LockBit", "LockBit", "Play"]})
    >>> ax = activity(posts, freq="W", annotations=[("2023-01-11", "Example")])
    >>> ax.get_ylabel(), [c.get_label() for c in ax.collections]
    ('Victims posted per week', ['LockBit', 'Play'])
    """
    if kind not in ("bar", "heat"):
        raise ValueError(f"kind must be 'bar' or 'heat', not {kind!r}")
    if ax is None:
        ax = _labels.new_axes()
    if posts is None or len(posts) == 0:
        return ax
    posts = _claims(posts)
    top = _theme.MAX_SERIES if top is None else min(top, _theme.MAX_SERIES)
    table = _tl.counts(posts, freq=freq, top=top, weight=weight, start=start, end=end)
    if table.empty:
        return ax
    plotter = ActivityPlotter(table, posts["date"], freq=freq, kind=kind, weight=weight, end=end, tz=tz,
                              series_kws=kwargs)
    plotter.notes = collection_notes(posts, freq=freq, start=start, end=end, actors=False) \
        if collection else None
    plotter.date_kind = date_meaning(posts)
    return plotter.plot(ax, annotations=annotations, title=title, legend=legend,
                        annotation_kws=annotation_kws)


class ActivityPlotter:
    """The drawing steps of :func:`activity`, on a table of counts made beforehand.

    ``table`` is :func:`analystkit.timeline.counts` (periods × actors) and ``dates`` the posts'
    ``date`` column (read only to name the last date when annotations fall outside the data);
    the other arguments are those of :func:`activity` (``series_kws`` its ``**kwargs``).
    :meth:`plot` runs :meth:`draw_bars` or :meth:`draw_heat`, :meth:`date_axis`,
    :meth:`annotate` and :meth:`add_labels` in that order.
    """

    def __init__(self, table: pd.DataFrame, dates: pd.Series, *, freq: str = "W", kind: str = "bar",
                 weight: str | None = None, end: object = None, tz: object = None,
                 series_kws: dict | None = None) -> None:
        from matplotlib.dates import date2num

        self.table, self.dates, self.freq, self.kind = table, dates, freq, kind
        self.weight, self.end, self.series_kws = weight, end, dict(series_kws or {})
        self.th = _theme.current()
        self.zone, self.zone_name = display_zone(tz)
        starts = table.index.tz_convert(None).to_numpy()
        self.left = date2num(starts)
        self.edges = np.append(self.left, date2num(np.array([_period_after(starts[-1], freq)]))[0])
        self.widths = np.diff(self.edges)
        th = self.th
        styles = th.series_styles([str(c) for c in table.columns])  # by actor, not by rank
        self.colors = [color for color, _ in styles]
        self.hatches = [hatch for _, hatch in styles]
        self.names = [_text.label(c, max_len=24) for c in table.columns]

    def plot(self, ax: Axes, *, annotations: Sequence | pd.DataFrame | None = None,
             title: str | None = None, legend: bool = True, annotation_kws: dict | None = None) -> Axes:
        """Draw the chart on ``ax`` and return it."""
        if self.kind == "bar":
            self.draw_bars(ax)
        else:
            self.draw_heat(ax)
        self.date_axis(ax)
        self.mark_collection(ax)
        self.annotate(ax, annotations, annotation_kws or {})
        self.add_labels(ax, title, legend)
        return ax

    def draw_bars(self, ax: Axes) -> None:
        """Stacked bars: one ``PolyCollection`` per actor (gid ``series-<actor>``), y axis and grid."""
        from matplotlib.collections import PolyCollection

        table, left, widths = self.table, self.left, self.widths
        bottom = np.zeros(len(table))
        x0, x1 = left + widths * 0.06, left + widths * 0.94
        for col, color, hatch, name in zip(table.columns, self.colors, self.hatches, self.names,
                                           strict=True):
            values = table[col].to_numpy(dtype=float)
            top_ = bottom + values
            verts = np.stack([np.c_[x0, bottom], np.c_[x0, top_], np.c_[x1, top_],
                              np.c_[x1, bottom]], axis=1)
            # a hatch is drawn in the edge colour; the zero-width edge itself is not drawn
            coll = PolyCollection(verts, **{"facecolors": color, "edgecolors": self.th.background,
                                            "linewidths": 0, "hatch": hatch or None, "label": name,
                                            **self.series_kws})
            coll.set_gid(f"series-{_text.slug(col)}")  # an XML id, whatever the group calls itself
            ax.add_collection(coll, autolim=False)
            bottom = top_
        ax.set_ylim(0, max(bottom.max(), 1) * 1.18)
        unit = "Posts" if self.weight else "Victims posted"
        ax.set_ylabel(f"{unit} per {_FREQ_NAME[self.freq]}")
        ax.grid(axis="y", color=self.th.grid, linewidth=0.6)

    def draw_heat(self, ax: Axes) -> None:
        """One strip per actor (``pcolormesh``, gid ``heat``) with a colour bar."""
        names = self.names
        data = self.table.to_numpy(dtype=float).T
        mesh = ax.pcolormesh(self.edges, np.arange(len(names) + 1), data,
                             **{"cmap": "Blues" if self.th.name != "dark" else "cividis",
                                "shading": "flat", **self.series_kws})
        mesh.set_gid("heat")
        ax.set_yticks(np.arange(len(names)) + 0.5)
        ax.set_yticklabels(names)
        ax.set_ylim(len(names), 0)
        bar = ax.figure.colorbar(mesh, ax=ax, fraction=0.025, pad=0.01)
        bar.ax.set_title(f"per {_FREQ_NAME[self.freq]}", fontsize=8, loc="left")

    def date_axis(self, ax: Axes) -> None:
        """The x axis spans the periods, with dates in the display zone; its label says which
        date the posts are counted by."""
        ax.set_xlim(self.edges[0], self.edges[-1])
        date_axis(ax, self.zone, self.zone_name, hide_left=False)
        said = _DATE_WORDS.get(getattr(self, "date_kind", "date"))
        if said:
            ax.set_xlabel(f"{said} ({self.zone_name})")
        ax.grid(axis="x", visible=False)

    def mark_collection(self, ax: Axes) -> None:
        """A dotted outline and a label over each period that the feed's collection shaped (gid
        ``collection-<kind>``); the sentences are kept in ``ax._analystkit_collection``."""
        from matplotlib.dates import date2num
        from matplotlib.patches import Rectangle

        notes = getattr(self, "notes", None)
        said = []
        if notes is None or not len(notes) or self.kind != "bar":
            ax._analystkit_collection = said
            return
        top = ax.get_ylim()[1]
        for note in notes.itertuples():
            x0 = date2num(note.period.tz_convert(None).to_datetime64())
            at = int(np.searchsorted(self.left, x0))
            if at >= len(self.left) or self.left[at] != x0:
                continue
            box = Rectangle((self.left[at], 0), self.widths[at], top * 0.86, fill=False,
                            edgecolor=self.th.muted, linestyle=(0, (1, 2)), linewidth=1.0, zorder=3)
            box.set_gid(f"collection-{note.kind}")
            ax.add_patch(box)
            label = {"back-fill": "first crawl", "partial-first": "partial", "partial-last": "partial"}
            ax.text(self.left[at] + self.widths[at] / 2, top * 0.87, label[note.kind], ha="center",
                    va="bottom", fontsize=7.5, color=self.th.muted, gid=f"collection-label-{note.kind}")
            said.append(note.text)
        ax._analystkit_collection = said

    def annotate(self, ax: Axes, annotations: Sequence | pd.DataFrame | None, kws: dict) -> None:
        """Annotations inside the periods drawn; those outside listed in a note under the axis."""
        outside = _annotate(ax, annotations, self.edges[0], self.edges[-1], self.th, kws)
        if outside:
            dates = self.dates
            if self.end is not None:
                dates = dates[dates < utc(self.end)]
            last = dates.max().strftime("%d %b %Y")
            ax.text(0, -0.075, "Outside this data (to " + last + "): " + "; ".join(outside),
                    transform=ax.transAxes, ha="left", va="top", fontsize=8, color=self.th.muted,
                    gid="annotations-outside")

    def add_labels(self, ax: Axes, title: str | None, legend: bool) -> None:
        """The title, and the actor legend above the plot (bars only)."""
        bars = self.kind == "bar"
        if title:
            ax.set_title(_text.label(title, max_len=120), loc="left", pad=26 if legend and bars else 8)
        if legend and bars:
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                      ncol=min(len(labels), 10), frameon=False, fontsize=8.5, borderaxespad=0.3,
                      columnspacing=1.4, handlelength=1.4)


def _claims(posts: pd.DataFrame) -> pd.DataFrame:
    """A posts table as it is; a table with group, victim and date columns tidied into one
    (aliases merged); a table of dates and actors alone with the actors' names merged."""
    if is_posts_table(posts):
        return posts
    found = standard_fields(posts.columns)
    if {"group_name", "post_title"} <= set(found):
        return as_posts(posts)
    if "actor" in posts.columns:
        return posts.assign(actor=posts["actor"].map(display_actor))
    return posts


def _period_after(start: np.datetime64, freq: str) -> np.datetime64:
    """The start of the period after the one starting at ``start`` (a day, Monday week or month)."""
    if freq == "M":
        return (start.astype("datetime64[M]") + 1).astype("datetime64[ns]")
    return start.astype("datetime64[D]").astype("datetime64[ns]") + {"D": np.timedelta64(1, "D"),
                                                                     "W": np.timedelta64(7, "D")}[freq]


def _annotate(ax, annotations, x0: float, x1: float, th, kws: dict) -> list[str]:
    """Draw annotations inside [x0, x1]; return the texts of those outside it."""
    from matplotlib.dates import date2num

    if annotations is None:
        return []
    items = annotations_from(annotations) if isinstance(annotations, pd.DataFrame) \
        else [(a[0], None, a[1]) if len(a) == 2 else tuple(a) for a in annotations]
    inside, outside = [], []
    for s, e, label in items:
        s = utc(s)
        e = utc(e) if e is not None else None
        xs = date2num(s.tz_convert(None).to_datetime64())
        xe = date2num(e.tz_convert(None).to_datetime64()) if e is not None else None
        if x0 <= xs <= x1:
            inside.append((xs, xe, label))
        else:
            when = s.strftime("%d %b %Y") if e is None or (e - s) <= pd.Timedelta(days=1) else \
                f"{s:%d}–{(e - pd.Timedelta(days=1)):%d %b %Y}"
            outside.append(f"{_text.label(label, max_len=60)} ({when})")
    if not inside:
        return outside
    rend = _labels.renderer(ax.figure)
    per_px = _labels.data_per_pixel(ax, rend)
    texts = []
    for xs, xe, label in inside:
        if xe is not None and xe - xs > 1.5:
            ax.axvspan(xs, xe, **{"color": th.foreground, "alpha": 0.12, "linewidth": 0, **kws})
        else:
            ax.axvline(xs, **{"color": th.foreground, "linewidth": 0.9, "linestyle": (0, (4, 3)),
                              **kws})
        texts.append(ax.text(xs, 0, " " + _text.label(label, max_len=50), fontsize=8.5,
                             color=th.foreground, va="top", ha="left", gid="annotation",
                             transform=ax.get_xaxis_transform(),
                             bbox={"boxstyle": "square,pad=0.1", "facecolor": th.background,
                                   "edgecolor": "none", "alpha": 0.85}))
    widths = _labels.measure(texts, rend)
    xs = np.array([i[0] for i in inside])
    w = widths[:, 0] * per_px
    right = xs + w <= x1
    lo = np.where(right, xs, xs - w)
    rows = _labels.pack(lo, lo + w * 1.04)
    line_h = widths[:, 1].max() / ax.get_window_extent(rend).height * 1.15
    for t, r, ok in zip(texts, rows, right, strict=True):
        t.set_y(0.985 - r * line_h)
        t.set_horizontalalignment("left" if ok else "right")
    return outside
