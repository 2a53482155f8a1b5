"""The durations a briefing quotes, computed from event categories (never typed in)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .alignment import day0_of, first_event, incidents_of
from .intervals import DAY_NS, extents

__all__ = ["MEASURES", "days_text", "durations", "incident_measures"]

#: The measures :func:`durations` reports, in order.
MEASURES = ("time to disclosure", "time to first recovery step", "time to full restoration",
            "days disrupted")
_COLUMNS = ["incident", "measure", "days", "days_min", "days_max", "start", "end", "event_id",
            "text"]
_DAY = pd.Timedelta(days=1)


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
    if events.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
    zero = day0_of(events, day0)
    x = extents(events, as_of=as_of)
    inc = incidents_of(events)
    rows: list[dict] = []
    for name, d0 in zero.items():
        mask = inc.eq(name).to_numpy()
        rows += incident_measures(name, d0, events[mask], x[mask])
    out = pd.DataFrame(rows, columns=_COLUMNS)
    order = {m: i for i, m in enumerate(MEASURES)}
    return out.sort_values(["incident", "measure"], key=lambda s: s.map(order) if s.name == "measure"
                           else s, kind="stable").reset_index(drop=True)


def incident_measures(name: str, d0: pd.Timestamp, ev: pd.DataFrame, ex: pd.DataFrame) -> list[dict]:
    """The rows of :func:`durations` for one incident: its events ``ev`` and their extents ``ex``."""
    periods = ex[ev["category"].eq("disruption").to_numpy() & ex["kind"].eq("period").to_numpy()]
    rows = [row for row in (_disclosure(name, d0, ev, ex), _first_step(name, d0, ev, ex, periods))
            if row is not None]
    if periods.empty:
        return rows
    last = periods.loc[periods["end"].idxmax()]
    earliest = last["end_lo"] if last["end_lo"] < last["end"] else last["end"] - _DAY
    rows.append(_measure(name, "time to full restoration", d0, last["end"] - _DAY, earliest,
                         last["hi"] - _DAY, last["event_id"]))
    rows.append(_days_disrupted(name, periods, last["event_id"]))
    return rows


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


def _days_disrupted(name: str, periods: pd.DataFrame, event_id: str) -> dict:
    """Calendar days covered by the union of the disruption periods, both ends counted."""
    covered = np.unique(np.concatenate([
        np.arange(s.floor("D").value // DAY_NS, e.ceil("D").value // DAY_NS)
        for s, e in zip(periods["start"], periods["end"], strict=True)]))
    total = float(len(covered))
    spread = max(float((((periods["end"] - _DAY) - periods["end_lo"]) / _DAY).max()), 0.0)
    first, end = periods["start"].min().floor("D"), periods["end"].max().ceil("D")
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


def days_text(days: float, lo: float, hi: float) -> str:
    """A measure as briefings write it: ``"1 day"``, ``"43 days"`` or a range ``"3–5 days"``.

    >>> days_text(1, 1, 1), days_text(43, 43, 43), days_text(4, 3, 5)
    ('1 day', '43 days', '3–5 days')
    """
    unit = lambda n: f"{n:g} day" + ("" if n == 1 else "s")  # noqa: E731
    if lo == hi:
        return unit(days)
    return f"{lo:g}–{unit(hi)}"
