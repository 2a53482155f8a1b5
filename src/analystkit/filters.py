"""Pure filters over the kit's tables: what the explorer's controls do, callable from any cell.

Every function returns a new frame (never a view to mutate) and leaves its input untouched. An
empty selection (``None`` or an empty collection) means "no filter on that column".

>>> import pandas as pd
>>> posts = pd.DataFrame({"date": pd.to_datetime(["2023-01-05", "2023-02-07"], utc=True),
...                       "actor": ["LockBit", "ALPHV"], "country": ["GB", "US"], "sector": ["", ""]})
>>> filter_posts(posts, actors=["LockBit"])["actor"].tolist()
['LockBit']
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import pandas as pd

from .case import Case
from .schema import tlp_within
from .times import end_of_day, utc

__all__ = ["Filters", "describe", "filter_case", "filter_events", "filter_posts"]

#: Keys understood by every filter function (the explorer's controls).
Filters = dict[str, Any]


def _stamp(value: object, *, end: bool = False) -> pd.Timestamp | None:
    """A bound in UTC (None when not set); an end date includes its whole day."""
    if value is None or value == "":
        return None
    return end_of_day(value) if end else utc(value)


def _chosen(values: Collection | None) -> set | None:
    return set(values) if values else None


def _tlp_ok(labels: pd.Series, max_tlp: str | None) -> pd.Series:
    if not max_tlp:
        return pd.Series(True, index=labels.index)
    return tlp_within(labels, max_tlp)


def filter_events(events: pd.DataFrame, *, start: object = None, end: object = None,
                  actors: Collection[str] | None = None, victims: Collection[str] | None = None,
                  categories: Collection[str] | None = None,
                  statuses: Collection[str] | None = None, max_tlp: str | None = None,
                  entities: pd.DataFrame | None = None, sectors: Collection[str] | None = None,
                  countries: Collection[str] | None = None) -> pd.DataFrame:
    """Events overlapping ``[start, end]`` that match every given selection.

    Rows with no actor (or no victim) are kept by the actor (victim) filters: a victim's own
    recovery steps stay on the timeline when one actor is selected. ``sectors`` and ``countries``
    apply through the victim's row in ``entities``.
    """
    keep = _tlp_ok(events["tlp"], max_tlp)
    lo, hi = _stamp(start), _stamp(end, end=True)
    last = events["end"].fillna(events["start"])
    if lo is not None:
        keep &= last.ge(lo) | events["ongoing"]
    if hi is not None:
        keep &= events["start"].le(hi)
    for column, chosen in (("actor", _chosen(actors)), ("victim", _chosen(victims)),
                           ("category", _chosen(categories)), ("status", _chosen(statuses))):
        if chosen is not None:
            keep &= events[column].isin(chosen) | (events[column].eq("") & (column in ("actor", "victim")))
    if entities is not None and (sectors or countries):
        info = entities.drop_duplicates("name").set_index("name")
        for column, chosen in (("sector", _chosen(sectors)), ("country", _chosen(countries))):
            if chosen is not None:
                of_victim = events["victim"].map(info[column]).fillna("")
                keep &= of_victim.isin(chosen) | events["victim"].eq("")
    return events[keep].reset_index(drop=True)


def filter_posts(posts: pd.DataFrame, *, start: object = None, end: object = None,
                 actors: Collection[str] | None = None, sectors: Collection[str] | None = None,
                 countries: Collection[str] | None = None, **_ignored: Any) -> pd.DataFrame:
    """Leak-site posts dated within ``[start, end]`` of the chosen actors, sectors, countries."""
    keep = pd.Series(True, index=posts.index)
    lo, hi = _stamp(start), _stamp(end, end=True)
    if lo is not None:
        keep &= posts["date"].ge(lo)
    if hi is not None:
        keep &= posts["date"].le(hi)
    for column, chosen in (("actor", _chosen(actors)), ("sector", _chosen(sectors)),
                           ("country", _chosen(countries))):
        if chosen is not None and column in posts:
            keep &= posts[column].isin(chosen)
    return posts[keep] if not keep.all() else posts


def filter_case(case: Case, **filters: Any) -> Case:
    """The case with :func:`filter_events` applied to its events and matching relations.

    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> small = filter_case(case, categories=["recovery"], max_tlp="clear")
    >>> sorted(set(small.events["category"])), len(small.events) < len(case.events)
    (['recovery'], True)
    """
    events = filter_events(case.events, entities=case.entities, **filters)
    rel = case.relations
    keep = _tlp_ok(rel["tlp"], filters.get("max_tlp"))
    if filters.get("statuses"):
        keep &= rel["status"].isin(set(filters["statuses"]))
    if filters.get("actors"):
        keep &= rel["source"].isin(set(filters["actors"]))
    lo, hi = _stamp(filters.get("start")), _stamp(filters.get("end"), end=True)
    if lo is not None:
        keep &= rel["date"].ge(lo) | rel["date"].isna()
    if hi is not None:
        keep &= rel["date"].le(hi) | rel["date"].isna()
    sources = case.sources[_tlp_ok(case.sources["tlp"], filters.get("max_tlp"))]
    return replace(case, events=events, relations=rel[keep].reset_index(drop=True),
                   sources=sources.reset_index(drop=True), meta=dict(case.meta))


def describe(filters: Filters) -> str:
    """One line naming the active filters, for captions ("what this view shows").

    >>> describe({"start": "2023-01-01", "end": "2023-03-31", "actors": ["LockBit"],
    ...           "max_tlp": "clear", "categories": []})
    'dates 2023-01-01 to 2023-03-31; actors: LockBit; up to TLP:CLEAR'
    """
    parts = []
    if filters.get("start") or filters.get("end"):
        lo = _stamp(filters.get("start"))
        hi = _stamp(filters.get("end"))
        parts.append(f"dates {lo:%Y-%m-%d} to {hi:%Y-%m-%d}" if lo is not None and hi is not None
                     else f"dates from {lo:%Y-%m-%d}" if lo is not None else f"dates to {hi:%Y-%m-%d}")
    for key in ("actors", "sectors", "countries", "categories", "statuses"):
        if filters.get(key):
            parts.append(f"{key}: {', '.join(sorted(map(str, filters[key])))}")
    if filters.get("max_tlp"):
        parts.append(f"up to TLP:{str(filters['max_tlp']).upper()}")
    return "; ".join(parts) or "no filters"
