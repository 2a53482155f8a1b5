"""Lanes and blocks of rows: the light shading behind every other one, shared by the row charts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from ... import theme as _theme
from ...schema import CATEGORIES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["lane_order", "shade"]


def shade(ax: Axes, spans: Iterable[tuple[float, float]], *, color: str | None = None) -> list:
    """Shade the first, third, fifth ... of ``spans`` (``(y0, y1)`` pairs, top to bottom).

    Each band spans the Axes' width behind everything else (``zorder`` 0) in the theme's grid
    colour (or ``color``); returns the shaded patches.
    """
    color = _theme.current().grid if color is None else color
    return [ax.axhspan(y0, y1, color=color, alpha=0.35, linewidth=0, zorder=0)
            for k, (y0, y1) in enumerate(spans) if k % 2 == 0]


def lane_order(values: pd.Series, starts: pd.Series, lane: str) -> list:
    """Lanes top to bottom: the kit's category order for ``category``, else by first start.

    >>> lane_order(pd.Series(["recovery", "intrusion"]), pd.Series([1, 2]), "category")
    ['intrusion', 'recovery']
    """
    present = list(pd.unique(values))
    if lane == "category":
        return [c for c in CATEGORIES if c in present] + sorted(set(present) - set(CATEGORIES))
    first = starts.groupby(values.to_numpy()).min()
    return list(first.sort_values(kind="stable").index)
