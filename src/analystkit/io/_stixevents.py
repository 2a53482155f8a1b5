"""Other producers' campaigns, incidents and sightings as events of the case (part of
:mod:`analystkit.io._stixread`).

* a ``campaign`` is a period from ``first_seen`` to ``last_seen`` (a point on ``first_seen``
  when it has no later ``last_seen``); its ``attributed-to`` actor and ``targets`` victim, when
  there is exactly one of each, fill the event's ``actor`` and ``victim``;
* an ``incident`` from another tool (not the kit's own) is placed the same way, from
  ``first_seen`` (OpenCTI writes it) or, lacking it, on the day the producer created the
  object, which the description then says;
* a ``sighting`` is a point on ``first_seen`` (else ``created``), titled with what was seen,
  by whom and how often.

A campaign without ``first_seen`` has no date to place it and is left out, counted in the
import report. Relationships consumed here are not counted as unmapped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from .. import schema
from ._common import confidence_to_status
from ._stixcheck import timestamp
from ._stixcore import CORE_ID
from ._stixcore import event_rows as core_event_rows

__all__ = ["EVENT_TYPES", "event_rows"]

EVENT_TYPES = ("campaign", "incident", "sighting", "event")
_ROLES = {"attributed-to": "actor", "targets": "victim"}


def _when(stamp: datetime) -> tuple[str, str]:
    """The date text and precision of a STIX timestamp (midnight exactly: a day)."""
    value = pd.Timestamp(stamp)
    precision = "day" if value == value.normalize() else "exact"
    return schema.format_date(value, precision), precision


def _ends(valid: Mapping[str, Mapping], names: Mapping[str, str]) -> tuple[dict[str, dict[str, list[str]]],
                                                                           set[str]]:
    """For each event-like object, the actor and victim names its relationships give, and the
    ids of those relationships."""
    ends: dict[str, dict[str, list[str]]] = {}
    used: set[str] = set()
    for rel in valid.values():
        if rel["type"] != "relationship" or rel["relationship_type"] not in _ROLES:
            continue
        source = valid.get(rel["source_ref"], {})
        if source.get("type") in EVENT_TYPES and rel["target_ref"] in names:
            role = _ROLES[rel["relationship_type"]]
            ends.setdefault(source["id"], {}).setdefault(role, []).append(names[rel["target_ref"]])
            ends[source["id"]].setdefault("refs", []).extend([rel["id"], rel["target_ref"]])
            used.add(rel["id"])
    return ends, used


def event_rows(valid: Mapping[str, Mapping], names: Mapping[str, str], *,
               tlp: Callable[[Mapping], str], sources: Callable[[Mapping], list[str]]
               ) -> tuple[list[dict[str, Any]], set[str], dict[str, int]]:
    """The event rows, the relationship ids they consumed, and what was left out by reason."""
    ends, used = _ends(valid, names)
    incident_of = {step["event_ref"]: obj["id"] for obj in valid.values() if obj["type"] == "incident"
                   for step in _core(obj).get("events", ()) if isinstance(step, Mapping)
                   and isinstance(step.get("event_ref"), str)}
    rows, timelined, undated = core_event_rows(valid, names, tlp=tlp, sources=sources,
                                               incident_of=incident_of, ends=ends)
    left: dict[str, int] = {"event without start_time (no date to place it)": undated} if undated else {}
    for obj in valid.values():
        stype = obj["type"]
        if stype not in EVENT_TYPES or stype == "event" or obj["id"] in timelined \
                or (stype == "incident" and "x_analystkit_events" in obj):  # timelined: by its events
            continue
        first = timestamp(obj.get("first_seen"))
        note = ""
        if first is None and stype == "campaign":
            left["campaign without first_seen (no date to place it)"] = \
                left.get("campaign without first_seen (no date to place it)", 0) + 1
            continue
        if first is None:
            first = timestamp(obj["created"])
            note = f"Dated by the {stype} object's creation; the producer gave no first_seen."
        start, precision = _when(first)
        last = timestamp(obj.get("last_seen"))
        end, end_precision = _when(last) if last is not None and last > first else ("", "")
        who = ends.get(obj["id"], {})
        actors, victims = who.get("actor", []), who.get("victim", [])
        rows.append({
            "event_id": obj["id"], "start": start, "precision": precision, "end": end,
            "end_precision": end_precision if end else "", "ongoing": "false",
            "category": "intrusion", "title": _title(obj, valid, names),
            "description": " ".join(filter(None, [str(obj.get("description") or ""), note])),
            "actor": actors[0] if len(set(actors)) == 1 else "",
            "victim": victims[0] if len(set(victims)) == 1 else "",
            "status": confidence_to_status(obj.get("confidence")),
            "sources": sources(obj), "tlp": _marking(obj, who.get("refs", []), valid, tlp)})
    return rows, used, left


def _core(obj: Mapping) -> Mapping:
    """The Incident Core extension's properties on an object (empty when it has none)."""
    extensions = obj.get("extensions")
    found = extensions.get(CORE_ID) if isinstance(extensions, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _marking(obj: Mapping, refs: list[str], valid: Mapping[str, Mapping],
             tlp: Callable[[Mapping], str]) -> str:
    """The event's marking: the strictest of its object's and of every object it names (the
    actor, the victim, what was sighted and where), since the row repeats their names."""
    named = [*refs, *([obj["sighting_of_ref"], *obj.get("where_sighted_refs", ())]
                      if obj["type"] == "sighting" else [])]
    labels = [tlp(obj), *(tlp(valid[r]) for r in named if r in valid)]
    return max(labels, key=schema.tlp_rank)


def _title(obj: Mapping, valid: Mapping[str, Mapping], names: Mapping[str, str]) -> str:
    if obj["type"] != "sighting":
        return f"{obj['type'].capitalize()}: {obj.get('name') or obj['id']}"
    seen = obj["sighting_of_ref"]
    what = names.get(seen) or str(valid.get(seen, {}).get("name") or seen.split("--")[0])
    where = [names.get(r) or str(valid.get(r, {}).get("name") or r.split("--")[0])
             for r in obj.get("where_sighted_refs", ())]
    count = obj.get("count")
    times = f" ({count} times)" if isinstance(count, int) and count > 1 else ""
    return f"Sighting of {what}" + (f" by {', '.join(where)}" if where else "") + times
