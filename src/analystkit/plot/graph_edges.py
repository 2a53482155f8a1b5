"""Edges of the actor → victim chart: one collection per style, or one image for a dense field.

Edges arrive as integer rows (``s`` / ``t``) into the chart's node table and are placed through
``at``, the node row of every laid-out position, so no node key is matched here. Above a size
limit a dense field of thin translucent edges is drawn as a coverage image (:func:`coverage`)
instead of a ``LineCollection``: it looks the same and takes a fraction of the time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage

    from .. import theme as _theme

__all__ = ["EDGE_KEYS", "coverage", "draw_edges", "edge_keys", "raster_lines"]

#: Edge styles in drawing order; each is one collection (or image) with gid ``edges:<key>``.
EDGE_KEYS = ("confirmed", "reported", "claimed", "disputed", "via-supplier", "supplier", "lineage", "more")
_STATUSES = ("confirmed", "reported", "claimed", "disputed")


def edge_keys(relation: pd.Series, status: pd.Series) -> np.ndarray:
    """Index into :data:`EDGE_KEYS` of each edge's style (``more`` is decided by the target).

    Examples
    --------
    >>> keys = edge_keys(pd.Series(["claimed", "via-supplier", "rebrand-of"]),
    ...                  pd.Series(["disputed", "claimed", "confirmed"]))
    >>> [EDGE_KEYS[k] for k in keys]
    ['disputed', 'via-supplier', 'lineage']
    """
    rel_code, rels = pd.factorize(relation)
    st_code, stats = pd.factorize(status)
    # one more row and column for a missing value, which factorize codes as -1
    table = np.array([[EDGE_KEYS.index(_key(r, s)) for s in [*stats, None]] for r in [*rels, None]],
                     dtype=np.int64)
    return table[rel_code, st_code]


def _key(relation: object, status: object) -> str:
    if relation == "supplier-of":
        return "supplier"
    if relation == "via-supplier":
        return "via-supplier"
    if relation in ("rebrand-of", "affiliate-of"):
        return "lineage"
    return status if status in _STATUSES else "reported"


def draw_edges(ax: Axes, pos: pd.DataFrame, edges: pd.DataFrame, n_nodes: int, *, dense: bool,
               arrows: bool | None, scale: float, edge_kws: dict | None, th: _theme.Theme,
               raster_above: int) -> tuple[list[str], bool]:
    """Draw ``edges`` between the laid-out ``pos``; return the styles present and whether arrows were drawn.

    ``pos`` carries ``at`` (row in the node table of ``n_nodes`` rows, -1 for a group heading) and
    ``edges`` carries ``s`` / ``t`` (rows of source and target in that table).
    """
    from matplotlib.collections import LineCollection, PolyCollection

    at = pos["at"].to_numpy()
    row = np.full(n_nodes + 1, -1, dtype=np.int64)  # last slot: an edge end that is not a node
    row[at[at >= 0]] = np.flatnonzero(at >= 0)
    s, t = edges["s"].to_numpy(), edges["t"].to_numpy()
    i_src, i_dst = row[np.where(s >= 0, s, n_nodes)], row[np.where(t >= 0, t, n_nodes)]
    ok = (i_src >= 0) & (i_dst >= 0)
    keys = edge_keys(edges["relation"], edges["status"])
    i_src, i_dst, keys = i_src[ok], i_dst[ok], keys[ok]
    keys[pos["role"].to_numpy(dtype=object)[i_dst] == "more"] = EDGE_KEYS.index("more")
    xy = pos[["x", "y"]].to_numpy(dtype=float)
    src, dst = xy[i_src], xy[i_dst]
    vec = dst - src
    unit = vec / np.maximum(np.hypot(vec[:, 0], vec[:, 1]), 1e-12)[:, None]
    tip = dst - unit * ((1.5 if dense else 5.5) / scale)
    del xy, dst, vec  # a million edges: keep the high-water mark down
    n = len(keys)
    draw_arrows = (n <= 2000) if arrows is None else bool(arrows)
    ekws = dict(edge_kws or {})
    alpha = ekws.pop("alpha", float(np.clip(6 / math.sqrt(max(n, 1)), 0.02, 0.3)) if dense else 0.8)
    present = []
    for code in np.unique(keys).tolist():
        key, mask = EDGE_KEYS[code], keys == code
        present.append(key)
        style = th.edges.get("claimed" if key == "more" else key, th.edges["reported"])
        color = {"supplier": th.roles["supplier"], "lineage": th.roles["actor"],
                 "more": th.muted}.get(key, th.foreground)
        lw = style.get("width", 1.0) * (0.4 if dense else 1.0)
        a = alpha if key not in ("lineage", "supplier") else max(alpha, 0.85)
        if dense and n > raster_above and not draw_arrows:
            raster_lines(ax, src[mask], tip[mask], ekws.get("colors", color),
                         ekws.get("linewidths", lw), a).set_gid(f"edges:{key}")
            continue
        lc = LineCollection(np.stack([src[mask], tip[mask]], axis=1),
                            **{"colors": color, "linestyles": style.get("linestyle", "solid"),
                               "linewidths": lw, "alpha": a, "zorder": 1, **ekws})
        lc.set_gid(f"edges:{key}")
        ax.add_collection(lc)
        if draw_arrows:
            head = _arrowheads(tip[mask], unit[mask], (3.0 if dense else 7.0) / scale)
            pc = PolyCollection(head, facecolors=color, edgecolors="none", alpha=min(1.0, a + 0.15),
                                zorder=2)
            pc.set_gid(f"arrows:{key}")
            ax.add_collection(pc)
    return present, draw_arrows


def _arrowheads(tip: np.ndarray, unit: np.ndarray, length: float) -> np.ndarray:
    normal = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    back = tip - unit * length
    return np.stack([tip, back + normal * length * 0.42, back - normal * length * 0.42], axis=1)


def raster_lines(ax: Axes, start: np.ndarray, end: np.ndarray, color: Any, width: float,
                 alpha: float) -> AxesImage:
    """Many thin translucent lines as one image that composites like the lines would.

    The image has one cell per pixel of the Axes; a cell's opacity is
    ``1 - (1 - alpha) ** (coverage * width)``, with ``coverage`` the summed length (px) of the
    lines crossing it (:func:`coverage`) and ``width`` the line width in px (at most 1), as Agg
    blends overlapping translucent strokes. Used for dense fields of tens of thousands of edges,
    where a ``LineCollection`` would take minutes to draw and looks the same (dashes are
    invisible at that width and alpha).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(2, 2), dpi=50).subplots()
    >>> _ = ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    >>> im = raster_lines(ax, np.array([[0.1, 0.5]]), np.array([[0.9, 0.5]]), "black", 1.0, 0.5)
    >>> rgba = im.get_array()
    >>> rgba.shape[2], round(float(rgba[..., 3].max()), 3), float(rgba[..., 3].min())
    (4, 0.382, 0.0)
    """
    from matplotlib.colors import to_rgb
    from matplotlib.image import AxesImage

    box = ax.get_window_extent()
    size = max(round(min(box.width, box.height)), 16)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width_px = float(width) * ax.figure.dpi / 72
    cover = coverage(start, end, (x0, x1, y0, y1), size)
    image = np.empty((size, size, 4), dtype=np.float32)
    image[..., :3] = to_rgb(color)
    image[..., 3] = 1 - (1 - alpha) ** (cover * min(width_px, 1.0))
    im = AxesImage(ax, extent=(x0, x1, y0, y1), origin="lower", interpolation="antialiased", zorder=1)
    im.set_data(image)
    ax.add_image(im)
    return im


def coverage(start: np.ndarray, end: np.ndarray, extent: tuple[float, float, float, float],
             size: int, *, chunk: int = 1 << 21) -> np.ndarray:
    """Summed length (px) of the lines ``start`` → ``end`` in each cell of a ``size`` × ``size`` grid.

    ``extent`` is ``(x0, x1, y0, y1)``, the data range the grid covers (row 0 at ``y0``). Each
    line is clipped to the grid and cut into pieces exactly one pixel long plus one shorter last
    piece; a piece adds its length to the cell under its midpoint, so the grid sums to the
    visible length of all lines. Lines are processed in groups of equal piece count, as
    ``(lines, pieces)`` arrays in float32, and counted with one ``bincount`` per ``chunk``
    pieces.

    Examples
    --------
    A line 10 px long across row 5 and one 8 px long up column 1 of a 10 × 10 grid:

    >>> grid = coverage(np.array([[0.0, 0.55], [0.15, 0.1]]), np.array([[1.0, 0.55], [0.15, 0.9]]),
    ...                 (0.0, 1.0, 0.0, 1.0), 10)
    >>> float(grid.sum()), grid[5].tolist()
    (18.0, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    """
    x0, x1, y0, y1 = extent
    px = np.array([size / (x1 - x0), size / (y1 - y0)])
    p = (np.asarray(start, dtype=float).reshape(-1, 2) - (x0, y0)) * px
    d = (np.asarray(end, dtype=float).reshape(-1, 2) - (x0, y0)) * px - p
    t0, t1 = _clip(p, d, size)
    shown = np.flatnonzero(t1 > t0)
    q = np.clip(p[shown] + t1[shown, None] * d[shown], 0, size)
    p = np.clip(p[shown] + t0[shown, None] * d[shown], 0, size)
    d = q - p
    length = np.hypot(d[:, 0], d[:, 1])
    unit = d / np.maximum(length, 1e-12)[:, None]
    whole = np.floor(length).astype(np.int64)
    # cells on a (size + 1)² grid: a piece lying on the top or right edge lands in the spare
    # row or column, which is dropped
    cover = np.bincount(_cell(p + unit * ((whole + length) / 2)[:, None], size), weights=length - whole,
                        minlength=(size + 1) ** 2)  # the short last pieces
    del q, d, length, t0, t1, shown  # the counting below is the peak of the chart's memory
    cover += _whole_pieces(p, unit, whole, size, chunk)
    return np.ascontiguousarray(cover.reshape(size + 1, size + 1)[:size, :size])


def _clip(p: np.ndarray, d: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Liang–Barsky: the part ``[t0, t1]`` of each segment ``p + t d`` inside ``[0, size]²``."""
    t0, t1 = np.zeros(len(p)), np.ones(len(p))
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            a, b = -p[:, axis] / d[:, axis], (size - p[:, axis]) / d[:, axis]
            flat = d[:, axis] == 0
            within = (p[:, axis] >= 0) & (p[:, axis] <= size)
            t0 = np.maximum(t0, np.where(flat, np.where(within, -np.inf, np.inf), np.minimum(a, b)))
            t1 = np.minimum(t1, np.where(flat, np.where(within, np.inf, -np.inf), np.maximum(a, b)))
    return t0, t1


def _cell(points: np.ndarray, size: int) -> np.ndarray:
    return (np.floor(points[:, 1]) * (size + 1) + np.floor(points[:, 0])).astype(np.intp)


def _whole_pieces(p: np.ndarray, unit: np.ndarray, whole: np.ndarray, size: int, chunk: int) -> np.ndarray:
    """Per cell of the (size + 1)² grid, the number of one-pixel pieces whose midpoint falls in it."""
    cells = (size + 1) ** 2
    kind = np.float32 if cells < 1 << 24 else np.float64  # cell numbers exact in the float type
    counts = np.zeros(cells, dtype=np.int64)
    order = np.argsort(whole, kind="stable")
    sizes = whole[order]
    firsts = np.flatnonzero(np.r_[True, sizes[1:] != sizes[:-1]]) if len(sizes) else np.zeros(0, int)
    if not len(sizes) or sizes[-1] == 0:
        return counts
    chunk = max(chunk, int(sizes[-1]))
    px, py = p.astype(kind).T
    ux, uy = unit.astype(kind).T
    steps = np.arange(int(sizes[-1]), dtype=kind) + kind(0.5)  # midpoints of the pieces
    cell, tmp = np.empty(chunk, dtype=kind), np.empty(chunk, dtype=kind)
    fill = 0
    for lo, hi in zip(firsts.tolist(), [*firsts[1:].tolist(), len(sizes)], strict=True):
        k = int(sizes[lo])
        if k == 0:
            continue
        lines, kk = order[lo:hi], steps[:k]
        for a in range(0, len(lines), max(chunk // k, 1)):
            r = lines[a:a + max(chunk // k, 1)]
            m = len(r) * k
            if fill + m > chunk:
                counts += np.bincount(cell[:fill].astype(np.intp), minlength=cells)
                fill = 0
            x, y = tmp[:m].reshape(len(r), k), cell[fill:fill + m].reshape(len(r), k)
            np.multiply(ux[r, None], kk, out=x)
            x += px[r, None]
            np.floor(x, out=x)
            np.multiply(uy[r, None], kk, out=y)
            y += py[r, None]
            np.floor(y, out=y)
            y *= size + 1
            y += x
            fill += m
    counts += np.bincount(cell[:fill].astype(np.intp), minlength=cells)
    return counts
