"""Leak-site activity over time: victims posted per week or month by actor, with annotations.

Aliases are merged through the ``actor`` column of the posts table (``lockbit2`` and
``lockbit3`` both count as LockBit). The counting is :func:`analystkit.timeline.counts`; this
module only draws: stacked bars (``kind="bar"``) or a heat strip, one row per actor
(``kind="heat"``), plus labelled spans or lines for events such as law-enforcement operations.
Annotations outside the data's time range are not drawn on empty ground (that would read as "no
posts"); they are listed in a note under the axis instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import text as _text
from .. import theme as _theme
from .. import timeline as _tl
from .base import labels as _labels
from .base.dates import date_axis, display_zone

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["activity", "annotations_from"]

_FREQ_NAME = {"D": "day", "W": "week", "M": "month"}


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


def _stamp(value: object) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def activity(posts: pd.DataFrame, *, ax: Axes | None = None, freq: str = "W", top: int | None = 8,
             kind: str = "bar", annotations: Sequence | pd.DataFrame | None = None,
             start: object = None, end: object = None, weight: str | None = None,
             tz: object = None, title: str | None = None, legend: bool = True,
             annotation_kws: dict | None = None, **kwargs) -> Axes:
    """Draw leak-site posts per period and actor and return the Axes.

    Parameters
    ----------
    posts : the posts table (``date`` in UTC and ``actor``; see ``analystkit.schema.POSTS_COLUMNS``).
    ax : Axes to draw on; None makes a slide-size figure.
    freq : ``"W"`` (weeks from Monday), ``"M"`` (months) or ``"D"`` (days).
    top : actors shown by name (largest first); the rest are summed as ``other``.
    kind : ``"bar"`` (stacked bars) or ``"heat"`` (one strip per actor, colour = count).
    annotations : ``(date, text)``, ``(start, end, text)`` tuples, or an events DataFrame (its
        ``start``/``end``/``title``); periods are shaded, single dates are lines.
    start, end : window of dates counted.
    weight : ``"count"`` to count raw posts (re-posts included) instead of distinct claims.
    tz : display time zone (named on the axis). Periods are still cut in UTC.
    title : Axes title.
    legend : actor legend above the plot (``kind="bar"``).
    annotation_kws : passed to ``Axes.axvspan`` / ``Axes.axvline`` for annotations.
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
    table = _tl.counts(posts, freq=freq, top=top, weight=weight, start=start, end=end)
    if table.empty:
        return ax
    from matplotlib.dates import date2num

    th = _theme.current()
    zone, zone_name = display_zone(tz)
    edges_ts = table.index.tz_convert(None).to_numpy()
    left = date2num(edges_ts)
    nxt = _tl._period_range(edges_ts[-1], edges_ts[-1], freq)[-1]
    step = {"D": np.timedelta64(1, "D"), "W": np.timedelta64(7, "D")}.get(freq)
    right_edge = date2num(np.array([nxt + step if step is not None else
                                    (nxt.astype("datetime64[M]") + 1).astype("datetime64[ns]")]))[0]
    edges = np.append(left, right_edge)
    widths = np.diff(edges)
    colors = th.series_colors(len(table.columns))
    if "other" in table.columns:
        colors[list(table.columns).index("other")] = th.grid if th.name != "print" else "#BBBBBB"
    names = [_text.label(c, max_len=24) for c in table.columns]
    if kind == "bar":
        from matplotlib.collections import PolyCollection

        bottom = np.zeros(len(table))
        x0, x1 = left + widths * 0.06, left + widths * 0.94
        for col, color, name in zip(table.columns, colors, names, strict=True):
            values = table[col].to_numpy(dtype=float)
            top_ = bottom + values
            verts = np.stack([np.c_[x0, bottom], np.c_[x0, top_], np.c_[x1, top_],
                              np.c_[x1, bottom]], axis=1)
            coll = PolyCollection(verts, **{"facecolors": color, "edgecolors": "none",
                                            "linewidths": 0, "label": name, **kwargs})
            coll.set_gid(f"series-{col}")
            ax.add_collection(coll, autolim=False)
            bottom = top_
        ax.set_ylim(0, max(bottom.max(), 1) * 1.18)
        unit = "Posts" if weight else "Victims posted"
        ax.set_ylabel(f"{unit} per {_FREQ_NAME[freq]}")
        ax.grid(axis="y", color=th.grid, linewidth=0.6)
    else:
        data = table.to_numpy(dtype=float).T
        mesh = ax.pcolormesh(edges, np.arange(len(names) + 1), data,
                             **{"cmap": "Blues" if th.name != "dark" else "cividis",
                                "shading": "flat", **kwargs})
        mesh.set_gid("heat")
        ax.set_yticks(np.arange(len(names)) + 0.5)
        ax.set_yticklabels(names)
        ax.set_ylim(len(names), 0)
        bar = ax.figure.colorbar(mesh, ax=ax, fraction=0.025, pad=0.01)
        bar.ax.set_title(f"per {_FREQ_NAME[freq]}", fontsize=8, loc="left")
    ax.set_xlim(edges[0], edges[-1])
    date_axis(ax, zone, zone_name, hide_left=False)
    ax.grid(axis="x", visible=False)
    outside = _annotate(ax, annotations, edges[0], edges[-1], th, annotation_kws or {})
    if outside:
        dates = posts["date"]
        if end is not None:
            dates = dates[dates < _stamp(end)]
        last = dates.max().strftime("%d %b %Y")
        ax.text(0, -0.075, "Outside this data (to " + last + "): " + "; ".join(outside),
                transform=ax.transAxes, ha="left", va="top", fontsize=8, color=th.muted,
                gid="annotations-outside")
    if title:
        ax.set_title(_text.label(title, max_len=120), loc="left",
                     pad=26 if legend and kind == "bar" else 8)
    if legend and kind == "bar":
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncol=min(len(labels), 10), frameon=False, fontsize=8.5, borderaxespad=0.3,
                  columnspacing=1.4, handlelength=1.4)
    return ax


def _annotate(ax, annotations, x0: float, x1: float, th, kws: dict) -> list[str]:
    """Draw annotations inside [x0, x1]; return the texts of those outside it."""
    from matplotlib.dates import date2num

    if annotations is None:
        return []
    items = annotations_from(annotations) if isinstance(annotations, pd.DataFrame) \
        else [(a[0], None, a[1]) if len(a) == 2 else tuple(a) for a in annotations]
    inside, outside = [], []
    for s, e, label in items:
        s = _stamp(s)
        e = _stamp(e) if e is not None else None
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
