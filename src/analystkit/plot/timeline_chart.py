"""The disruption timeline: events in lanes, periods as bars, points as markers, milestones.

Lanes come from any column (``category`` by default). Inside a lane, events are packed into rows
so that every label sits beside its own bar or marker without touching another label or bar.
Precision is drawn honestly (a month-precise date is a light band across its month, an
approximate one has whiskers, an ongoing period fades out at the as-of date) and status is coded
by fill, hatch, edge style and marker shape. Above ``max_labels`` events the chart switches to a
dense drawing: one row per lane, no per-event labels, hatching off, still a handful of
collections whatever the number of events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import text as _text
from .. import theme as _theme
from .. import timeline as _tl
from ..schema import CATEGORIES
from .base import labels as _labels
from .base import marks as _marks
from .base.dates import date_axis, display_zone

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["milestones_from", "timeline"]

_MILESTONE_NAMES = {
    "time to disclosure": "First disclosure",
    "time to first recovery step": "First recovery step",
    "time to full restoration": "Full restoration",
}


def milestones_from(events: pd.DataFrame, *, day0: object = None,
                    as_of: object = None) -> list[tuple[pd.Timestamp, str]]:
    """Key moments of each incident for reference lines: day 0, first disclosure, first recovery
    step and full restoration, computed by :func:`analystkit.timeline.durations`.

    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> [label for _, label in milestones_from(ev)]
    ['Day 0', 'First disclosure · day 1', 'First recovery step · day 8', 'Full restoration · day 42']
    """
    if events.empty:
        return []
    d = _tl.durations(events, day0=day0, as_of=as_of)
    out = []
    for incident, d0 in _tl.day0_of(events, day0).items():
        rows = d[d["incident"].eq(incident)]
        if rows.empty:
            continue
        out.append((d0, "Day 0"))
        for _, r in rows.iterrows():
            if r["measure"] in _MILESTONE_NAMES:
                out.append((r["end"], f"{_MILESTONE_NAMES[r['measure']]} · day {r['days']:g}"))
    return out


def _lanes(values: pd.Series, starts: pd.Series, lane: str) -> list:
    present = list(pd.unique(values))
    if lane == "category":
        return [c for c in CATEGORIES if c in present] + sorted(set(present) - set(CATEGORIES))
    first = starts.groupby(values.to_numpy()).min()
    return list(first.sort_values(kind="stable").index)


def _num(stamps: pd.Series) -> np.ndarray:
    from matplotlib.dates import date2num

    return date2num(stamps.dt.tz_convert(None).to_numpy())


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
    if ax is None:
        ax = _labels.new_axes()
        own_figure = True
    else:
        own_figure = False
    if events is None or len(events) == 0:
        return ax
    if lane not in events.columns:
        raise KeyError(f"no column {lane!r} for lanes (columns: {', '.join(events.columns)})")
    th = _theme.current()
    zone, zone_name = display_zone(tz)
    if as_of is None and "as_of" in events and events["as_of"].notna().any():
        as_of = events["as_of"].dropna().iloc[0]
    ex = _tl.extents(events, as_of=as_of)
    hidden = 0
    if window is not None:
        w0, w1 = (pd.Timestamp(w).tz_localize("UTC") if pd.Timestamp(w).tzinfo is None
                  else pd.Timestamp(w).tz_convert("UTC") for w in window)
        inside = (ex["hi"] >= w0) & (ex["lo"] <= w1)
        hidden = int((~inside).sum())
        events, ex = events[inside.to_numpy()], ex[inside]
        if events.empty:
            return ax
    n = len(events)
    lanes = _lanes(events[lane], events["start"], lane)
    lane_of = events[lane].map({v: i for i, v in enumerate(lanes)}).to_numpy()

    lo, hi = _num(ex["lo"]), _num(ex["hi"])
    start, start_hi = _num(ex["start"]), _num(ex["start_hi"])
    end_lo, end = _num(ex["end_lo"]), _num(ex["end"])
    period = ex["kind"].eq("period").to_numpy()
    is_open = ex["open"].to_numpy()
    prec = events["precision"].astype(str).to_numpy()
    eprec = events["end_precision"].astype(str).to_numpy() if "end_precision" in events else prec
    eprec = np.where(eprec == "", prec, eprec)
    coarse_start = np.isin(prec, ("month", "year"))
    coarse_end = period & np.isin(eprec, ("month", "year"))
    approx_start = prec == "approximate"
    approx_end = period & (eprec == "approximate")
    status = events["status"].astype(str).to_numpy()
    colors = events["category"].map(th.category_color).to_numpy() if "category" in events \
        else np.full(n, th.muted, dtype=object)

    if window is not None:
        x0, x1 = _num(pd.Series([w0, w1]))
    else:
        x0, x1 = lo.min(), hi.max()
        pad = max((x1 - x0) * 0.02, 0.5)
        x0, x1 = x0 - pad, x1 + pad
    ax.set_xlim(x0, x1)

    if isinstance(labels, str) and labels == "auto":
        labelled = np.full(n, n <= max_labels)
    elif labels is True or labels is False:
        labelled = np.full(n, bool(labels))
    else:
        labelled = events["event_id"].isin(list(labels)).to_numpy()
    dense = n > max_labels

    fig = ax.figure
    rend = _labels.renderer(fig)
    per_px = _labels.data_per_pixel(ax, rend)
    dpi_scale = fig.dpi / 72.0
    # where each item is drawn: points sit mid-span (mid-day for day precision)
    px = np.where(approx_start, start + 0.5, (start + start_hi) / 2)
    px = np.where(coarse_start & ~period, (start + start_hi) / 2, px)
    vis_lo = np.minimum(lo, px - 4 * dpi_scale * per_px)
    vis_hi = np.maximum(hi, px + 4 * dpi_scale * per_px)
    vis_hi = np.where(period, np.maximum(hi, end), vis_hi)
    vis_lo, vis_hi = np.clip(vis_lo, x0, x1), np.clip(vis_hi, x0, x1)

    lkw = {"fontsize": 8.5, "color": th.foreground, "va": "center", "clip_on": False,
           "bbox": {"boxstyle": "square,pad=0.12", "facecolor": th.background, "edgecolor": "none",
                    "alpha": 0.85}, **(label_kws or {})}
    texts, label_at, label_mode = [], np.zeros(n), np.zeros(n, dtype=int)
    row = np.zeros(n, dtype=int)
    lane_rows = np.ones(len(lanes), dtype=int)
    gap = 4 * dpi_scale * per_px
    if labelled.any() and not dense:
        idx = np.flatnonzero(labelled)
        texts = [ax.text(0, 0, _text.label(events["title"].iat[i], max_len=label_len), **lkw)
                 for i in idx]
        sizes = _labels.measure(texts, rend)
        width = (sizes[:, 0] + 4 * dpi_scale) * per_px
        s_vis = np.where(coarse_start, start_hi, start)[idx]
        e_vis = np.where(coarse_end, end_lo, end)[idx]
        fits_right = vis_hi[idx] + gap + width <= x1
        fits_left = vis_lo[idx] - gap - width >= x0
        fits_inside = period[idx] & (np.minimum(e_vis, x1) - np.maximum(s_vis, x0) >= width + 2 * gap)
        mode = np.where(fits_right, 0, np.where(fits_inside, 2, np.where(fits_left, 1, 0)))
        label_mode[idx] = mode
        label_at[idx] = np.select([mode == 0, mode == 1],
                                  [vis_hi[idx] + gap, vis_lo[idx] - gap],
                                  np.maximum(s_vis, x0) + gap)
        foot_lo, foot_hi = vis_lo.copy(), vis_hi.copy()
        foot_hi[idx] = np.where(mode == 0, vis_hi[idx] + gap + width, vis_hi[idx])
        foot_lo[idx] = np.where(mode == 1, vis_lo[idx] - gap - width, vis_lo[idx])
        text_h = sizes[:, 1].max()
    else:
        foot_lo, foot_hi = vis_lo, vis_hi + gap
        text_h = 0.0
    if not dense:
        for k in range(len(lanes)):
            members = np.flatnonzero(lane_of == k)
            row[members] = _labels.pack(foot_lo[members], foot_hi[members] + gap)
            lane_rows[k] = row[members].max() + 1 if len(members) else 1

    marks = _milestone_list(events, milestones, day0=day0, as_of=as_of)
    marks = [(t, s) for t, s in marks if x0 <= _num(pd.Series([t]))[0] <= x1]
    m_texts, m_rows, m_x, m_right = _place_milestones(ax, marks, rend, per_px, x1, th, gap)
    n_mrows = int(m_rows.max()) + 1 if len(m_rows) else 0
    total = n_mrows + int(lane_rows.sum())

    # make sure rows are tall enough for their labels
    need = max(text_h, *(t.get_window_extent(rend).height for t in m_texts), 0.0) * 1.3
    have = ax.get_window_extent(rend).height / total
    if need > have:
        if own_figure:
            fig.set_figheight(fig.get_figheight() * need / have * 1.02)
        else:
            scale = max(have / need, 6.0 / lkw["fontsize"])
            for t in [*texts, *m_texts]:
                t.set_fontsize(t.get_fontsize() * scale)

    lane_start = n_mrows + np.concatenate([[0], np.cumsum(lane_rows)[:-1]])
    y = lane_start[lane_of] + row + 0.5
    h = 0.62 if not dense else 0.7

    # lanes: alternate shading and names
    for k in range(len(lanes)):
        if k % 2 == 0:
            ax.axhspan(lane_start[k], lane_start[k] + lane_rows[k], color=th.grid, alpha=0.35,
                       linewidth=0, zorder=0)
    ax.set_yticks(lane_start + lane_rows / 2)
    ax.set_yticklabels([_text.label(str(v).replace("-", " ").capitalize() if lane == "category"
                                    else v, max_len=28) for v in lanes])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(total, 0)

    # periods: solid part, month bands, fading open ends, whiskers
    s0 = np.where(coarse_start, start_hi, start)
    e0 = np.where(coarse_end, end_lo, end)
    fade = np.where(is_open, np.minimum((e0 - s0) * 0.25, 14.0), 0.0)
    p = period & (e0 > s0)
    _marks.bars(ax, s0[p], (e0 - fade)[p], y[p], h=h, status=status[p], colors=colors[p],
               dense=dense, gid="bars", **kwargs)
    po = p & is_open
    _marks.fades(ax, (e0 - fade)[po], e0[po], y[po], h=h, colors=colors[po])
    band_lo = np.concatenate([start[coarse_start], end_lo[coarse_end]])
    band_hi = np.concatenate([start_hi[coarse_start], end[coarse_end]])
    band_y = np.concatenate([y[coarse_start], y[coarse_end]])
    band_status = np.concatenate([status[coarse_start], status[coarse_end]])
    band_col = np.concatenate([colors[coarse_start], colors[coarse_end]])
    _marks.bands(ax, band_lo, band_hi, band_y, h=h, status=band_status, colors=band_col)
    cap = h * 0.3
    w_lo = np.concatenate([lo[approx_start], end_lo[approx_end]])
    w_hi = np.concatenate([start_hi[approx_start], ex["hi"].pipe(_num)[approx_end]])
    w_y = np.concatenate([y[approx_start], y[approx_end]])
    _marks.whiskers(ax, w_lo, w_hi, w_y, color=th.foreground, cap=cap)
    pts = ~period & ~coarse_start
    _marks.markers(ax, px[pts], y[pts], status=status[pts], colors=colors[pts], dense=dense,
                  size=18.0 if dense else 42.0,
                  **(marker_kws or {}))

    # event labels beside their items
    for t, i in zip(texts, np.flatnonzero(labelled), strict=False):
        t.set_position((label_at[i], y[i]))
        t.set_horizontalalignment("right" if label_mode[i] == 1 else "left")
        if label_mode[i] == 2:  # inside its own bar
            t.set_gid("label-inside")
            if _theme.status_style(status[i])["fill"]:
                t.set_color(_contrast(colors[i]))
                t.set_bbox(None)

    # milestones: lines from their label row down through the lanes
    if marks:
        mkw = {"colors": th.muted, "linestyles": (0, (4, 3)), "linewidths": 0.9, "zorder": 1,
               **(milestone_kws or {})}
        ax.vlines(m_x, m_rows + 0.5, total, **mkw)
        for t, r, xx, right in zip(m_texts, m_rows, m_x, m_right, strict=True):
            t.set_position((xx + (gap if right else -gap), r + 0.5))
            t.set_horizontalalignment("left" if right else "right")

    date_axis(ax, zone, zone_name)
    if hidden:
        ax.text(0, -0.075, f"{hidden} event{'s' if hidden != 1 else ''} outside the window "
                "not shown", transform=ax.transAxes, ha="left", va="top", fontsize=8,
                color=th.muted)
    if title:
        ax.set_title(_text.label(title, max_len=120), loc="left", pad=34 if legend else 8)
    if legend:
        notes = [k for k, m in (("band", coarse_start.any() or coarse_end.any()),
                                ("whisker", approx_start.any() or approx_end.any()),
                                ("open", is_open.any())) if m]
        cats = sorted(set(events["category"])) if lane != "category" and "category" in events \
            else ()
        _legend(ax, sorted(set(status)), notes, cats)
    return ax


def _contrast(color: str) -> str:
    """Black or white, whichever reads better on ``color``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#FFFFFF"


def _milestone_list(events, milestones, *, day0, as_of) -> list[tuple[pd.Timestamp, str]]:
    if milestones is None or (isinstance(milestones, str) and milestones == "none"):
        return []
    if isinstance(milestones, str) and milestones == "auto":
        try:
            return milestones_from(events, day0=day0, as_of=as_of)
        except ValueError:
            return []
    out = []
    ids = events.set_index("event_id") if "event_id" in events else None
    for item in milestones:
        if isinstance(item, str) and ids is not None and item in ids.index:
            out.append((ids.loc[item, "start"], str(ids.loc[item, "title"])))
        elif isinstance(item, tuple) and len(item) == 2:
            stamp = pd.Timestamp(item[0])
            out.append((stamp if stamp.tzinfo else stamp.tz_localize("UTC"), str(item[1])))
        else:
            raise ValueError(f"milestone {item!r} is neither an event id nor a (date, text) pair")
    return out


def _place_milestones(ax, marks, rend, per_px, x1, th, gap):
    if not marks:
        return [], np.zeros(0, int), np.zeros(0), np.zeros(0, bool)
    xs = _num(pd.Series([t for t, _ in marks]))
    texts = [ax.text(0, 0, _text.label(s, max_len=60), fontsize=8.5, color=th.foreground,
                     fontweight="bold", va="center", clip_on=False,
                     bbox={"boxstyle": "square,pad=0.12", "facecolor": th.background,
                           "edgecolor": "none", "alpha": 0.9})
             for _, s in marks]
    width = (_labels.measure(texts, rend)[:, 0] + 4) * per_px
    right = xs + gap + width <= x1
    lo = np.where(right, xs, xs - gap - width)
    hi = np.where(right, xs + gap + width, xs)
    rows = _labels.pack(lo, hi + gap)
    return texts, rows, xs, right


def _legend(ax, statuses, notes, categories) -> None:
    from matplotlib.legend_handler import HandlerTuple

    handles = _marks.legend_handles(statuses, notes=notes, categories=categories)
    ax.legend([h for h, _ in handles], [lbl for _, lbl in handles], loc="lower left",
              bbox_to_anchor=(0.0, 1.0), ncol=min(len(handles), 8), frameon=False, fontsize=8.5,
              handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)}, handlelength=3.2,
              borderaxespad=0.3, columnspacing=1.4)
