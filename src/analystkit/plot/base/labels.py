"""Label placement shared by the kit's charts: measure text with the renderer, pack into rows.

Labels are laid out before they are drawn. Each one is measured in display pixels with the
renderer's window extents, turned into a horizontal footprint in data units (the item it names
plus the label beside it), and the footprints are packed greedily into rows so that nothing in a
row overlaps. Rows are then spaced at least one label height apart, so no label box touches
another label or a bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...theme import SIZES, current

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

__all__ = ["contrast", "data_per_pixel", "label_box", "measure", "new_axes", "overlapping", "pack",
           "renderer"]


def renderer(fig) -> RendererBase:
    """The figure's renderer (creating an Agg one for a figure not yet attached to a backend)."""
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    return fig._get_renderer()


def measure(texts: Sequence[Text], rend: RendererBase) -> np.ndarray:
    """Width and height in display pixels of each text, as an ``(n, 2)`` array."""
    out = np.zeros((len(texts), 2))
    for i, t in enumerate(texts):
        box = t.get_window_extent(rend)
        out[i] = box.width, box.height
    return out


def data_per_pixel(ax: Axes, rend: RendererBase) -> float:
    """Data units of the x axis per display pixel at the Axes' current size and limits."""
    x0, x1 = ax.get_xlim()
    width = ax.get_window_extent(rend).width
    return abs(x1 - x0) / max(width, 1.0)


def pack(lo: np.ndarray, hi: np.ndarray, *, order: np.ndarray | None = None) -> np.ndarray:
    """Greedy first-fit of intervals ``[lo, hi)`` into rows; returns each interval's row.

    Intervals are taken by increasing ``lo`` (or in ``order``) and put in the first row whose
    last interval ends at or before their start.

    >>> pack(np.array([0, 1, 5, 2]), np.array([3, 4, 6, 9])).tolist()
    [0, 1, 0, 2]
    """
    rows = np.zeros(len(lo), dtype=int)
    ends: list[float] = []
    seq = np.argsort(lo, kind="stable") if order is None else order
    for i in seq:
        for r, end in enumerate(ends):
            if end <= lo[i]:
                rows[i], ends[r] = r, hi[i]
                break
        else:
            rows[i] = len(ends)
            ends.append(hi[i])
    return rows


def overlapping(boxes: Sequence[Bbox], others: Sequence[Bbox] = (), *,
                tol: float = 0.5) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap by more than ``tol`` pixels (``others`` indexed after boxes).

    >>> from matplotlib.transforms import Bbox
    >>> overlapping([Bbox([[0, 0], [10, 5]]), Bbox([[9, 0], [20, 5]]), Bbox([[30, 0], [40, 5]])])
    [(0, 1)]
    """
    a = np.array([[b.x0, b.y0, b.x1, b.y1] for b in [*boxes, *others]]).reshape(-1, 4)
    n = len(boxes)
    pairs = []
    for i in range(n):
        dx = np.minimum(a[i, 2], a[:, 2]) - np.maximum(a[i, 0], a[:, 0])
        dy = np.minimum(a[i, 3], a[:, 3]) - np.maximum(a[i, 1], a[:, 1])
        hit = (dx > tol) & (dy > tol)
        pairs += [(i, int(j)) for j in np.flatnonzero(hit) if j > i]
    return pairs


def new_axes(figsize: tuple[float, float] | None = None) -> Axes:
    """A new figure of slide size with fixed margins (labels are placed for this size)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize or SIZES["slide"])
    fig.subplots_adjust(left=0.11, right=0.98, top=0.86, bottom=0.1)
    return ax


def label_box(alpha: float = 0.85) -> dict:
    """The ``bbox`` behind a chart label: a tight square of the theme's background, no edge."""
    return {"boxstyle": "square,pad=0.12", "facecolor": current().background, "edgecolor": "none",
            "alpha": alpha}


def contrast(color: str) -> str:
    """Black or white, whichever reads better on ``color``.

    >>> contrast("#FFEE00"), contrast("#202060")
    ('#000000', '#FFFFFF')
    """
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#FFFFFF"
