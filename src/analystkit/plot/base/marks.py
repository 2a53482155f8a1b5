"""Drawing pieces shared by the timeline and comparison charts: status-coded bars and markers.

Everything is drawn as collections (one per status and colour), never one artist per event, so a
chart of 100,000 events stays quick. Status is coded redundantly: fill, hatch, edge line style
and marker shape (see :func:`analystkit.theme.status_style`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ... import theme as _theme
from ...schema import STATUSES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CONFLICT_MARK", "PRECISION_NOTES", "bands", "bars", "conflict_marks", "fades",
           "legend_handles", "markers", "rgba", "whiskers"]

#: Legend wording for the ways an uncertain date is drawn.
PRECISION_NOTES = {
    "band": "month known, day not (light band)",
    "whisker": "date ± 1 day (whiskers)",
    "open": "ongoing at the as-of date (fading end)",
    "conflict": "sources disagree",
}
#: The sign put after the label of an event that sources disagree on (drawn alone when unlabelled).
CONFLICT_MARK = "\u2260"


def rgba(colors) -> np.ndarray:
    """RGBA rows for an array of colour names, converting each distinct name once."""
    from matplotlib.colors import to_rgba_array

    colors = np.asarray(colors, dtype=object)
    if not len(colors):
        return np.zeros((0, 4))
    names, inverse = np.unique(colors.astype(str), return_inverse=True)
    return to_rgba_array(list(names))[inverse]


def _rects(x0: np.ndarray, x1: np.ndarray, y: np.ndarray, h: float) -> np.ndarray:
    verts = np.empty((len(x0), 4, 2))
    verts[:, 0, 0] = verts[:, 1, 0] = x0
    verts[:, 2, 0] = verts[:, 3, 0] = x1
    verts[:, 0, 1] = verts[:, 3, 1] = y - h / 2
    verts[:, 1, 1] = verts[:, 2, 1] = y + h / 2
    return verts


def _status_groups(status: np.ndarray, colors: np.ndarray, dense: bool = False):
    """(status, colour, mask) for each status present, split by colour where hatch needs it."""
    for s in (*STATUSES, *sorted(set(status) - set(STATUSES))):
        mask = status == s
        if not mask.any():
            continue
        style = _theme.status_style(s)
        if style["hatch"] and not dense:
            for c in np.unique(colors[mask]):
                yield s, style, mask & (colors == c)
        else:
            yield s, style, mask


def bars(ax: Axes, x0, x1, y, *, h: float, status, colors, dense: bool = False,
         gid: str = "bars", **kwargs) -> list:
    """Period bars coded by status: one PolyCollection per status (and colour when hatched)."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba_array

    x0, x1, y = map(np.asarray, (x0, x1, y))
    status, colors = np.asarray(status, dtype=object), np.asarray(colors, dtype=object)
    bg = to_rgba_array([_theme.current().background])[0]
    out = []
    for s, style, mask in _status_groups(status, colors, dense):
        edge = rgba(colors[mask])
        face = edge.copy()
        if dense:  # no outlines or hatches: unfilled statuses become pale fills
            face[:, 3] = style["alpha"] if style["fill"] else 0.3
            edge, width, hatch = "none", 0.0, None
        elif style["fill"]:
            face[:, 3] = style["alpha"]
            width, hatch = 0.6, None
        else:
            face[:] = bg
            face[:, 3] = 0.9
            width, hatch = 1.0, style["hatch"] or None
        coll = PolyCollection(_rects(x0[mask], x1[mask], y[mask], h), facecolors=face,
                              edgecolors=edge, linewidths=width, linestyles=style["linestyle"],
                              hatch=hatch, zorder=2, **kwargs)
        coll.set_gid(f"{gid}-{s}")
        ax.add_collection(coll, autolim=False)
        out.append(coll)
    return out


def bands(ax: Axes, x0, x1, y, *, h: float, status, colors, gid: str = "bands") -> list:
    """Light bands for dates known only to the month (or year): edge style still shows status."""
    from matplotlib.collections import PolyCollection

    x0, x1, y = map(np.asarray, (x0, x1, y))
    status, colors = np.asarray(status, dtype=object), np.asarray(colors, dtype=object)
    out = []
    for s in pd_unique(status):
        mask = status == s
        edge = rgba(colors[mask])
        face = edge.copy()
        face[:, 3] = 0.22
        coll = PolyCollection(_rects(x0[mask], x1[mask], y[mask], h), facecolors=face,
                              edgecolors=edge, linewidths=0.8,
                              linestyles=_theme.status_style(s)["linestyle"], zorder=1.8)
        coll.set_gid(f"{gid}-{s}")
        ax.add_collection(coll, autolim=False)
        out.append(coll)
    return out


def pd_unique(values: np.ndarray) -> list:
    """Unique values in order of first appearance."""
    seen: dict = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def fades(ax: Axes, x0, x1, y, *, h: float, colors, steps: int = 6, gid: str = "open-ends"):
    """Fading tails for ongoing periods plus an arrowhead at the as-of date."""
    from matplotlib.collections import PolyCollection

    x0, x1, y = map(np.asarray, (x0, x1, y))
    if not len(x0):
        return None
    base = rgba(colors)
    edges = x0[:, None] + (x1 - x0)[:, None] * np.linspace(0, 1, steps + 1)[None, :]
    verts, face = [], []
    for k in range(steps):
        verts.append(_rects(edges[:, k], edges[:, k + 1], y, h))
        c = base.copy()
        c[:, 3] = 0.85 * (1 - (k + 1) / (steps + 1))
        face.append(c)
    coll = PolyCollection(np.concatenate(verts), facecolors=np.concatenate(face),
                          edgecolors="none", zorder=2)
    coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    ax.scatter(x1, y, marker=">", s=28, c=base, zorder=2.5, linewidths=0, gid=f"{gid}-arrows")
    return coll


def whiskers(ax: Axes, x0, x1, y, *, color, cap: float, gid: str = "whiskers"):
    """Horizontal uncertainty whiskers with end caps (``cap`` is half a cap's height)."""
    from matplotlib.collections import LineCollection

    x0, x1, y = map(np.asarray, (x0, x1, y))
    if not len(x0):
        return None
    segs = [np.stack([np.c_[x0, y], np.c_[x1, y]], axis=1),
            np.stack([np.c_[x0, y - cap], np.c_[x0, y + cap]], axis=1),
            np.stack([np.c_[x1, y - cap], np.c_[x1, y + cap]], axis=1)]
    colors = list(color) * 3 if not isinstance(color, str) else color
    coll = LineCollection(np.concatenate(segs), colors=colors, linewidths=1.0, zorder=2.6)
    coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    return coll


def markers(ax: Axes, x, y, *, status, colors, size: float = 42.0, gid: str = "points",
            dense: bool = False, **kwargs) -> list:
    """Point events: one scatter per status, marker shape and fill from the status style."""
    x, y = np.asarray(x), np.asarray(y)
    status, colors = np.asarray(status, dtype=object), np.asarray(colors, dtype=object)
    bg = _theme.current().background
    out = []
    for s in (*STATUSES, *sorted(set(status) - set(STATUSES))):
        mask = status == s
        if not mask.any():
            continue
        style = _theme.status_style(s)
        cols = rgba(colors[mask])
        opts = {"s": size, "marker": style["marker"], "zorder": 3, "linewidths": 1.3, **kwargs}
        if style["fill"]:
            cols[:, 3] = max(style["alpha"], 0.75)
            edge = "face" if dense else bg
            opts["linewidths"] = 0 if dense else opts["linewidths"]
            coll = ax.scatter(x[mask], y[mask], c=cols, edgecolors=edge, **opts)
        elif dense:  # thousands of points: hollow outlines are slow to draw, pale fills are not
            cols[:, 3] = 0.45
            coll = ax.scatter(x[mask], y[mask], c=cols, edgecolors="face", **{**opts, "linewidths": 0})
        else:
            coll = ax.scatter(x[mask], y[mask], facecolors=bg, edgecolors=cols, **opts)
        coll.set_gid(f"{gid}-{s}")
        out.append(coll)
    return out


def conflict_marks(ax: Axes, x, y, *, color, dense: bool = False, gid: str = "conflicts"):
    """A small ≠ just above each unlabelled event that sources disagree on (one scatter)."""
    x, y = np.asarray(x), np.asarray(y)
    if not len(x):
        return None
    return ax.scatter(x, y, marker=f"${CONFLICT_MARK}$", s=22.0 if dense else 30.0, c=[color], linewidths=0,
                      zorder=3.2, gid=gid)


def legend_handles(statuses, *, notes=(), categories=(), bar: bool = True) -> list:
    """Legend entries: status (bar swatch + marker), precision notes, category colours."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    th = _theme.current()
    fg, bg = th.muted, th.background
    handles = []
    for s in (*STATUSES, *sorted(set(statuses) - set(STATUSES))):
        if s not in set(statuses):
            continue
        st = _theme.status_style(s)
        patch = Patch(facecolor=fg if st["fill"] else bg, alpha=None, edgecolor=fg,
                      hatch=st["hatch"] or None, linestyle=st["linestyle"], label=s)
        if st["fill"]:
            patch.set_alpha(st["alpha"])
        mark = Line2D([], [], marker=st["marker"], linestyle="none", markersize=7,
                      markerfacecolor=fg if st["fill"] else bg, markeredgecolor=fg)
        handles.append(((patch, mark) if bar else mark, s))
    for key in notes:
        if key == "band":
            h = Patch(facecolor=fg, alpha=0.25, edgecolor=fg)
        elif key == "whisker":
            h = Line2D([], [], color=fg, marker="|", markersize=8, linewidth=1.0)
        elif key == "conflict":
            h = Line2D([], [], color=th.foreground, marker=f"${CONFLICT_MARK}$", linestyle="none",
                       markersize=7, markeredgewidth=0)
        else:
            h = Patch(facecolor=fg, alpha=0.35, edgecolor="none")
        handles.append((h, PRECISION_NOTES[key]))
    for cat in categories:
        handles.append((Patch(facecolor=th.category_color(cat), edgecolor="none"), cat))
    return handles
