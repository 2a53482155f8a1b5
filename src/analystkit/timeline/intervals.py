"""Where each event may lie in time (its precision honoured), and overlapping periods merged.

Stamps are handled as int64 nanoseconds since the epoch (UTC) for speed: :func:`to_ns` and
:func:`from_ns` convert a column each way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..times import utc, utc_series

__all__ = ["APPROXIMATE", "DAY_NS", "as_of_ns", "as_of_rows", "extents", "from_ns", "merge_periods",
           "span_end", "to_ns"]

#: How far either side of its day an ``approximate`` date may lie.
APPROXIMATE = pd.Timedelta(days=1)
#: One day in nanoseconds.
DAY_NS = np.int64(86_400 * 10**9)
_UTC = "datetime64[ns, UTC]"
_NAT = np.iinfo(np.int64).min


def to_ns(values: pd.Series) -> np.ndarray:
    """UTC timestamps as int64 nanoseconds (NaT becomes the int64 minimum).

    >>> to_ns(pd.Series(pd.to_datetime(["1970-01-02", None], utc=True))).tolist()
    [86400000000000, -9223372036854775808]
    """
    return values.astype(_UTC).dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").view("int64")


def from_ns(ns: np.ndarray, index: pd.Index) -> pd.Series:
    """The inverse of :func:`to_ns`: a UTC timestamp column with ``index``."""
    return utc_series(pd.Series(ns.view("datetime64[ns]"), index=index))


def span_end(ns: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Exclusive end of the precision span that starts at ``ns`` (a day, a month, a year)."""
    out = ns.copy()
    naive = ns.view("datetime64[ns]")
    day = (precision == "day") | (precision == "approximate")
    out[day] = ns[day] + DAY_NS
    for name, unit in (("month", "M"), ("year", "Y")):
        mask = precision == name
        if mask.any():
            nxt = (naive[mask].astype(f"datetime64[{unit}]") + 1).astype("datetime64[ns]")
            out[mask] = nxt.view("int64")
    return out


def as_of_ns(as_of: object, events: pd.DataFrame) -> np.int64:
    """``as_of`` in UTC nanoseconds; None takes the latest ``start`` or ``end`` in ``events``."""
    if as_of is not None:
        return np.int64(utc(as_of).value)
    last = pd.concat([events["start"], events["end"]]).max()
    return np.int64(last.value if pd.notna(last) else 0)


def as_of_rows(as_of: object, events: pd.DataFrame) -> np.ndarray:
    """The as-of date of each row in UTC nanoseconds: where its open periods end.

    An ``as_of`` given applies to every row. Without one, each row keeps its own clock: the
    ``as_of`` column that :func:`analystkit.timeline.combine` adds from each case's ``case.json``;
    rows without one (or a table without the column) take the latest ``start`` or ``end`` in
    ``events``. So incidents of several cases never borrow each other's as-of date.

    >>> ev = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-02-01"], utc=True),
    ...                    "end": pd.to_datetime([None, None], utc=True),
    ...                    "as_of": pd.to_datetime(["2024-06-30", None], utc=True)})
    >>> [str(t.date()) for t in from_ns(as_of_rows(None, ev), ev.index)]
    ['2024-06-30', '2024-02-01']
    """
    n = len(events)
    if as_of is not None or "as_of" not in events:
        return np.full(n, as_of_ns(as_of, events), dtype=np.int64)
    own = to_ns(pd.to_datetime(events["as_of"], utc=True))
    missing = own == _NAT
    if missing.any():
        own = np.where(missing, as_of_ns(None, events), own)
    return own


def extents(events: pd.DataFrame, *, as_of: object = None) -> pd.DataFrame:
    """Where each event may lie in time, with its date precision taken into account.

    Parameters
    ----------
    events : the events table (``start``, ``end``, ``ongoing``, ``precision``, ``end_precision``).
    as_of : end given to ``ongoing`` periods; None gives each row its own (see :func:`as_of_rows`:
        the ``as_of`` column, else the latest date in the table).

    Returns
    -------
    DataFrame with the index of ``events`` and columns ``event_id``, ``kind`` (``period`` or
    ``point``), ``open`` (an ongoing period, drawn through the as-of day), ``lo`` (earliest possible
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
    start = to_ns(events["start"])
    end = to_ns(events["end"])
    ongoing = events["ongoing"].astype(bool).to_numpy() if "ongoing" in events \
        else np.zeros(len(events), bool)
    has_end = end != _NAT
    approx = APPROXIMATE.value
    start_hi = span_end(start, prec)
    lo = np.where(prec == "approximate", start - approx, start)
    start_hi = np.where(prec == "approximate", start_hi + approx, start_hi)
    end_x = span_end(end, eprec)
    end_lo = np.where(eprec == "approximate", end - approx, np.where(eprec == "day", end_x, end))
    end_lo = np.where(eprec == "exact", end, end_lo)
    hi = np.where(eprec == "approximate", end_x + approx, end_x)
    if ongoing.any():  # still disrupted on the as-of day itself: the period ends after it
        limit = as_of_rows(as_of, events) + DAY_NS
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
        out[name] = from_ns(values, idx)
    return out


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
    start, end = to_ns(x["start"]), to_ns(x["end"])
    lane_codes = pd.factorize(x[by])[0]
    run_end = pd.Series(end).groupby(lane_codes).cummax().to_numpy()
    prev_end = np.concatenate([[_NAT], run_end[:-1]])
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
