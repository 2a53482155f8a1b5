"""Collection, not events: the parts of a leak-site count that say how a feed was gathered.

A crawler's first pass finds a site's older posts all at once and dates them to the day it found
them (``discovered``), so its first month holds months of posts: a back-fill, not a surge. The
first and last periods of a feed are partial when the feed begins or ends inside them (a snapshot
taken on 19 August holds nineteen days of August), which reads as a collapse. A group added to a
crawler later is back-filled the same way. :func:`collection_notes` finds these, per feed and per
actor, so that a chart can mark them and a text can say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..times import utc
from .posts import counts, period_starts

__all__ = ["BACKFILL_FACTOR", "NOTE_COLUMNS", "collection_notes", "date_meaning"]

#: A first period counts as a back-fill when it holds this many times the median of the periods
#: after it (and at least ``BACKFILL_MIN`` posts, 50 for a feed, 20 for an actor).
BACKFILL_FACTOR = 3.0
_BACKFILL_MIN = {"feed": 50, "actor": 20}
_FOLLOWING = 6  # periods after the first that set the usual level
_PARTIAL = 0.9  # a period covered for less than this share is partial
_PARTIAL_MIN = 10  # fewer posts in a partial period than this mislead no one
NOTE_COLUMNS = ["kind", "scope", "name", "period", "posts", "covered", "text"]


def date_meaning(posts: pd.DataFrame) -> str:
    """What a posts table's ``date`` is: ``discovered`` (the crawler found the post) or
    ``published`` (the group's own post date), as :func:`analystkit.read_posts` records it in
    ``attrs["date"]``; ``date`` when the table does not say.

    >>> posts = pd.DataFrame()
    >>> posts.attrs["date"] = "published"
    >>> date_meaning(posts), date_meaning(pd.DataFrame())
    ('published', 'date')
    """
    return str(posts.attrs.get("date", "date"))


def collection_notes(posts: pd.DataFrame, *, freq: str = "M", start: object = None,
                     end: object = None, actors: bool = True) -> pd.DataFrame:
    """Back-fills and partial periods of a posts table, per feed and per actor.

    Parameters
    ----------
    posts : the posts table (``date``, ``actor``; ``feed`` or ``feeds`` when it has several).
    freq : the periods counted, as in :func:`analystkit.timeline.counts`.
    start, end : the window counted.
    actors : also look for each actor's own back-fill (its first period in the data).

    Returns
    -------
    DataFrame with :data:`NOTE_COLUMNS`: ``kind`` (``back-fill``, ``partial-first``,
    ``partial-last``), ``scope`` (``feed`` or ``actor``), ``name``, ``period`` (its first instant,
    UTC), ``posts`` in it, ``covered`` (share of the period the feed covers) and a sentence.

    Examples
    --------
    >>> days = pd.date_range("2021-09-01", "2022-03-10", freq="D", tz="UTC")
    >>> dates = list(days[:30].repeat(30)) + list(days[30:])  # 900 posts found in September
    >>> posts = pd.DataFrame({"date": dates, "actor": "LockBit", "feed": "ransomwatch"})
    >>> collection_notes(posts, actors=False)[["kind", "name", "posts"]].values.tolist()
    [['back-fill', 'ransomwatch', 900], ['partial-last', 'ransomwatch', 10]]
    """
    if posts is None or not len(posts):
        return pd.DataFrame(columns=NOTE_COLUMNS)
    rows: list[dict] = []
    for name, part in _feeds(posts):  # found on all the data, then kept if inside the window
        rows += _feed_notes(part, name, freq)
        if actors:
            rows += _actor_notes(part, freq)
    out = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    if start is not None:
        out = out[out["period"] >= _period_of(utc(start), freq)]
    if end is not None:
        out = out[out["period"] < utc(end)]
    return out.sort_values(["period", "scope", "name"], kind="mergesort", ignore_index=True)


def _feeds(posts: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if "feeds" in posts:  # combined feeds: each post belongs to every feed that saw it
        exploded = posts.explode("feeds")
        return [(str(n), g) for n, g in exploded.groupby("feeds", sort=True)]
    if "feed" in posts and posts["feed"].nunique() > 1:
        return [(str(n), g) for n, g in posts.groupby("feed", sort=True)]
    name = str(posts["feed"].iloc[0]) if "feed" in posts else "the posts"
    return [(name, posts)]


def _series(posts: pd.DataFrame, freq: str) -> pd.Series:
    table = counts(posts, freq=freq, top=None)
    return table.sum(axis=1) if len(table.columns) else pd.Series(dtype="int64")


def _backfill(series: pd.Series, minimum: int) -> tuple[pd.Timestamp, int] | None:
    """The first period holding more posts than every period before it together and at least
    :data:`BACKFILL_FACTOR` times the median of the periods after it: where a crawl began in
    earnest (a few stray older posts may come first)."""
    values = series.to_numpy(dtype=float)
    before = 0.0
    for i, n in enumerate(values[:-2]):
        usual = float(np.median(values[i + 1:i + 1 + _FOLLOWING]))
        if n >= minimum and n > before and n >= BACKFILL_FACTOR * max(usual, 1.0):
            return series.index[i], int(n)
        before += n  # once the crawl is under way no period outweighs all before it
    return None


def _feed_notes(posts: pd.DataFrame, name: str, freq: str) -> list[dict]:
    series = _series(posts, freq)
    if series.empty:
        return []
    rows = []
    hit = _backfill(series, _BACKFILL_MIN["feed"])
    if hit:
        rows.append(_note("back-fill", "feed", name, hit[0], hit[1], 1.0,
                          f"{name}: {hit[1]:,} posts in the first {_unit(freq)} ({_when(hit[0], freq)}) "
                          "are the crawler's first pass dating older posts to the day it found them, "
                          "not a surge"))
    dates = posts["date"].dropna()
    for kind, edge in (("partial-first", dates.min()), ("partial-last", dates.max())):
        period = _period_of(edge, freq)
        share = _covered(edge, period, freq, first=kind == "partial-first")
        n = int(series.loc[period]) if period in series.index else 0
        if share < _PARTIAL and n >= _PARTIAL_MIN:
            bound = "begins" if kind == "partial-first" else "ends"
            rows.append(_note(kind, "feed", name, period, n, share,
                              f"{name} {bound} on {edge:%d %b %Y}: {_when(period, freq)} is counted "
                              f"for {share:.0%} of its days ({n:,} posts), not a "
                              f"{'rise' if kind == 'partial-first' else 'fall'}"))
    return [r for r in rows if not (hit and r["kind"] == "partial-first" and r["period"] == hit[0])]


def _actor_notes(posts: pd.DataFrame, freq: str) -> list[dict]:
    table = counts(posts, freq=freq, top=None)
    feed_fill = _backfill(table.sum(axis=1), _BACKFILL_MIN["feed"]) if len(table) else None
    rows = []
    for actor in table.columns:
        hit = _backfill(table[actor], _BACKFILL_MIN["actor"])
        if hit and not (feed_fill and hit[0] == feed_fill[0]):  # the feed's first pass: said once
            rows.append(_note("back-fill", "actor", str(actor), hit[0], hit[1], 1.0,
                              f"{actor}: {hit[1]:,} posts in {_when(hit[0], freq)}, its first "
                              f"{_unit(freq)} in the feed, are likely a back-fill of older posts"))
    return rows


def _note(kind: str, scope: str, name: str, period: pd.Timestamp, n: int, share: float,
          text: str) -> dict:
    return {"kind": kind, "scope": scope, "name": name, "period": period, "posts": n,
            "covered": round(share, 3), "text": text}


def _period_of(stamp: pd.Timestamp, freq: str) -> pd.Timestamp:
    naive = np.array([stamp.tz_convert("UTC").tz_localize(None).to_datetime64()]).astype("datetime64[ns]")
    return pd.Timestamp(period_starts(naive, freq)[0], tz="UTC")


def _covered(edge: pd.Timestamp, period: pd.Timestamp, freq: str, *, first: bool) -> float:
    start = period
    stop = start + (pd.offsets.MonthBegin(1) if freq == "M" else pd.Timedelta(days=7 if freq == "W" else 1))
    length = (stop - start).total_seconds()
    day = edge.normalize()  # whole days: a feed ending on the 19th holds 19 days of its month
    done = (stop - day).total_seconds() if first else (day - start).total_seconds() + 86_400
    return max(0.0, min(1.0, done / length))


def _unit(freq: str) -> str:
    return {"M": "month", "W": "week", "D": "day"}[freq]


def _when(period: pd.Timestamp, freq: str) -> str:
    return f"{period:%B %Y}" if freq == "M" else f"the {_unit(freq)} of {period:%d %b %Y}"
