"""Timelines in the OASIS *Incident Core Extension* (a draft of the STIX community), both ways
(part of :mod:`analystkit.io.stix`).

Export, asked for with ``to_bundle(case, incident_core=True)``: each incident object gains the
property-extension ``extension-definition--ef765651-…`` (``determination``: *confirmed* when
one of its events is confirmed, else *suspected*; ``investigation_status``: the case's
``investigation_status``, else *open*, since the kit cannot know an investigation has closed;
``events``: one ``event_ref`` per row, in the case's order), one ``event`` object per row
(new-sdo ``extension-definition--4ca6de00-…``: ``name``, ``description``, ``status`` — *ongoing*
for an open period, *occurred* for a confirmed or reported row, *undetermined* for a claim or a
disputed one —, ``start_time`` / ``end_time`` with their ``*_fidelity`` from the row's
precision, ``event_types`` its category, ``confidence`` from its grade as on a relationship),
and the incident is
``attributed-to`` each actor and ``targets`` each victim its events name. Every one of these
objects has ``created_by_ref``: the identity of the case's ``author``, else the kit's.

The draft changes (its schema and its examples disagree about ``determination`` and
``events``); the export follows the worked ransomware example of the draft's repository. It
stays off by default: the kit's own ``x_analystkit_events`` carry the case either way.

Import: an incident of another producer that lists ``events`` (or any ``event`` object of the
draft) gives one event row per event object instead of a row of its own; each row takes the
incident's name, and its actor and victim when the incident is attributed to one actor and
targets one victim (the draft's events name neither: the incident's attribution stands for
them). An event without ``start_time`` cannot be placed and is counted as left out. The kit's
own event objects copy rows it reads from its incident and are passed over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .. import schema
from ._common import confidence_to_status, grade_properties
from ._stixcheck import stix_time, timestamp
from ._stixext import stix_uuid

__all__ = ["CORE_ID", "EVENT_ID", "author_object", "core_objects", "event_rows"]

CORE_ID = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
EVENT_ID = "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"
_FIDELITY = {"day": "day", "month": "month", "year": "year"}  # exact, approximate: none stated
_STATUS = {"confirmed": "occurred", "reported": "occurred", "claimed": "undetermined",
           "disputed": "undetermined"}


def author_object(meta: Mapping[str, Any], common: dict) -> dict | None:
    """The identity of the case's ``author`` (None when the case names none)."""
    name = str(meta.get("author") or "").strip()
    if not name:
        return None
    return {"type": "identity", "spec_version": "2.1", "id": f"identity--{stix_uuid('author', name)}",
            **common, "name": name, "identity_class": "unknown"}


def core_objects(incident: dict, group: pd.DataFrame, ids: Mapping[str, str], common: dict, *,
                 author: str,
                 references: Callable[[tuple[str, ...]], list[dict]],
                 marking: Callable[[str], list[str]], status: str = "open") -> list[dict]:
    """Give ``incident`` the Incident Core extension (in place); return its event objects and
    the relationships to the actors and victims its events name."""
    objects = []
    for row in group.itertuples(index=False):
        event = {"type": "event", "spec_version": "2.1", "id": f"event--{stix_uuid('event', row.event_id)}",
                 **common, "created_by_ref": author, "object_marking_refs": marking(row.tlp),
                 "name": row.title, "status": "ongoing" if row.ongoing else _STATUS[row.status],
                 "start_time": stix_time(row.start), "event_types": [row.category],
                 "extensions": {EVENT_ID: {"extension_type": "new-sdo"}}}
        if row.description:
            event["description"] = row.description
        if row.precision in _FIDELITY:
            event["start_time_fidelity"] = _FIDELITY[row.precision]
        if pd.notna(row.end):
            event["end_time"] = stix_time(row.end)
            if (row.end_precision or row.precision) in _FIDELITY:
                event["end_time_fidelity"] = _FIDELITY[row.end_precision or row.precision]
        grade = grade_properties({"status": row.status, "credibility": row.credibility})
        if "confidence" in grade:
            event["confidence"] = grade["confidence"]
        if row.sources:
            event["external_references"] = references(tuple(row.sources))
        objects.append(event)
    confirmed = group["status"].eq("confirmed").any()
    incident["created_by_ref"] = author
    incident["extensions"] = {**incident.get("extensions", {}), CORE_ID: {
        "extension_type": "property-extension",
        "determination": "confirmed" if confirmed else "suspected", "investigation_status": status,
        "events": [{"event_ref": e["id"]} for e in objects]}}
    for column, rtype in (("actor", "attributed-to"), ("victim", "targets")):
        for name in dict.fromkeys(n for n in group[column] if n in ids):
            label = min(group.loc[group[column].eq(name), "tlp"], key=schema.tlp_rank)
            objects.append({"type": "relationship", "spec_version": "2.1",
                            "id": f"relationship--{stix_uuid('incident-core', incident['id'], rtype, name)}",
                            **common, "created_by_ref": author, "object_marking_refs": marking(label),
                            "relationship_type": rtype, "source_ref": incident["id"],
                            "target_ref": ids[name], "x_analystkit_link": f"incident-{column}"})
    return objects


def _precision(stamp: pd.Timestamp, fidelity: object) -> str:
    if fidelity in ("day", "month", "year"):
        return str(fidelity)
    return "day" if stamp == stamp.normalize() and fidelity not in ("second", "minute", "hour") \
        else "exact"


def event_rows(valid: Mapping[str, Mapping], names: Mapping[str, str], *,
               tlp: Callable[[Mapping], str], sources: Callable[[Mapping], list[str]],
               incident_of: Mapping[str, str], ends: Mapping[str, Mapping[str, list[str]]]
               ) -> tuple[list[dict], set[str], int]:
    """The rows of other producers' ``event`` objects, the ids of the incidents whose events
    they are (those incidents then give no row of their own), and how many had no start_time.

    ``incident_of`` maps an event id to the id of the incident listing it; ``ends`` gives each
    incident's actor and victim names (one of each fills the row)."""
    kit_events = {f"event--{stix_uuid('event', r.get('event_id'))}" for o in valid.values()
                  if "x_analystkit_events" in o for r in o["x_analystkit_events"]}
    rows, incidents, undated = [], set(), 0
    for obj in valid.values():
        if obj["type"] != "event" or obj["id"] in kit_events:
            continue  # the kit's own event objects copy rows it reads from its incident
        if not obj.get("start_time"):
            undated += 1
            continue
        start = pd.Timestamp(timestamp(obj["start_time"]))
        precision = _precision(start, obj.get("start_time_fidelity"))
        end = timestamp(obj.get("end_time")) if obj.get("end_time") else None
        end_precision = _precision(pd.Timestamp(end), obj.get("end_time_fidelity")) if end else ""
        owner = incident_of.get(obj["id"], "")
        who = ends.get(owner, {})
        actors, victims = who.get("actor", []), who.get("victim", [])
        incidents.add(owner) if owner else None
        owner_name = str(valid.get(owner, {}).get("name") or "")
        rows.append({
            "event_id": obj["id"], "incident": owner_name, "start": schema.format_date(start, precision),
            "precision": precision,
            "end": schema.format_date(pd.Timestamp(end), end_precision) if end else "",
            "end_precision": end_precision,
            "ongoing": str(obj.get("status") == "ongoing" and not end).lower(),
            "category": next((t for t in obj.get("event_types", ()) if t in schema.CATEGORIES),
                             "intrusion"),
            "title": str(obj.get("name") or obj["id"]), "description": str(obj.get("description") or ""),
            "actor": actors[0] if len(set(actors)) == 1 else "",
            "victim": victims[0] if len(set(victims)) == 1 else "",
            "status": "disputed" if obj.get("status") == "not-occurred"
            else confidence_to_status(obj.get("confidence")),
            "sources": sources(obj), "tlp": tlp(obj)})
    return rows, incidents, undated
