"""The durations a briefing quotes, computed from event categories (never typed in).

An incident whose disruption is still ``ongoing`` at its as-of date has not been restored: its
"time to full restoration" and "days disrupted" are lower bounds (``open``), and
:func:`restoration_phrase` is the one place the kit words restoration, open or closed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .alignment import day0_of, first_event, incidents_of
from .intervals import DAY_NS, as_of_rows, extents, from_ns

__all__ = ["MEASURES", "days_text", "durations", "incident_measures", "restoration_phrase"]

#: The measures :func:`durations` reports, in order.
MEASURES = ("time to disclosure", "time to first recovery step", "time to full restoration",
            "days disrupted")
_COLUMNS = ["incident", "measure", "days", "days_min", "days_max", "start", "end", "event_id",
            "text", "open", "as_of"]
_DAY = pd.Timedelta(days=1)
#: The measures that stay open (run to the as-of date) while a disruption is ongoing.
_OPEN_MEASURES = ("time to full restoration", "days disrupted")


def durations(events: pd.DataFrame, *, day0: object = None, as_of: object = None) -> pd.DataFrame:
    """The durations a briefing quotes, computed per incident from event categories.

    ``time to disclosure`` (day 0 → first ``disclosure``), ``time to first recovery step`` (day 0
    → the first ``recovery`` event or the end of the first closed ``disruption`` period, whichever
    comes first), ``time to full restoration`` (day 0 → last day of the last ``disruption``
    period) and ``days disrupted`` (calendar days covered by the union of the disruption periods,
    both ends counted). ``days_min``/``days_max`` widen ``days`` when a date involved is only
    month-precise or approximate. Measures whose events are missing are left out.

    When a disruption period is still ``ongoing`` at the incident's as-of date, the incident is
    not restored: "time to full restoration" then runs from day 0 to the as-of date and "days
    disrupted" to the as-of date, both flagged ``open``, with ``days`` a lower bound,
    ``days_max`` NaN (no upper bound is known) and ``text`` such as ``"≥ 496 days"``.

    Parameters
    ----------
    events : the events table, or several cases' events from :func:`combine`.
    day0 : see :func:`day0_of`.
    as_of : where ongoing periods end; None gives each row its own (its ``as_of`` column, as
        :func:`combine` writes it from each case, else the latest date in the table).

    Returns
    -------
    DataFrame with columns ``incident``, ``measure``, ``days``, ``days_min``, ``days_max``,
    ``start``, ``end`` (the dates measured between; for ``days disrupted`` the first and last
    day), ``event_id`` (the event that ends the measure), ``text`` (e.g. ``"43 days"``), ``open``
    (True when the measure runs to the as-of date because a period is still ongoing) and
    ``as_of`` (the incident's as-of date used).

    Examples
    --------
    >>> from analystkit import load_case
    >>> ev = load_case(DATA / "cases" / "royal-mail-2023").events
    >>> d = durations(ev).set_index("measure")
    >>> int(d.loc["time to disclosure", "days"]), d.loc["days disrupted", "text"]
    (1, '43 days')
    >>> bool(d["open"].any())
    False
    """
    if events.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
    zero = day0_of(events, day0)
    x = extents(events, as_of=as_of)
    limits = from_ns(as_of_rows(as_of, events), events.index)
    inc = incidents_of(events)
    rows: list[dict] = []
    for name, d0 in zero.items():
        mask = inc.eq(name).to_numpy()
        rows += incident_measures(name, d0, events[mask], x[mask], as_of=limits[mask].iloc[0])
    out = pd.DataFrame(rows, columns=_COLUMNS)
    order = {m: i for i, m in enumerate(MEASURES)}
    return out.sort_values(["incident", "measure"], key=lambda s: s.map(order) if s.name == "measure"
                           else s, kind="stable").reset_index(drop=True)


def incident_measures(name: str, d0: pd.Timestamp, ev: pd.DataFrame, ex: pd.DataFrame, *,
                      as_of: pd.Timestamp | None = None) -> list[dict]:
    """The rows of :func:`durations` for one incident: its events ``ev``, their extents ``ex``
    and its as-of date (None: where its open periods end, else its latest extent)."""
    periods = ex[ev["category"].eq("disruption").to_numpy() & ex["kind"].eq("period").to_numpy()]
    if as_of is None:
        as_of = ex.loc[ex["open"], "end"].max() if ex["open"].any() else ex["hi"].max()
    rows = [row for row in (_disclosure(name, d0, ev, ex),
                            _first_step(name, d0, ev, ex, periods[~periods["open"]]))
            if row is not None]
    if periods.empty:
        return [{**r, "open": False, "as_of": as_of} for r in rows]
    still = periods[periods["open"]]
    is_open = bool(len(still))
    if is_open:  # not restored: the measure runs to the as-of date and is a lower bound
        last = still.loc[still["end"].idxmax()]
        end = last["end"].floor("D") - _DAY  # the as-of day
        restore = _measure(name, "time to full restoration", d0, end, end, end, last["event_id"])
        restore.update(days_max=np.nan, text=days_text(restore["days"], restore["days"],
                                                        restore["days"], bound="lower"))
    else:
        last = periods.loc[periods["end"].idxmax()]
        earliest = last["end_lo"] if last["end_lo"] < last["end"] else last["end"] - _DAY
        restore = _measure(name, "time to full restoration", d0, last["end"] - _DAY, earliest,
                           last["hi"] - _DAY, last["event_id"])
    rows.append(restore)
    rows.append(_days_disrupted(name, periods, last["event_id"], is_open=is_open))
    return [{**r, "open": is_open and r["measure"] in _OPEN_MEASURES, "as_of": as_of} for r in rows]


def restoration_phrase(row: Mapping | pd.Series, *, form: str = "phrase") -> str:
    """How the kit words full restoration: the one place every chart, table and text takes it from.

    ``row`` is the "time to full restoration" row of :func:`durations` (a Series or a mapping).
    ``form="phrase"`` is the running-text wording (comparison headers, alt texts, key facts),
    ``form="milestone"`` the label of a milestone line on a timeline. An open row (a disruption
    still ongoing at the as-of date) is never called restored.

    >>> closed = {"days": 42.0, "days_min": 42.0, "days_max": 42.0, "open": False}
    >>> restoration_phrase(closed), restoration_phrase(closed, form="milestone")
    ('fully restored day 42', 'Full restoration · day 42')
    >>> still = {"days": 496.0, "days_min": 496.0, "days_max": float("nan"), "open": True,
    ...          "as_of": pd.Timestamp("2025-03-07", tz="UTC")}
    >>> restoration_phrase(still)
    'not fully restored as of 7 Mar 2025 (≥ 496 days)'
    >>> restoration_phrase(still, form="milestone")
    'Not fully restored as of 7 Mar 2025 · ≥ day 496'
    """
    if form not in ("phrase", "milestone"):
        raise ValueError(f"form must be 'phrase' or 'milestone', not {form!r}")
    days = float(row["days"])
    if bool(row.get("open", False)):
        stamp = pd.Timestamp(row["as_of"])
        as_of = f"{stamp.day} {stamp:%b %Y}"
        if form == "milestone":
            return f"Not fully restored as of {as_of} · ≥ day {days:g}"
        return f"not fully restored as of {as_of} ({days_text(days, days, days, bound='lower')})"
    if form == "milestone":
        return f"Full restoration · day {days:g}"
    lo, hi = float(row.get("days_min", days)), float(row.get("days_max", days))
    return f"fully restored day {lo:g}–{hi:g}" if lo != hi else f"fully restored day {days:g}"


def _disclosure(name: str, d0: pd.Timestamp, ev: pd.DataFrame, ex: pd.DataFrame) -> dict | None:
    """Day 0 → the first ``disclosure`` event that may lie after day 0."""
    row = first_event(ev, ev["category"].eq("disclosure") & (ex["start_hi"] > d0))
    if row is None:
        return None
    e = ex.loc[row.name]
    return _measure(name, "time to disclosure", d0, e["start"], e["lo"], e["start_hi"] - _DAY,
                    row["event_id"])


def _first_step(name: str, d0: pd.Timestamp, ev: pd.DataFrame, ex: pd.DataFrame,
                periods: pd.DataFrame) -> dict | None:
    """The first recovery step: a recovery event, or a disruption period ending (a service back)."""
    steps = [(e["start"], e["lo"], e["start_hi"] - _DAY, r["event_id"])
             for _, r in ev[ev["category"].eq("recovery") & (ex["start_hi"] > d0)].iterrows()
             for e in [ex.loc[r.name]]]
    steps += [(p["end"] - _DAY, min(p["end_lo"], p["end"] - _DAY), p["hi"] - _DAY, p["event_id"])
              for _, p in periods.iterrows()]
    if not steps:
        return None
    step = min(steps, key=lambda t: (t[0], t[3]))
    return _measure(name, "time to first recovery step", d0, *step)


def _days_disrupted(name: str, periods: pd.DataFrame, event_id: str, *, is_open: bool) -> dict:
    """Calendar days covered by the union of the disruption periods, both ends counted; with a
    period still open, the days up to the as-of date (a lower bound)."""
    covered = np.unique(np.concatenate([
        np.arange(s.floor("D").value // DAY_NS, e.ceil("D").value // DAY_NS)
        for s, e in zip(periods["start"], periods["end"], strict=True)]))
    total = float(len(covered))
    spread = max(float((((periods["end"] - _DAY) - periods["end_lo"]) / _DAY).max()), 0.0)
    first, end = periods["start"].min().floor("D"), periods["end"].max().ceil("D")
    if is_open:
        return {"incident": name, "measure": "days disrupted", "days": total, "days_min": total,
                "days_max": np.nan, "start": first, "end": end - _DAY, "event_id": event_id,
                "text": days_text(total, total, total, bound="lower")}
    return {"incident": name, "measure": "days disrupted", "days": total,
            "days_min": total - spread, "days_max": total, "start": first, "end": end - _DAY,
            "event_id": event_id, "text": days_text(total, total - spread, total)}


def _measure(incident: str, measure: str, d0: pd.Timestamp, when: pd.Timestamp,
             earliest: pd.Timestamp, latest: pd.Timestamp, event_id: str) -> dict:
    days = float((when.floor("D") - d0.floor("D")) / _DAY)
    lo = float((earliest.floor("D") - d0.floor("D")) / _DAY)
    hi = float((latest.floor("D") - d0.floor("D")) / _DAY)
    return {"incident": incident, "measure": measure, "days": days, "days_min": min(lo, days),
            "days_max": max(hi, days), "start": d0, "end": when, "event_id": event_id,
            "text": days_text(days, min(lo, days), max(hi, days))}


def days_text(days: float, lo: float, hi: float, *, bound: str = "") -> str:
    """A measure as briefings write it: ``"1 day"``, ``"43 days"``, a range ``"3–5 days"``, or
    with ``bound="lower"`` (a measure still running at the as-of date) ``"≥ 496 days"``.

    >>> days_text(1, 1, 1), days_text(43, 43, 43), days_text(4, 3, 5)
    ('1 day', '43 days', '3–5 days')
    >>> days_text(496, 496, float("nan"), bound="lower")
    '≥ 496 days'
    """
    unit = lambda n: f"{n:g} day" + ("" if n == 1 else "s")  # noqa: E731
    if bound == "lower":
        return f"≥ {unit(lo)}"
    if lo == hi:
        return unit(days)
    return f"{lo:g}–{unit(hi)}"
