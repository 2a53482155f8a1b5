"""Labels of the actor → victim chart: radial ring labels, highlight call-outs, actor names.

On a labelled ring every victim (and group heading) is written radially outwards from its dot,
its font shrunk to the slot spacing so labels cannot overlap; in a dense field only actors and
highlighted victims are labelled. :func:`label_limit` measures the drawn labels and gives the
axis half-width that makes them all fit inside the Axes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..text import label as _safe
from .graph_layout import HEADER, R_OUT
from .graph_nodes import actor_size

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from .. import theme as _theme

__all__ = ["draw_labels", "label_limit"]


def draw_labels(ax: Axes, pos: pd.DataFrame, act: pd.DataFrame, dense: bool, show_victims: bool,
                highlight: set, scale: float, lkws: dict, th: _theme.Theme) -> list:
    """Draw the chart's labels (victims or highlights, then actors) and return the ``Text`` objects.

    ``act`` holds the actors' rows of ``pos`` with their ``victims``; ``scale`` is points per
    data unit; ``lkws`` overrides every label's properties.
    """
    fs = 7.5 if dense else _victim_fontsize(pos, scale)
    if show_victims and not dense:
        texts = _ring_labels(ax, pos, highlight, fs, lkws, th)
    elif highlight:
        texts = _highlight_labels(ax, pos, highlight, lkws, th)
    else:
        texts = []
    return texts + _actor_labels(ax, act, dense, show_victims, fs, lkws, th)


def _ring_labels(ax: Axes, pos: pd.DataFrame, highlight: set, fs: float, lkws: dict,
                 th: _theme.Theme) -> list:
    """Every victim and group heading of a labelled ring, written radially."""
    texts = []
    ring = pos[~pos["role"].eq("actor")]
    for row in ring.itertuples(index=False):
        if row.role == HEADER:
            kws = {"fontsize": fs, "fontstyle": "italic", "color": th.muted, "fontweight": "bold"}
            text = _safe(row.label.replace("-", " ").upper(), max_len=28, defang_hosts=False)
        else:
            kws = {"fontsize": fs, "color": th.foreground,
                   "fontweight": "bold" if row.label in highlight else "normal"}
            text = _safe(row.label, max_len=30)
        t = _radial_text(ax, row.x, row.y, row.angle, text, 7.0 + fs * 0.3, **{**kws, **lkws})
        t.set_gid(f"label:{row.role}")
        texts.append(t)
    return texts


def _highlight_labels(ax: Axes, pos: pd.DataFrame, highlight: set, lkws: dict, th: _theme.Theme) -> list:
    """Boxed call-outs, pointing inwards, for the highlighted victims of a dense field."""
    texts = []
    for row in pos[pos["label"].isin(highlight) & pos["role"].eq("victim")].itertuples(index=False):
        t = ax.annotate(_safe(row.label, max_len=30), (row.x, row.y),
                        xytext=(-34 * math.cos(row.angle), -34 * math.sin(row.angle)),
                        textcoords="offset points", ha="center", va="center", zorder=7,
                        arrowprops={"arrowstyle": "-", "color": th.foreground, "lw": 0.8,
                                    "shrinkB": 3},
                        **{"fontsize": 8, "fontweight": "bold", "color": th.foreground,
                           "bbox": {"boxstyle": "round,pad=0.2", "fc": th.background,
                                    "ec": th.muted, "lw": 0.6}, **lkws})
        t.set_gid("label:highlight")
        texts.append(t)
    return texts


def _actor_labels(ax: Axes, act: pd.DataFrame, dense: bool, show_victims: bool, fs: float, lkws: dict,
                  th: _theme.Theme) -> list:
    """Actor names: outside the ring with their count, boxed at the centre, or on the inner ring."""
    texts = []
    single = len(act) == 1
    radii = np.sqrt(actor_size(act["victims"].to_numpy(), dense)) / 2
    for row, radius in zip(act.itertuples(index=False), radii, strict=True):
        name = _safe(row.label, max_len=24)
        if dense or not show_victims:
            x, y = R_OUT * math.cos(row.angle), R_OUT * math.sin(row.angle)
            t = _radial_text(ax, x, y, row.angle, f"{name}  {row.victims:,}", 10.0,
                             **{"fontsize": fs, "fontweight": "bold", "color": th.roles["actor"], **lkws})
        elif single:
            t = ax.text(row.x, row.y, name, ha="center", va="center", zorder=6,
                        **{"fontsize": 10, "fontweight": "bold", "color": th.foreground,
                           "bbox": {"boxstyle": "round,pad=0.3", "fc": th.background,
                                    "ec": th.roles["actor"], "lw": 1.2}, **lkws})
            t._ak_r = 0.0
        else:  # on the inner ring, written outwards along the actor's fan, with a halo
            from matplotlib import patheffects

            halo = [patheffects.withStroke(linewidth=3, foreground=th.background)]
            t = _radial_text(ax, row.x, row.y, row.angle, name, float(radius) + 3, zorder=6,
                             **{"fontsize": 9, "fontweight": "bold", "color": th.foreground,
                                "path_effects": halo, **lkws})
            t._ak_r = 0.0
        t.set_gid("label:actor")
        texts.append(t)
    return texts


def label_limit(ax: Axes, texts: list, half_px: float, lim: float, rend) -> float:
    """The axis half-width that makes every label fit inside the Axes (a few pixels spare).

    ``half_px`` is half the Axes' smaller side in pixels and ``lim`` the current half-width.
    """
    centre = ax.transData.transform((0.0, 0.0))
    s_px = half_px / lim
    best = s_px * 1.6
    for t in texts:
        r = getattr(t, "_ak_r", 0.0)
        if r <= 0:
            continue
        b = t.get_window_extent(rend)
        corners = np.array([[b.x0, b.y0], [b.x0, b.y1], [b.x1, b.y0], [b.x1, b.y1]]) - centre
        far = float(np.abs(corners).max()) if getattr(t, "_ak_square", True) else 0.0
        best = min(best, (half_px - 6 - (far - r * s_px)) / r)
    best = max(best, half_px / 4)
    return float(max(half_px / best, 1.08))


def _offset(ax: Axes, angle: float, points: float):
    from matplotlib.transforms import ScaledTranslation

    return ax.transData + ScaledTranslation(points * math.cos(angle) / 72,
                                            points * math.sin(angle) / 72, ax.figure.dpi_scale_trans)


def _radial_text(ax: Axes, x: float, y: float, angle: float, text: str, pad: float, **kws: Any):
    deg = math.degrees(angle) % 360
    flip = 90 < deg < 270
    t = ax.text(x, y, text, rotation=deg - 180 if flip else deg, rotation_mode="anchor",
                ha="right" if flip else "left", va="center", transform=_offset(ax, angle, pad), **kws)
    t._ak_r = math.hypot(x, y)
    return t


def _victim_fontsize(pos: pd.DataFrame, scale: float) -> float:
    n_slots = max(int((~pos["role"].eq("actor")).sum()), 1)
    return float(np.clip(2 * math.pi * R_OUT * scale / n_slots / 1.5, 4.5, 8.5))
