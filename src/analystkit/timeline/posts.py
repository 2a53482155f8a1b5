"""Leak-site posts counted per period and actor (the activity chart's table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..times import utc_series
from .intervals import as_of_ns, to_ns

__all__ = ["counts", "period_range", "period_starts"]


def counts(posts: pd.DataFrame, *, freq: str = "W", top: int | None = 8, by: str = "actor",
           weight: str | None = None, start: object = None, end: object = None,
           announcements: bool = False, other: str = "other") -> pd.DataFrame:
    """Leak-site posts per period and actor: the ``top`` actors by total, the rest as ``other``.

    Parameters
    ----------
    posts : the posts table (``analystkit.schema.POSTS_COLUMNS``; needs ``date`` and ``by``).
    freq : ``"W"`` (weeks starting Monday), ``"M"`` (calendar months) or ``"D"`` (days).
    top : actors kept by name (by total over the window); None keeps every actor.
    weight : column to sum (``"count"``: raw posts) instead of counting rows (distinct claims).
    start, end : window of dates kept (inclusive start, exclusive end).
    announcements : keep rows flagged as group announcements rather than victims.

    Returns
    -------
    DataFrame indexed by the first instant of each period (UTC, every period of the window
    present), one column per actor ordered by total (largest first), ``other`` last.

    Examples
    --------
    >>> posts = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-03", "2023-01-20",
    ...                                               "2023-01-21"], utc=True),
    ...                       "actor": ["LockBit", "LockBit", "Cl0p", "Play"]})
    >>> counts(posts, freq="W", top=1).to_dict("list")
    {'LockBit': [2, 0, 0], 'other': [0, 0, 2]}
    """
    if freq not in ("D", "W", "M"):
        raise ValueError(f"freq must be 'D', 'W' or 'M', not {freq!r}")
    for col in ("date", by, *([weight] if weight else [])):
        if col not in posts.columns:
            raise KeyError(f"posts table has no column {col!r} (columns: {', '.join(posts.columns)})")
    stamps = to_ns(posts["date"])
    keep = _kept(posts, stamps, start, end, announcements)
    stamps = stamps[keep].view("datetime64[ns]")
    actors = posts[by].to_numpy()[keep]
    values = posts[weight].to_numpy()[keep].astype(float) if weight else np.ones(len(stamps))
    if len(stamps) == 0:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="period"))
    period = period_starts(stamps, freq)
    first = period.min() if start is None else period_starts(
        np.array([as_of_ns(start, posts)]).view("datetime64[ns]"), freq)[0]
    full = period_range(first, period.max(), freq)
    codes = np.searchsorted(full.view("int64"), period.view("int64"))
    names, actor_codes = np.unique(actors.astype(str), return_inverse=True)
    grid = np.zeros((len(names), len(full)))
    flat = np.bincount(actor_codes * len(full) + codes, weights=values, minlength=grid.size)
    grid += flat.reshape(grid.shape)
    totals = grid.sum(axis=1)
    order = np.lexsort((names, -totals))
    kept = order if top is None else order[:top]
    table = {str(names[i]): grid[i] for i in kept}
    if top is not None and len(order) > top:
        table[other] = grid[order[top:]].sum(axis=0)
    out = pd.DataFrame(table, index=pd.DatetimeIndex(utc_series(pd.Series(full)), name="period"))
    return out.astype("int64") if weight is None or np.all(np.mod(grid, 1) == 0) else out


def _kept(posts: pd.DataFrame, stamps: np.ndarray, start: object, end: object,
          announcements: bool) -> np.ndarray:
    """Which posts (``stamps``: their dates in ns) are counted: dated, inside ``[start, end)``,
    announcements only if asked."""
    keep = np.ones(len(posts), bool)
    if not announcements and "announcement" in posts:
        keep &= ~posts["announcement"].astype(bool).to_numpy()
    keep &= stamps != np.iinfo(np.int64).min
    for bound, op in ((start, np.greater_equal), (end, np.less)):
        if bound is not None:
            keep &= op(stamps, as_of_ns(bound, posts))
    return keep


def period_starts(stamps: np.ndarray, freq: str) -> np.ndarray:
    """The first instant of the day, Monday-based week or month holding each naive UTC stamp."""
    days = stamps.astype("datetime64[D]")
    if freq == "D":
        return days.astype("datetime64[ns]")
    if freq == "M":
        return stamps.astype("datetime64[M]").astype("datetime64[ns]")
    n = days.view("int64")  # 1970-01-01 was a Thursday; weeks start on Monday
    return ((n - 4) // 7 * 7 + 4).view("datetime64[D]").astype("datetime64[ns]")


def period_range(first: np.datetime64, last: np.datetime64, freq: str) -> np.ndarray:
    """Every period start from ``first`` to ``last`` inclusive."""
    if freq == "M":
        months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
        return months.astype("datetime64[ns]")
    step = np.timedelta64(7 if freq == "W" else 1, "D")
    return np.arange(first.astype("datetime64[D]"), last.astype("datetime64[D]") + step,
                     step).astype("datetime64[ns]")
