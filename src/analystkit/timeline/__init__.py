"""Interval analysis of the events table: extents, merged periods, durations, day 0, counts.

Every function here is pure: a DataFrame in, a new DataFrame out, the input untouched. Dates stay
tz-aware UTC. Precision is honoured everywhere: a day-precise end means "through that day", a
month-precise date covers its whole month, and an approximate date is taken as its day plus or
minus one day (:data:`APPROXIMATE`).

Durations are *computed* from event categories, never typed in: day 0 (by default the first
``disruption`` event, or the case's ``day0``), the first ``disclosure``, the first ``recovery``
step, the end of the last ``disruption`` period (full restoration) and the calendar days covered
by the union of the disruption periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..schema import CATEGORIES

if TYPE_CHECKING:
    from ..case import Case

__all__ = [
    "APPROXIMATE",
    "MEASURES",
    "align",
    "combine",
    "counts",
    "day0_of",
    "durations",
    "extents",
    "merge_periods",
]

#: How far either side of its day an ``approximate`` date may lie.
APPROXIMATE = pd.Timedelta(days=1)
#: The measures :func:`durations` reports, in order.
MEASURES = ("time to disclosure", "time to first recovery step", "time to full restoration",
            "days disrupted")
_DAY = np.int64(86_400 * 10**9)
_UTC = "datetime64[ns, UTC]"


def _ns(values: pd.Series) -> np.ndarray:
    """UTC timestamps as int64 nanoseconds (NaT becomes the int64 minimum)."""
    return values.astype(_UTC).dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").view("int64")


def _stamp(ns: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(ns.view("datetime64[ns]"), index=index).dt.tz_localize("UTC")


def _span_end(ns: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Exclusive end of the precision span that starts at ``ns`` (a day, a month, a year)."""
    out = ns.copy()
    naive = ns.view("datetime64[ns]")
    day = (precision == "day") | (precision == "approximate")
    out[day] = ns[day] + _DAY
    for name, unit in (("month", "M"), ("year", "Y")):
        mask = precision == name
        if mask.any():
            nxt = (naive[mask].astype(f"datetime64[{unit}]") + 1).astype("datetime64[ns]")
            out[mask] = nxt.view("int64")
    return out


def extents(events: pd.DataFrame, *, as_of: object = None) -> pd.DataFrame:
    """Where each event may lie in time, with its date precision taken into account.

    Parameters
    ----------
    events : the events table (``start``, ``end``, ``ongoing``, ``precision``, ``end_precision``).
    as_of : end given to ``ongoing`` periods (default: the latest date in the table).

    Returns
    -------
    DataFrame with the index of ``events`` and columns ``event_id``, ``kind`` (``period`` or
    ``point``), ``open`` (an ongoing period drawn to ``as_of``), ``lo`` (earliest possible
    start), ``start`` (nominal start), ``start_hi`` (end of the start's precision span), ``end_lo``
    (earliest possible end), ``end`` (nominal end, exclusive: a day-precise end is moved to the
    next midnight) and ``hi`` (latest possible end). A point event has ``end`` = ``start_hi``.

    Examples
    --------
    >>> from analystkit import validate
    >>> ev = validate("events", pd.DataFrame({
    ...     "event_id": ["outage", "demand"], "start": ["2023-01-10", "2023-01"],
    ...     "end": ["2023-02-21", ""], "category": ["disruption", "extortion"],
    ...     "title": ["Exports down", "Ransom demand"], "status": ["confirmed", "claimed"],
    ...     "sources": ["s1", "s1"], "tlp": ["clear", "clear"]}))
    >>> x = extents(ev)
    >>> x["kind"].tolist(), x["end"].dt.strftime("%Y-%m-%d").tolist()
    (['period', 'point'], ['2023-02-22', '2023-02-01'])
    """
    idx = events.index
    prec = events["precision"].astype(str).to_numpy()
    eprec = events["end_precision"].astype(str).to_numpy() if "end_precision" in events \
        else prec.copy()
    eprec = np.where(eprec == "", prec, eprec)
    start = _ns(events["start"])
    end = _ns(events["end"])
    ongoing = events["ongoing"].astype(bool).to_numpy() if "ongoing" in events \
        else np.zeros(len(events), bool)
    has_end = end != np.iinfo(np.int64).min
    approx = APPROXIMATE.value
    start_hi = _span_end(start, prec)
    lo = np.where(prec == "approximate", start - approx, start)
    start_hi = np.where(prec == "approximate", start_hi + approx, start_hi)
    end_x = _span_end(end, eprec)
    end_lo = np.where(eprec == "approximate", end - approx, np.where(eprec == "day", end_x, end))
    end_lo = np.where(eprec == "exact", end, end_lo)
    hi = np.where(eprec == "approximate", end_x + approx, end_x)
    if ongoing.any():
        limit = _as_of_ns(as_of, events)
        end_lo = np.where(ongoing, limit, end_lo)
        end_x = np.where(ongoing, limit, end_x)
        hi = np.where(ongoing, limit, hi)
    period = has_end | ongoing
    end_x = np.where(period, end_x, start_hi)
    end_lo = np.where(period, end_lo, start_hi)
    hi = np.where(period, hi, start_hi)
    out = pd.DataFrame({
        "event_id": events["event_id"].to_numpy() if "event_id" in events else np.arange(len(idx)),
        "kind": np.where(period, "period", "point"),
        "open": ongoing,
    }, index=idx)
    for name, values in (("lo", lo), ("start", start), ("start_hi", start_hi),
                         ("end_lo", end_lo), ("end", end_x), ("hi", hi)):
        out[name] = _stamp(values, idx)
    return out


def _as_of_ns(as_of: object, events: pd.DataFrame) -> np.int64:
    if as_of is not None:
        stamp = pd.Timestamp(as_of)
        stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
        return np.int64(stamp.value)
    last = pd.concat([events["start"], events["end"]]).max()
    return np.int64(last.value if pd.notna(last) else 0)


def merge_periods(events: pd.DataFrame, *, by: str = "category", as_of: object = None,
                  gap: pd.Timedelta | str = "0D") -> pd.DataFrame:
    """Overlapping periods merged within each value of ``by`` (a lane).

    Periods that overlap or lie less than ``gap`` apart become one. Point events are ignored.
    Returns columns ``by``, ``start``, ``end`` (exclusive), ``days`` (float), ``events`` (tuple of
    event ids, in start order) and ``open`` (any merged period still ongoing).

    Examples
    --------
    >>> from analystkit import validate
    >>> ev = validate("events", pd.DataFrame({
    ...     "event_id": ["a", "b", "c"], "start": ["2024-02-21", "2024-02-21", "2024-03-20"],
    ...     "end": ["2024-03-07", "2024-03-15", "2024-03-27"], "category": ["disruption"] * 3,
    ...     "title": ["Pharmacy", "Payments", "Claims"], "status": ["confirmed"] * 3,
    ...     "sources": ["s"] * 3, "tlp": ["clear"] * 3}))
    >>> merged = merge_periods(ev)
    >>> merged[["events", "days"]].values.tolist()
    [[('a', 'b'), 24.0], [('c',), 8.0]]
    """
    cols = [by, "start", "end", "days", "events", "open"]
    if by not in events.columns:
        raise KeyError(f"no column {by!r} to group periods by (columns: {', '.join(events.columns)})")
    x = extents(events, as_of=as_of)
    x[by] = events[by].to_numpy()
    x = x[x["kind"].eq("period")].sort_values([by, "start", "end"], kind="stable")
    if x.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    gap_ns = pd.Timedelta(gap).value
    start, end = _ns(x["start"]), _ns(x["end"])
    lane_codes = pd.factorize(x[by])[0]
    run_end = pd.Series(end).groupby(lane_codes).cummax().to_numpy()
    prev_end = np.concatenate([[np.iinfo(np.int64).min], run_end[:-1]])
    new_lane = np.concatenate([[True], lane_codes[1:] != lane_codes[:-1]])
    block = np.cumsum(new_lane | (start > prev_end + gap_ns))
    grouped = x.assign(_block=block).groupby("_block", sort=True)
    out = pd.DataFrame({
        by: grouped[by].first().to_numpy(),
        "start": grouped["start"].min().to_numpy(),
        "end": grouped["end"].max().to_numpy(),
        "events": grouped["event_id"].agg(tuple).to_numpy(),
        "open": grouped["open"].any().to_numpy(),
    })
    out["days"] = (out["end"] - out["start"]) / pd.Timedelta(days=1)
    return out[cols]


def _incidents(events: pd.DataFrame) -> pd.Series:
    inc = events["incident"] if "incident" in events else pd.Series("", index=events.index)
    return inc.fillna("").astype(str)


def _first(events: pd.DataFrame, mask: pd.Series) -> pd.Series | None:
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
            row = _first(events, events["category"].eq(category))
            if row is not None:
                return row["start"].floor("D")
        return events["start"].min().floor("D")
    if isinstance(spec, str) and "event_id" in events and spec in set(events["event_id"]):
        return events.loc[events["event_id"].eq(spec), "start"].iloc[0].floor("D")
    if isinstance(spec, str) and spec in ids:  # another incident's event
        return None
    if isinstance(spec, str) and spec in CATEGORIES:
        row = _first(events, events["category"].eq(spec))
        return None if row is None else row["start"].floor("D")
    try:
        stamp = pd.Timestamp(spec)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise ValueError(f"day 0 {spec!r} for incident {incident!r} is not an event id, a category "
                         f"({', '.join(CATEGORIES)}) or a date")
    return stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")


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
    inc = _incidents(events)
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
    inc = _incidents(events)
    out["day0"] = pd.Series(inc.map(zero).to_numpy(), index=events.index).astype(_UTC)
    out["kind"], out["open"] = x["kind"], x["open"]
    for col in ("lo", "start", "start_hi", "end_lo", "end", "hi"):
        out[col] = (x[col] - out["day0"]) / pd.Timedelta(days=1)
    return out


def durations(events: pd.DataFrame, *, day0: object = None, as_of: object = None) -> pd.DataFrame:
    """The durations a briefing quotes, computed per incident from event categories.

    ``time to disclosure`` (day 0 → first ``disclosure``), ``time to first recovery step`` (day 0
    → the first ``recovery`` event or the end of the first ``disruption`` period, whichever comes
    first), ``time to full restoration`` (day 0 → last day of the last
    ``disruption`` period) and ``days disrupted`` (calendar days covered by the union of the
    disruption periods, both ends counted). ``days_min``/``days_max`` widen ``days`` when a date
    involved is only month-precise or approximate. Measures whose events are missing are left out.

    Returns columns ``incident``, ``measure``, ``days``, ``days_min``, ``days_max``, ``start``,
    ``end`` (the dates measured between; for ``days disrupted`` the first and last day),
    ``event_id`` (the event that ends the measure) and ``text`` (e.g. ``"43 days"``).

    Examples
    --------
    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> d = durations(ev).set_index("measure")
    >>> int(d.loc["time to disclosure", "days"]), d.loc["days disrupted", "text"]
    (1, '43 days')
    """
    cols = ["incident", "measure", "days", "days_min", "days_max", "start", "end", "event_id",
            "text"]
    rows: list[dict] = []
    if events.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    zero = day0_of(events, day0)
    x = extents(events, as_of=as_of)
    inc = _incidents(events)
    day = pd.Timedelta(days=1)
    for name, d0 in zero.items():
        mask = inc.eq(name).to_numpy()
        ev, ex = events[mask], x[mask]
        periods = ex[ev["category"].eq("disruption").to_numpy() & ex["kind"].eq("period").to_numpy()]
        row = _first(ev, ev["category"].eq("disclosure") & (ex["start_hi"] > d0))
        if row is not None:
            e = ex.loc[row.name]
            rows.append(_measure(name, "time to disclosure", d0, e["start"], e["lo"],
                                 e["start_hi"] - day, row["event_id"]))
        # the first recovery step: a recovery event, or a disruption period ending (a service back)
        steps = [(e["start"], e["lo"], e["start_hi"] - day, r["event_id"])
                 for _, r in ev[ev["category"].eq("recovery") & (ex["start_hi"] > d0)].iterrows()
                 for e in [ex.loc[r.name]]]
        steps += [(p["end"] - day, min(p["end_lo"], p["end"] - day), p["hi"] - day, p["event_id"])
                  for _, p in periods.iterrows()]
        if steps:
            step = min(steps, key=lambda t: (t[0], t[3]))
            rows.append(_measure(name, "time to first recovery step", d0, *step))
        if periods.empty:
            continue
        last = periods.loc[periods["end"].idxmax()]
        earliest = last["end_lo"] if last["end_lo"] < last["end"] else last["end"] - day
        rows.append(_measure(name, "time to full restoration", d0, last["end"] - day, earliest,
                             last["hi"] - day, last["event_id"]))
        covered = np.unique(np.concatenate([
            np.arange(s.floor("D").value // _DAY, e.ceil("D").value // _DAY)
            for s, e in zip(periods["start"], periods["end"], strict=True)]))
        total = float(len(covered))
        spread = max(float((((periods["end"] - day) - periods["end_lo"]) / day).max()), 0.0)
        first, end = periods["start"].min().floor("D"), periods["end"].max().ceil("D")
        rows.append({"incident": name, "measure": "days disrupted", "days": total,
                     "days_min": total - spread, "days_max": total, "start": first, "end": end - day,
                     "event_id": last["event_id"], "text": _days_text(total, total - spread, total)})
    out = pd.DataFrame(rows, columns=cols)
    order = {m: i for i, m in enumerate(MEASURES)}
    return out.sort_values(["incident", "measure"], key=lambda s: s.map(order) if s.name == "measure"
                           else s, kind="stable").reset_index(drop=True)


def _measure(incident: str, measure: str, d0: pd.Timestamp, when: pd.Timestamp,
             earliest: pd.Timestamp, latest: pd.Timestamp, event_id: str) -> dict:
    day = pd.Timedelta(days=1)
    days = float((when.floor("D") - d0.floor("D")) / day)
    lo = float((earliest.floor("D") - d0.floor("D")) / day)
    hi = float((latest.floor("D") - d0.floor("D")) / day)
    return {"incident": incident, "measure": measure, "days": days, "days_min": min(lo, days),
            "days_max": max(hi, days), "start": d0, "end": when, "event_id": event_id,
            "text": _days_text(days, min(lo, days), max(hi, days))}


def _days_text(days: float, lo: float, hi: float) -> str:
    unit = lambda n: f"{n:g} day" + ("" if n == 1 else "s")  # noqa: E731
    if lo == hi:
        return unit(days)
    return f"{lo:g}–{unit(hi)}"


def combine(cases: list[Case] | tuple[Case, ...], *, main_only: bool = True) -> pd.DataFrame:
    """The events of several cases in one table, ready for :func:`align` and ``plot.compare``.

    Empty ``incident`` cells take the case's ``meta["incident"]``; with ``main_only`` the rows
    of other incidents a case carries as background are left out. Extra columns ``day0`` (the
    case's day 0, or NaT), ``as_of`` and ``incident_title`` (the case title) are added.

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
        ev["day0"] = pd.Timestamp(meta["day0"], tz="UTC") if meta.get("day0") else pd.NaT
        ev["as_of"] = pd.Timestamp(meta["as_of"], tz="UTC") if meta.get("as_of") else pd.NaT
        ev["incident_title"] = str(meta.get("title", "")) or name
        frames.append(ev)
    if not frames:
        raise ValueError("combine() needs at least one case")
    out = pd.concat(frames, ignore_index=True)
    for col in ("day0", "as_of"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out


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
    keep = np.ones(len(posts), bool)
    if not announcements and "announcement" in posts:
        keep &= ~posts["announcement"].astype(bool).to_numpy()
    stamps = _ns(posts["date"])
    keep &= stamps != np.iinfo(np.int64).min
    for bound, op in ((start, np.greater_equal), (end, np.less)):
        if bound is not None:
            keep &= op(stamps, _as_of_ns(bound, posts))
    stamps = stamps[keep].view("datetime64[ns]")
    actors = posts[by].to_numpy()[keep]
    values = posts[weight].to_numpy()[keep].astype(float) if weight else np.ones(len(stamps))
    if len(stamps) == 0:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="period"))
    period = _period_starts(stamps, freq)
    first = period.min() if start is None else _period_starts(
        np.array([_as_of_ns(start, posts)]).view("datetime64[ns]"), freq)[0]
    last = period.max()
    full = _period_range(first, last, freq)
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
    out = pd.DataFrame(table, index=pd.DatetimeIndex(full, name="period").tz_localize("UTC"))
    return out.astype("int64") if weight is None or np.all(np.mod(grid, 1) == 0) else out


def _period_starts(stamps: np.ndarray, freq: str) -> np.ndarray:
    days = stamps.astype("datetime64[D]")
    if freq == "D":
        return days.astype("datetime64[ns]")
    if freq == "M":
        return stamps.astype("datetime64[M]").astype("datetime64[ns]")
    n = days.view("int64")  # 1970-01-01 was a Thursday; weeks start on Monday
    return ((n - 4) // 7 * 7 + 4).view("datetime64[D]").astype("datetime64[ns]")


def _period_range(first: np.datetime64, last: np.datetime64, freq: str) -> np.ndarray:
    if freq == "M":
        months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
        return months.astype("datetime64[ns]")
    step = np.timedelta64(7 if freq == "W" else 1, "D")
    return np.arange(first.astype("datetime64[D]"), last.astype("datetime64[D]") + step,
                     step).astype("datetime64[ns]")
