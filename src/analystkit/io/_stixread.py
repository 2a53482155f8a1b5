"""Reading STIX objects into the case tables (the import half of :mod:`analystkit.io.stix`).

Every object is checked before it is used: its type and id, every timestamp, and the type of
each property the mapping reads. A failing object is skipped and reported with its id and the
reason; a relationship whose ``source_ref`` or ``target_ref`` is not (or no longer) in the input
is skipped the same way. Nothing is dropped without a line in the report.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..aliases import canonical_actor, name_key
from ..case import Case
from ._common import (
    ImportFormatError,
    build_case,
    confidence_to_status,
    grade_problem,
    load_json,
    read_grade,
    slug,
    stable_uuid,
)

__all__ = ["read_objects"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                 r"[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TIMESTAMPS = ("created", "modified", "first_seen", "last_seen", "start_time", "stop_time",
               "published", "valid_from", "valid_until", "first_observed", "last_observed")
_TEXT = ("name", "description", "relationship_type", "source_ref", "target_ref", "identity_class",
         "country", "x_analystkit_kind", "x_analystkit_relation", "x_analystkit_relation_id")
_TEXT_LISTS = ("aliases", "sectors", "object_marking_refs", "malware_types", "object_refs",
               "x_analystkit_aliases", "x_mitre_aliases")
_DICT_LISTS = ("external_references", "x_analystkit_events", "x_analystkit_sources",
               "granular_markings")
_REQUIRED = {"relationship": ("relationship_type", "source_ref", "target_ref"),
             "intrusion-set": ("name",), "threat-actor": ("name",), "identity": ("name",),
             "incident": ("name",), "report": ("name",)}
_ACTOR_TYPES = ("intrusion-set", "threat-actor")
_ENTITY_TYPES = (*_ACTOR_TYPES, "identity", "malware")
_TLP1 = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
         "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
         "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
         "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red"}
_BOOKKEEPING = {"type", "spec_version", "created", "modified", "object_marking_refs",
                "granular_markings", "name", "description", "aliases", "sectors", "identity_class",
                "is_family", "malware_types"}
_MAPPED_TYPES = (*_ENTITY_TYPES, "location", "incident")
_KIT_RELATIONS = ("targets", "uses", "attributed-to")
BUNDLE_SOURCE = "stix-bundle"


def _gather(source: Any) -> tuple[list, str, str, str]:
    """Objects, display name, spec version label and bundle id of the input."""
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        objects: list = []
        versions: set[str] = set()
        for path in sorted(Path(source).rglob("*.json")):
            part, _, version, _ = _gather(path)
            objects.extend(part)
            versions.add(version)
        if not objects:
            raise ImportFormatError(f"{source}: no STIX objects in any *.json file of the folder")
        return objects, str(source), "/".join(sorted(versions)), ""
    data, name = load_json(source, kind="STIX")
    if isinstance(data, list):
        return data, name, "2.1", ""
    if not isinstance(data, Mapping):
        raise ImportFormatError(f"{name}: top level is a JSON {type(data).__name__} (expected a STIX "
                                "bundle object or a list of objects)")
    if "type" not in data and isinstance(data.get("objects"), list) \
            and str(data.get("id", "")).startswith("bundle--"):
        data = {**data, "type": "bundle"}  # real files sometimes omit the bundle's type
    if "type" not in data:
        hint = "; it looks like a MISP event (use analystkit.io.misp.read)" if "Event" in data or \
            "Attribute" in data else ""
        raise ImportFormatError(f"{name}: has no 'type' property (expected a STIX bundle){hint}")
    if data["type"] != "bundle":
        return [data], name, str(data.get("spec_version", "2.0")), ""
    objects = data.get("objects", [])
    if not isinstance(objects, list):
        raise ImportFormatError(f"{name}: bundle 'objects' is a JSON {type(objects).__name__} "
                                "(expected a list of STIX objects)")
    return objects, name, str(data.get("spec_version", "2.1")), str(data.get("id", ""))


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _problem(obj: object, i: int) -> str | None:
    """Why ``obj`` (the ``i``-th object) cannot be used, or None."""
    if not isinstance(obj, Mapping):
        return f"object #{i} is a JSON {type(obj).__name__}, not an object"
    kind, oid = obj.get("type"), obj.get("id")
    if not isinstance(kind, str) or not kind:
        return "has no 'type'"
    if not isinstance(oid, str) or not _ID.match(oid) or oid.split("--")[0] != kind:
        return f"'id' {oid!r} is not '{kind}--<uuid>'"
    for prop in _REQUIRED.get(kind, ()):
        if prop not in obj:
            return f"required property '{prop}' is missing"
    for prop in _TIMESTAMPS:
        if prop in obj and _timestamp(obj[prop]) is None:
            return f"'{prop}' value {obj[prop]!r} is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SSZ)"
    for prop in _TEXT:
        if prop in obj and not isinstance(obj[prop], str):
            return f"'{prop}' is a {type(obj[prop]).__name__} (expected a string)"
    for prop in _TEXT_LISTS:
        if prop in obj and (not isinstance(obj[prop], list)
                            or not all(isinstance(v, str) for v in obj[prop])):
            return f"'{prop}' value {obj[prop]!r} is not a list of strings"
    for prop in _DICT_LISTS:
        if prop in obj and (not isinstance(obj[prop], list)
                            or not all(isinstance(v, Mapping) for v in obj[prop])):
            return f"'{prop}' is not a list of objects"
    confidence = obj.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, int)
                                   or not 0 <= confidence <= 100):
        return f"'confidence' value {confidence!r} is not an integer from 0 to 100"
    if (problem := grade_problem(obj)) is not None:
        return problem
    if kind == "location" and "country" in obj and obj["country"].upper() not in schema.country_codes():
        return f"'country' value {obj['country']!r} is not an ISO 3166-1 alpha-2 code"
    return None


def _check(objects: list) -> tuple[dict[str, dict], list[dict]]:
    """Valid objects by id (latest version of each) and the skipped ones."""
    valid: dict[str, dict] = {}
    skipped: list[dict] = []
    for i, obj in enumerate(objects):
        reason = _problem(obj, i)
        if reason:
            ident = obj.get("id") if isinstance(obj, Mapping) else None
            skipped.append({"id": ident if isinstance(ident, str) else f"#{i}",
                            "type": obj.get("type") if isinstance(obj, Mapping) else None,
                            "reason": reason})
            continue
        old = valid.get(obj["id"])
        if old is None or (_timestamp(obj.get("modified", "")) or datetime.min.astimezone()) >= \
                (_timestamp(old.get("modified", "")) or datetime.min.astimezone()):
            valid[obj["id"]] = dict(obj)
    for oid, obj in list(valid.items()):
        if obj["type"] != "relationship":
            continue
        for prop in ("source_ref", "target_ref"):
            # a missing object the case has no table for (an ATT&CK technique) costs nothing
            if obj[prop] not in valid and obj[prop].split("--")[0] in _MAPPED_TYPES:
                skipped.append({"id": oid, "type": "relationship",
                                "reason": f"'{prop}' {obj[prop]} is not in the input (or was skipped)"})
                del valid[oid]
                break
    return valid, skipped


class _Reader:
    def __init__(self, valid: dict[str, dict], default_tlp: str, tlp_ids: Mapping[str, str]):
        self.valid = valid
        self.default = default_tlp
        self.labels = {mid: label for label, mid in tlp_ids.items()} | _TLP1
        for obj in valid.values():
            if obj["type"] == "marking-definition":
                label = _marking_label(obj)
                if label:
                    self.labels[obj["id"]] = label
        kit_reports = [o for o in valid.values() if o["type"] == "report" and "x_analystkit_sources" in o]
        self.kit_report = kit_reports[0] if kit_reports else None
        self.sources: dict[str, dict] = {}
        self.source_keys: dict[tuple, str] = {}
        self.bundle_source_used = False
        if self.kit_report:
            for row in self.kit_report["x_analystkit_sources"]:
                self.sources[str(row.get("source_id", ""))] = dict(row)

    def tlp(self, obj: Mapping) -> str:
        labels = [self.labels[m] for m in obj.get("object_marking_refs", ()) if m in self.labels]
        return schema.highest_tlp(labels, self.default)

    def source_ids(self, obj: Mapping) -> list[str]:
        ids = []
        for ref in obj.get("external_references", ()):
            external = str(ref.get("external_id", ""))
            if external in self.sources and self.kit_report is not None:
                ids.append(external)
                continue
            name = str(ref.get("source_name", "")).strip() or "unnamed reference"
            key = (name, str(ref.get("url", "")), external)
            if key not in self.source_keys:
                sid = base = slug(f"{name} {external}".strip())
                n = 2
                while sid in self.sources:
                    sid, n = f"{base}-{n}", n + 1
                self.source_keys[key] = sid
                self.sources[sid] = {"source_id": sid, "name": name, "url": key[1],
                                     "published": "", "reliability": "", "tlp": self.default}
            ids.append(self.source_keys[key])
        if not ids:
            self.bundle_source_used = True
            ids.append(BUNDLE_SOURCE)
        return list(dict.fromkeys(ids))


def _marking_label(obj: Mapping) -> str | None:
    ext = obj.get("extensions", {})
    for value in ext.values() if isinstance(ext, Mapping) else ():
        if isinstance(value, Mapping) and "tlp_2_0" in value:
            return schema.normalise_tlp(value["tlp_2_0"])
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, Mapping):
        return schema.normalise_tlp(definition.get("tlp", ""))
    return None


def _entities(reader: _Reader) -> tuple[dict[str, str], dict[str, dict]]:
    """Names by object id (inferred objects included) and entity rows by name."""
    targeted = {o["target_ref"] for o in reader.valid.values()
                if o["type"] == "relationship" and o["relationship_type"] == "targets"}
    names: dict[str, str] = {}
    rows: dict[str, dict] = {}
    for oid, obj in reader.valid.items():
        stype = obj["type"]
        if stype not in _ENTITY_TYPES or not str(obj.get("name", "")).strip():
            continue
        raw = str(obj["name"]).strip()
        kit = "x_analystkit_kind" in obj
        name = canonical_actor(raw) if stype in _ACTOR_TYPES and not kit else raw
        kind = obj.get("x_analystkit_kind") if obj.get("x_analystkit_kind") in schema.ENTITY_KINDS \
            else "actor" if stype in _ACTOR_TYPES else "victim" if oid in targeted and \
            stype == "identity" else "other"
        aliases = list(obj.get("aliases") or obj.get("x_analystkit_aliases") or obj.get("x_mitre_aliases")
                       or [])
        if not kit:
            aliases = [a for a in dict.fromkeys([raw, *aliases]) if name_key(a) != name_key(name)]
        if name in rows and rows[name]["kind"] != kind:
            name = f"{name} ({stype})"
        names[oid] = name
        if obj.get("x_analystkit_inferred"):
            continue
        if name in rows:  # another object for the same actor: keep one row, all the names
            rows[name]["aliases"] = list(dict.fromkeys([*rows[name]["aliases"], *aliases]))
            continue
        reader.source_ids(obj) if obj.get("external_references") else None
        rows[name] = {"name": name, "kind": kind, "aliases": aliases, **_sector(obj),
                      "country": "", "domain": obj.get("x_analystkit_domain", ""),
                      "description": obj.get("description", ""), "stix_extra": _extra(obj, name)}
    return names, rows


def _sector(obj: Mapping) -> dict[str, str]:
    sectors = [s for s in obj.get("sectors", ()) if s]
    sector = obj.get("x_analystkit_sector") or (sectors[0] if sectors and sectors[0] in schema.SECTORS
                                                else "")
    detail = obj.get("x_analystkit_sector_detail")
    if detail is None:
        detail = "; ".join(sectors) if sectors and sectors != [sector] else ""
    return {"sector": sector, "sector_detail": detail}


def _extra(obj: Mapping, name: str) -> str:
    kept = {k: v for k, v in obj.items() if k not in _BOOKKEEPING and not k.startswith("x_analystkit_")}
    if kept.get("id") == f"{obj['type']}--{stable_uuid('entity', name)}":
        kept.pop("id")
    if kept.keys() <= {"id"} and "x_analystkit_kind" in obj:
        kept = {}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False) if kept else ""


def _relation_row(reader: _Reader, rel: Mapping, names: Mapping[str, str], kit_relation: str) -> dict:
    precision = rel.get("x_analystkit_precision", "exact")
    start = rel.get("start_time")
    date = schema.format_date(pd.Timestamp(start.replace("Z", "+00:00")), precision) if start else ""
    status, credibility = read_grade(rel)
    return {"relation_id": rel.get("x_analystkit_relation_id", rel["id"]),
            "source": names[rel["source_ref"]], "target": names[rel["target_ref"]],
            "relation": kit_relation, "via": rel.get("x_analystkit_via", ""), "date": date,
            "precision": precision if date else "", "status": status, "credibility": credibility,
            "incident": rel.get("x_analystkit_incident", ""), "description": rel.get("description", ""),
            "sources": reader.source_ids(rel), "tlp": reader.tlp(rel)}


def _events(reader: _Reader, incident: Mapping) -> list[dict]:
    marked = {}
    for mark in incident.get("granular_markings", ()):
        for selector in mark.get("selectors", ()):
            marked[str(selector)] = reader.labels.get(mark.get("marking_ref", ""))
    rows = []
    for i, record in enumerate(incident["x_analystkit_events"]):
        row = dict(record)
        row.setdefault("tlp", marked.get(f"x_analystkit_events.[{i}]") or reader.tlp(incident))
        rows.append(row)
    return rows


def _report_event(reader: _Reader, report: Mapping) -> dict:
    """A foreign report becomes a disclosure event on its publication date."""
    published = _timestamp(report["published"])
    return {"event_id": report["id"], "start": schema.format_date(pd.Timestamp(published), "exact"),
            "precision": "exact", "category": "disclosure", "title": f"Report published: {report['name']}",
            "description": report.get("description", ""),
            "status": confidence_to_status(report.get("confidence")),
            "sources": reader.source_ids(report), "tlp": reader.tlp(report)}


def _meta(reader: _Reader, name: str, rows: dict[str, list[dict]]) -> dict:
    report = reader.kit_report
    if report is not None:
        meta = {"title": report["name"], "summary": report.get("description", ""),
                "as_of": report["published"][:10],
                "tlp": report.get("x_analystkit_tlp") or reader.tlp(report)}
        meta.update(report.get("x_analystkit_case", {}))
        return meta
    reports = [o for o in reader.valid.values() if o["type"] == "report"]
    stamps = [_timestamp(o.get(p)) for o in reader.valid.values() for p in ("modified", "published")
              if o.get(p)]
    labels = [r["tlp"] for table in ("relations", "events", "sources") for r in rows[table]]
    return {"title": reports[0]["name"] if reports else f"STIX import: {Path(name).name}",
            "summary": reports[0].get("description", "") if reports else "",
            "as_of": max(stamps).strftime("%Y-%m-%d") if stamps else "",
            "tlp": schema.highest_tlp(labels, reader.default)}


def read_objects(source: Any, *, default_tlp: str, strict: bool, tlp_ids: Mapping[str, str]) -> Case:
    """Read STIX input into a validated :class:`Case` (see :func:`analystkit.io.stix.read`)."""
    default = schema.normalise_tlp(default_tlp)
    if default is None:
        raise ValueError(f"unknown TLP label {default_tlp!r}; expected one of "
                         f"{', '.join(schema.TLP_LEVELS)}")
    objects, name, version, bundle_id = _gather(source)
    valid, skipped = _check(objects)
    if strict and skipped:
        raise ImportFormatError(f"{name}: {len(skipped)} invalid object(s):\n" + "\n".join(
            f"  - {s['id']}: {s['reason']}" for s in skipped))
    if objects and not valid:
        raise ImportFormatError(f"{name}: none of the {len(objects)} object(s) could be read; first "
                                f"problem: {skipped[0]['id']}: {skipped[0]['reason']}")
    reader = _Reader(valid, default, tlp_ids)
    names, entity_rows = _entities(reader)
    relations, events = [], []
    unmapped: Counter[str] = Counter()
    for obj in valid.values():
        stype = obj["type"]
        if stype == "relationship":
            if obj.get("x_analystkit_link"):
                continue
            rtype = obj["relationship_type"]
            target = valid.get(obj["target_ref"], {})
            if rtype in ("located-at", "originates-from") and target.get("type") == "location" \
                    and target.get("country") and names.get(obj["source_ref"]) in entity_rows:
                entity_rows[names[obj["source_ref"]]]["country"] = target["country"].upper()
                continue
            kit_relation = obj.get("x_analystkit_relation") or (rtype if rtype in _KIT_RELATIONS else "")
            if kit_relation in schema.RELATIONS and obj["source_ref"] in names \
                    and obj["target_ref"] in names:
                relations.append(_relation_row(reader, obj, names, kit_relation))
            else:
                unmapped[f"relationship:{rtype}"] += 1
        elif stype == "incident" and "x_analystkit_events" in obj:
            events.extend(_events(reader, obj))
        elif stype == "report" and obj is not reader.kit_report and obj.get("published"):
            events.append(_report_event(reader, obj))
        elif stype not in (*_ENTITY_TYPES, "marking-definition", "location", "report"):
            unmapped[stype] += 1
    order = (reader.kit_report or {}).get("x_analystkit_event_order")
    if isinstance(order, list):
        rank = {event_id: i for i, event_id in enumerate(order)}
        events.sort(key=lambda row: rank.get(row.get("event_id"), len(rank)))
    if reader.bundle_source_used:
        reader.sources[BUNDLE_SOURCE] = {"source_id": BUNDLE_SOURCE, "published": "", "url": "",
                                         "name": f"STIX {bundle_id or 'input'} ({Path(name).name})",
                                         "reliability": "", "tlp": default}
    rows = {"sources": list(reader.sources.values()), "entities": list(entity_rows.values()),
            "relations": relations, "events": events}
    if rows["entities"] and not any(r["stix_extra"] for r in rows["entities"]):
        for row in rows["entities"]:
            del row["stix_extra"]
    report = {"format": f"stix-{version}", "file": name, "objects": len(objects),
              "skipped": skipped, "unmapped": dict(sorted(unmapped.items()))}
    return build_case(rows, _meta(reader, name, rows), name=name, report=report)
