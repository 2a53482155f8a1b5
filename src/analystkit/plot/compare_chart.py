"""Several incidents on one "days since day 0" axis: disruption bars and recovery milestones.

Each incident gets a block of rows: one bar per disruption period, labelled with its length in
days, and one row of markers for the moments that frame it (intrusion, disclosure, recovery
steps). Day 0 comes from :func:`analystkit.timeline.day0_of`: an event id, a category, a date,
a mapping per incident, or each case's ``day0`` (via :func:`analystkit.timeline.combine`).
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
    as_of : end of ongoing periods.
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
    th = _theme.current()
    if as_of is None and "as_of" in events and events["as_of"].notna().any():
        as_of = events["as_of"].max()
    zero = _tl.day0_of(events, day0)
    inc_col = events["incident"].astype(str) if "incident" in events \
        else pd.Series("", index=events.index)
    keep = inc_col.isin(list(zero)).to_numpy()
    keep &= events["category"].isin([bars, *points]).to_numpy()
    a = _tl.align(events[keep], day0={k: v for k, v in zero.items()}, as_of=as_of)
    if a.empty:
        return ax
    incidents = [i for i in pd.unique(inc_col[keep]) if i in zero]
    titles = dict(names or {})
    if "incident_title" in a:
        for inc, t in zip(a["incident"], a["incident_title"], strict=True):
            titles.setdefault(inc, t)

    is_bar = a["category"].eq(bars).to_numpy() & a["kind"].eq("period").to_numpy()
    is_pt = ~is_bar & a["category"].isin(points).to_numpy()
    if max_days is None:
        bar_end = a["end"][is_bar]
        max_days = float(np.ceil(bar_end.max() * 1.1 if len(bar_end) else a["start_hi"].max()))
    x_max = float(max_days) + 3
    beyond = is_pt & (a["start"].to_numpy(dtype=float) > x_max)
    is_pt &= ~beyond
    x_min = min(float(np.nanmin(a["lo"][is_bar | is_pt])), 0.0) - 3
    ax.set_xlim(x_min, x_max)
    rend = _labels.renderer(ax.figure)
    per_px = _labels.data_per_pixel(ax, rend)
    gap = 4 * ax.figure.dpi / 72 * per_px

    rows_y, blocks = [], []
    y = 0.0
    for inc in incidents:
        y += 1.0  # header row: incident name and its key durations
        mine = np.flatnonzero((a["incident"].astype(str) == inc).to_numpy() & is_bar)
        mine = mine[np.lexsort((a["end"].to_numpy()[mine], a["start"].to_numpy()[mine]))]
        block_top = y
        for i in mine:
            rows_y.append((i, y + 0.5))
            y += 1
        pts = np.flatnonzero((a["incident"].astype(str) == inc).to_numpy() & is_pt)
        blocks.append((inc, block_top, y, pts))
        y += 1.3  # milestone row, then a gap before the next incident
    total = y
    ax.set_ylim(total - 0.2, -0.2)
    bar_idx = np.array([i for i, _ in rows_y], dtype=int)
    bar_y = np.array([yy for _, yy in rows_y])
    status = a["status"].astype(str).to_numpy()
    colors = a["category"].map(th.category_color).to_numpy()
    eprec = a["end_precision"].astype(str).to_numpy() if "end_precision" in a \
        else a["precision"].astype(str).to_numpy()
    coarse_end = np.isin(eprec, ("month", "year")) & is_bar
    s = a["start"].to_numpy(dtype=float)
    e_solid = np.where(coarse_end, a["end_lo"], a["end"]).astype(float)
    e_full = a["end"].to_numpy(dtype=float)
    h = 0.62
    if len(bar_idx):
        _marks.bars(ax, s[bar_idx], np.minimum(e_solid[bar_idx], x_max), bar_y, h=h,
                   status=status[bar_idx], colors=colors[bar_idx], gid="bars", **kwargs)
        cb = coarse_end[bar_idx]
        _marks.bands(ax, e_solid[bar_idx][cb], np.minimum(e_full[bar_idx][cb], x_max), bar_y[cb],
                    h=h, status=status[bar_idx][cb], colors=colors[bar_idx][cb])
    lkw = {"fontsize": 9, "color": th.foreground, "va": "center",
           "bbox": {"boxstyle": "square,pad=0.12", "facecolor": th.background, "edgecolor": "none",
                    "alpha": 0.85}, **(label_kws or {})}
    for i, yy in zip(bar_idx, bar_y, strict=True):
        first = np.floor(s[i])  # calendar days covered, both ends counted
        hi_days = np.ceil(e_full[i]) - first
        lo_days = np.ceil(e_solid[i]) - first + 1 if coarse_end[i] else hi_days
        label = f"{_text.label(a['title'].iat[i], max_len=48)} · {_days_text(lo_days, hi_days)}"
        t = ax.text(min(e_full[i], x_max) + gap, yy, label, ha="left", gid="bar-label", **lkw)
        width = t.get_window_extent(rend).width * per_px
        if min(e_full[i], x_max) + gap + width > x_max:
            t.set_position((max(s[i], x_min) + gap, yy))
            if _theme.status_style(status[i])["fill"]:
                t.set_color("#FFFFFF")
                t.set_bbox(None)
    # milestone rows: markers per category, shape by status
    pt_idx = np.concatenate([b[3] for b in blocks]).astype(int) if blocks else np.zeros(0, int)
    pt_y = np.concatenate([np.full(len(b[3]), b[2] + 0.45) for b in blocks]) if blocks \
        else np.zeros(0)
    px = np.where(a["precision"].astype(str).to_numpy() == "approximate", s + 0.5,
                  (s + a["start_hi"].to_numpy(dtype=float)) / 2)
    vis = px[pt_idx] <= x_max
    _marks.markers(ax, px[pt_idx][vis], pt_y[vis], status=status[pt_idx][vis],
                  colors=colors[pt_idx][vis], size=36, **(marker_kws or {}))

    quoted = _tl.durations(events[keep], day0=zero, as_of=as_of)
    for k, (inc, top, bottom, _) in enumerate(blocks):
        if k % 2 == 0:
            ax.axhspan(top - 1.1, bottom + 0.95, color=th.grid, alpha=0.35, linewidth=0, zorder=0)
        head = ax.text(x_min + gap, top - 0.45, _text.label(titles.get(inc, inc), max_len=70),
                       fontsize=10, fontweight="bold", va="center", ha="left", gid="incident",
                       color=th.foreground)
        summary = _summary(quoted[quoted["incident"].eq(inc)])
        if summary:
            ax.annotate(summary, xy=(1, 0.5), xycoords=head, xytext=(10, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=9,
                        color=th.muted, gid="incident-summary")
    ax.set_yticks([])
    if beyond.any():
        ax.text(1, -0.075, f"{int(beyond.sum())} later event{'s' if beyond.sum() != 1 else ''} "
                f"beyond day {max_days:g} not shown", transform=ax.transAxes, ha="right", va="top",
                fontsize=8, color=th.muted)
    ax.vlines([0.0] * len(blocks), [b[1] - 0.1 for b in blocks], [b[2] + 0.95 for b in blocks],
              colors=th.foreground, linewidth=1.0, zorder=1.5, gid="day0")
    ax.set_xlabel("Days since day 0")
    ax.grid(axis="x", color=th.grid, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(_text.label(title, max_len=120), loc="left", pad=34 if legend else 8)
    if legend:
        from matplotlib.legend_handler import HandlerTuple

        cats = [c for c in (bars, *points) if c in set(a["category"][is_bar | is_pt])]
        notes = ["band"] if coarse_end.any() else []
        handles = _marks.legend_handles(sorted(set(status[is_bar | is_pt])), notes=notes,
                                       categories=cats)
        ax.legend([hh for hh, _ in handles], [lb for _, lb in handles], loc="lower left",
                  bbox_to_anchor=(0.0, 1.0), ncol=min(len(handles), 9), frameon=False,
                  fontsize=8.5, handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)},
                  handlelength=3.2, borderaxespad=0.3, columnspacing=1.4)
    return ax


_SUMMARY = (("time to disclosure", "disclosed day {:g}"),
            ("time to first recovery step", "first recovery step day {:g}"),
            ("time to full restoration", "fully restored day {}"))


def _summary(rows: pd.DataFrame) -> str:
    """'disclosed day 1 · first recovery step day 8 · fully restored day 42'."""
    parts = []
    by = rows.set_index("measure")
    for measure, fmt in _SUMMARY:
        if measure in by.index:
            r = by.loc[measure]
            days = f"{r['days_min']:g}–{r['days_max']:g}" if r["days_min"] != r["days_max"] \
                else f"{r['days']:g}"
            parts.append(fmt.replace("{:g}", "{}").format(days))
    return " · ".join(parts)
