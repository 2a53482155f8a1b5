"""Several incidents on one scale: the events of several cases combined, day 0, days since day 0."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from ..schema import CATEGORIES
from ..times import utc
from .intervals import extents

if TYPE_CHECKING:
    from ..case import Case

__all__ = ["align", "combine", "day0_of", "first_event", "incidents_of"]

_UTC = "datetime64[ns, UTC]"


def incidents_of(events: pd.DataFrame) -> pd.Series:
    """The ``incident`` of each event as text (``""`` when the table has no such column)."""
    inc = events["incident"] if "incident" in events else pd.Series("", index=events.index)
    return inc.fillna("").astype(str)


def first_event(events: pd.DataFrame, mask: pd.Series) -> pd.Series | None:
    """The earliest-starting row of ``events[mask]``, or None when no row matches."""
    rows = events[mask]
    if rows.empty:
        return None
    return rows.loc[rows["start"].idxmin()]


def _resolve(events: pd.DataFrame, spec: object, incident: str,
             ids: frozenset = frozenset()) -> pd.Timestamp | None:
    """Day 0 of one incident's events from an event id, a category or a date."""
    if spec is None:
        if "day0" in events and events["day0"].notna().any():
            return pd.Timestamp(events["day0"].dropna().iloc[0]).floor("D")
        for category in ("disruption", "intrusion"):
            row = first_event(events, events["category"].eq(category))
            if row is not None:
                return row["start"].floor("D")
        return events["start"].min().floor("D")
    if isinstance(spec, str) and "event_id" in events and spec in set(events["event_id"]):
        return events.loc[events["event_id"].eq(spec), "start"].iloc[0].floor("D")
    if isinstance(spec, str) and spec in ids:  # another incident's event
        return None
    if isinstance(spec, str) and spec in CATEGORIES:
        row = first_event(events, events["category"].eq(spec))
        return None if row is None else row["start"].floor("D")
    try:
        stamp = pd.Timestamp(spec)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise ValueError(f"day 0 {spec!r} for incident {incident!r} is not an event id, a category "
                         f"({', '.join(CATEGORIES)}) or a date")
    return utc(stamp)


def day0_of(events: pd.DataFrame, day0: object = None) -> dict[str, pd.Timestamp]:
    """Day 0 of each incident in ``events`` (UTC midnight unless given as an exact time).

    ``day0`` is an event id, a category (its first event), a date, or a mapping from incident to
    any of those. None uses the ``day0`` column that :func:`combine` adds from each case's
    metadata, then the first ``disruption``, then the first ``intrusion`` event. Incidents with
    no event of a category asked for get no day 0 (a case's background events, say); a ValueError
    names the category when no incident has one.

    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> day0_of(ev, "disclosure")
    {'royal-mail-2023': Timestamp('2023-01-11 00:00:00+0000', tz='UTC')}
    """
    inc = incidents_of(events)
    ids = frozenset(events["event_id"]) if "event_id" in events else frozenset()
    out = {}
    for name in pd.unique(inc):
        rows = events[inc.eq(name).to_numpy()]
        spec = day0.get(name) if isinstance(day0, Mapping) else day0
        found = _resolve(rows, spec, str(name), ids)
        if found is not None:
            out[str(name)] = found
    if not out and len(events):
        raise ValueError(f"no incident has a {day0!r} event to use as day 0")
    return out


def align(events: pd.DataFrame, *, day0: object = None, as_of: object = None) -> pd.DataFrame:
    """Events of several incidents on a common "days since day 0" scale.

    Returns a copy of ``events`` with ``day0`` (the incident's day 0) and the :func:`extents`
    columns ``kind``, ``open``, ``lo``, ``start``, ``start_hi``, ``end_lo``, ``end``, ``hi``
    expressed as float days since day 0 (``start`` of an event on day 0 itself is 0.0). See
    :func:`day0_of` for the forms ``day0`` takes.

    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> a = align(ev, day0="disruption")
    >>> float(a["start"].min()) <= 0 <= float(a["end"].max())
    True
    """
    zero = day0_of(events, day0)
    x = extents(events, as_of=as_of)
    out = events.copy()
    inc = incidents_of(events)
    out["day0"] = pd.Series(inc.map(zero).to_numpy(), index=events.index).astype(_UTC)
    out["kind"], out["open"] = x["kind"], x["open"]
    for col in ("lo", "start", "start_hi", "end_lo", "end", "hi"):
        out[col] = (x[col] - out["day0"]) / pd.Timedelta(days=1)
    return out


def combine(cases: list[Case] | tuple[Case, ...], *, main_only: bool = True) -> pd.DataFrame:
    """The events of several cases in one table, ready for :func:`align` and ``plot.compare``.

    Empty ``incident`` cells take the case's ``meta["incident"]``; with ``main_only`` the rows
    of other incidents a case carries as background are left out. Extra columns ``day0`` (the
    case's day 0, or NaT), ``as_of`` and ``incident_title`` (the case title) are added. Each
    row's ``as_of`` is its own case's: :func:`extents`, :func:`durations`, :func:`align` and
    ``plot.compare`` end the case's ongoing periods there, never at another case's as-of date.

    >>> from analystkit import load_case
    >>> rm = load_case(DATA / "cases" / "royal-mail-2023")
    >>> both = combine([rm, load_case(DATA / "cases" / "synnovis-2024")])
    >>> sorted(both["incident"].unique()) == sorted(["royal-mail-2023", "synnovis-2024"])
    True
    """
    frames = []
    for case in cases:
        ev = case.events.copy()
        meta = case.meta
        name = str(meta.get("incident") or "")
        inc = ev["incident"].astype(str).where(ev["incident"].astype(str).ne(""), name)
        ev["incident"] = inc
        if main_only and name:
            ev = ev[inc.eq(name).to_numpy()].copy()
        ev["day0"] = utc(meta["day0"]) if meta.get("day0") else pd.NaT
        ev["as_of"] = utc(meta["as_of"]) if meta.get("as_of") else pd.NaT
        ev["incident_title"] = str(meta.get("title", "")) or name
        frames.append(ev)
    if not frames:
        raise ValueError("combine() needs at least one case")
    out = pd.concat(frames, ignore_index=True)
    for col in ("day0", "as_of"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out
