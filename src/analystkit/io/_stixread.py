"""Reading STIX objects into the case tables (the import half of :mod:`analystkit.io.stix`).

:mod:`._stixcheck` checks every object first; a failing object is skipped and reported with its
id and the reason. Nothing is dropped without a line in the report.

Every row keeps the markings of the object it comes from (:mod:`._markings`): its
``object_marking_refs`` and granular markings, the strictest when several apply, RED for a
marking the kit cannot read. An entity keeps its object's own marking; an unmarked one takes the
strictest of the rows that name it. A source made from an external reference takes the lowest
marking of the objects that cite it (each of them shows the reference at its own level).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..aliases import canonical_actor, name_key
from ..case import Case
from ._common import ImportFormatError, build_case, confidence_to_status, frame_to_records, read_grade, slug
from ._markings import MarkingLog, StixMarkings, warn_markings
from ._stixcheck import check, gather, timestamp
from ._stixevents import EVENT_TYPES, event_rows
from ._stixext import AUTHOR_ID, DIGEST, EXTENSION_ID, entity_digest, stix_uuid
from ._stixnotes import NOTE_TYPES, annotate

__all__ = ["read_objects"]

_ACTOR_TYPES = ("intrusion-set", "threat-actor")
_ENTITY_TYPES = (*_ACTOR_TYPES, "identity", "malware", "tool", "attack-pattern")
_BOOKKEEPING = {"type", "spec_version", "created", "modified", "object_marking_refs",
                "granular_markings", "name", "description", "aliases", "sectors", "identity_class",
                "is_family", "malware_types"}
#: Kept as another producer wrote them (the writer puts them back instead of its own).
_PRODUCERS = ("created", "modified", "is_family", "malware_types", "identity_class")
_KIT_RELATIONS = ("targets", "uses", "attributed-to")
_EVENTS = "x_analystkit_events.["
BUNDLE_SOURCE = "stix-bundle"


class _Reader:
    def __init__(self, valid: dict[str, dict], default_tlp: str):
        self.valid = valid
        self.default = default_tlp
        self.log = MarkingLog()
        self.marks = StixMarkings(valid.values(), default_tlp, self.log)
        kit_reports = [o for o in valid.values() if o["type"] == "report"
                       and ("x_analystkit_sources" in o or "x_analystkit_tlp" in o)]
        self.kit_report = kit_reports[0] if kit_reports else None
        self.sources: dict[str, dict] = {}
        self.source_keys: dict[tuple, str] = {}
        self.citers: dict[str, list[str]] = {}  # source id → markings of the objects citing it
        self.stamps: list = []  # every timestamp the input states (set by read_objects)
        self.by_url: dict[str, str] = {}  # URL → source id: a reference's URL names one source
        if self.kit_report:
            for row in self.kit_report.get("x_analystkit_sources", ()):  # absent: none
                self.sources[str(row.get("source_id", ""))] = dict(row)
                if row.get("url"):
                    self.by_url.setdefault(str(row["url"]), str(row.get("source_id", "")))

    def tlp(self, obj: Mapping, selected: Callable[[str], bool] | None = None) -> str:
        """The strictest marking on ``obj`` (granular ones ``selected`` accepts; all if None)."""
        return self.marks.label(obj, selected)

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
                known = self._known_source(name, key[1], external)
                if known:
                    self.source_keys[key] = known
                    ids.append(known)
                    continue
                sid = base = slug(f"{name} {external}".strip())
                n = 2
                while sid in self.sources or sid == BUNDLE_SOURCE:
                    sid, n = f"{base}-{n}", n + 1
                self.source_keys[key] = sid
                self.sources[sid] = {"source_id": sid, "name": name, "url": key[1],
                                     "published": "", "reliability": "", "tlp": self.default}
                if key[1]:
                    self.by_url.setdefault(key[1], sid)
            ids.append(self.source_keys[key])
        if not ids:
            ids.append(BUNDLE_SOURCE)
        ids = list(dict.fromkeys(ids))
        label = self.tlp(obj)
        for sid in ids:
            if sid == BUNDLE_SOURCE or sid in self.source_keys.values():
                self.citers.setdefault(sid, []).append(label)
        return ids

    def _known_source(self, name: str, url: str, external: str) -> str:
        """The id of a source already held for this reference: one with the same URL, or the
        row the kit made from it on an earlier import (its id made from name and external id)."""
        if url and url in self.by_url:
            return self.by_url[url]
        made = slug(f"{name} {external}".strip())
        row = self.sources.get(made)
        return made if row is not None and row.get("name") == name and not row.get("url") else ""

    def source_rows(self, bundle: str) -> list[dict]:
        """The source rows; each made here takes the lowest marking of the objects citing it."""
        if BUNDLE_SOURCE in self.citers:
            self.sources[BUNDLE_SOURCE] = {"source_id": BUNDLE_SOURCE, "published": "", "url": "",
                                           "name": bundle, "reliability": "", "tlp": self.default}
        for sid, labels in self.citers.items():
            self.sources[sid]["tlp"] = min(labels, key=schema.tlp_rank)
        return list(self.sources.values())


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
        name = raw  # as the producer wrote it: never swapped for an alias's canonical form
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
        own = [reader.tlp(obj)] if reader.marks.marked(obj) else []
        if name in rows:  # another object for the same actor: keep one row, all the names
            rows[name]["aliases"] = list(dict.fromkeys([*rows[name]["aliases"], *aliases]))
            rows[name]["_also"].extend(own or [reader.default])
            continue
        reader.source_ids(obj) if obj.get("external_references") else None
        rows[name] = {"name": name, "kind": kind, "aliases": aliases, **_sector(obj),
                      "country": "", "domain": obj.get("x_analystkit_domain", ""),
                      "description": obj.get("description", ""), "stix_extra": _extra(obj, name),
                      "_own": own, "_also": [], "_inherit": obj.get("x_analystkit_own_tlp") == ""}
    return names, rows


def _settle(rows: Mapping[str, dict], relations: list[dict], events: list[dict], default: str) -> None:
    """Give each entity row its marking: its objects' own (or, unmarked, the strictest of the rows
    that name it, else ``default``) raised by the facts merged into it (a located-at country).

    A kit entity exported without a marking of its own (``x_analystkit_own_tlp`` empty) stays
    empty unless its objects are marked above what the rows that name it give."""
    named = schema.naming_marks(pd.DataFrame(events), pd.DataFrame(relations))
    for row in rows.values():
        own, also, inherit = row.pop("_own"), row.pop("_also"), row.pop("_inherit")
        from_rows = schema.highest_tlp(named.get(row["name"], ()), default)
        base = from_rows if inherit or not own else schema.highest_tlp(own, default)
        mark = schema.highest_tlp([base, *own, *also], default) if inherit else \
            schema.highest_tlp([base, *also], default)
        row["tlp"] = "" if inherit and mark == from_rows else mark


def _sector(obj: Mapping) -> dict[str, str]:
    sectors = [s for s in obj.get("sectors", ()) if s]
    sector = obj.get("x_analystkit_sector") or (sectors[0] if sectors and sectors[0] in schema.SECTORS
                                                else "")
    detail = obj.get("x_analystkit_sector_detail")
    if detail is None:
        detail = "; ".join(sectors) if sectors and sectors != [sector] else ""
    return {"sector": sector, "sector_detail": detail}


def _extra(obj: Mapping, name: str) -> str:
    # another producer's object (its id not one the kit makes) keeps its own times and typing;
    # the kit's own objects have theirs remade on export
    made = obj.get("id") == f"{obj['type']}--{stix_uuid('entity', name)}"
    own = () if made or ("x_analystkit_kind" in obj and "id" not in obj) else _PRODUCERS
    kept = {k: v for k, v in obj.items() if (k not in _BOOKKEEPING or k in own)
            and not k.startswith("x_analystkit_")}
    if made:
        kept.pop("id")
    others = {k: v for k, v in kept.pop("extensions", {}).items() if k != EXTENSION_ID}
    if others:  # another producer's extensions travel on; the kit's own is remade on export
        kept["extensions"] = others
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
            "sources": reader.source_ids(rel), "tlp": _relation_tlp(reader, rel)}


def _relation_tlp(reader: _Reader, rel: Mapping) -> str:
    """A relationship's marking; a foreign one also takes the markings of the objects it joins
    (the default level for unmarked ones), since the row names them. The kit's own
    relationships carry their row's marking, which already covers the names."""
    labels = [reader.tlp(rel)]
    if "x_analystkit_relation_id" not in rel:
        ends = (reader.valid.get(rel[p], {}) for p in ("source_ref", "target_ref"))
        labels += [reader.tlp(end) for end in ends if end]
    return schema.highest_tlp(labels, reader.default)


def _events(reader: _Reader, incident: Mapping) -> list[dict]:
    """The kit's event records of an incident; each takes the strictest of its own ``tlp``, the
    incident's markings and the granular markings that cover it (all but other items')."""
    rows = []
    for i, record in enumerate(incident["x_analystkit_events"]):
        mine = f"{_EVENTS}{i}]"

        def covers(selector: str, mine: str = mine) -> bool:
            return not selector.startswith(_EVENTS) or selector == mine or selector.startswith(f"{mine}.")
        row = dict(record)
        label, own = reader.tlp(incident, covers), schema.normalise_tlp(row.get("tlp") or "")
        row["tlp"] = schema.highest_tlp([label, own], label) if own else row.get("tlp") or label
        rows.append(row)
    return rows


def _report_event(reader: _Reader, report: Mapping) -> dict:
    """A foreign report becomes a disclosure event on its publication date."""
    published = timestamp(report["published"])
    return {"event_id": report["id"], "start": schema.format_date(pd.Timestamp(published), "exact"),
            "precision": "exact", "category": "disclosure", "title": f"Report published: {report['name']}",
            "description": report.get("description", ""),
            "status": confidence_to_status(report.get("confidence")),
            "sources": reader.source_ids(report), "tlp": reader.tlp(report)}


def _meta(reader: _Reader, name: str, rows: dict[str, list[dict]]) -> dict:
    report = reader.kit_report
    if report is not None:
        meta = {"title": report["name"], "summary": report.get("description", ""),
                "as_of": report["published"][:10]}
        meta.update(report.get("x_analystkit_case", {}))
        meta["tlp"] = schema.highest_tlp([report.get("x_analystkit_tlp") or reader.default,
                                          reader.tlp(report, lambda s: False)], reader.default)
    else:
        reports = [o for o in reader.valid.values() if o["type"] == "report"]
        report = reports[0] if reports else {}
        stamps = [t for t in reader.stamps if t is not None]
        labels = [r["tlp"] for table in ("relations", "events", "sources", "entities")
                  for r in rows[table]]
        meta = {"title": report.get("name") or f"STIX import: {Path(name).name}",
                "summary": report.get("description", ""),
                "as_of": max(stamps).strftime("%Y-%m-%d") if stamps else "",
                "tlp": schema.highest_tlp(labels, reader.default)}
    kit = report is reader.kit_report
    # the kit's report holds text marked below it; a raised report marking covers it all
    floor = meta["tlp"] if kit and meta["tlp"] != report.get("x_analystkit_tlp") else "clear"
    for key, prop in (("title", "name"), ("summary", "description")):  # a report's own markings
        if report and report.get(prop):
            marks = {**report, "object_marking_refs": []} if kit else report
            mark = schema.highest_tlp([floor, reader.marks.label(
                marks, lambda s, p=prop: s == p, default="clear" if kit else reader.default)], "clear")
            if schema.tlp_rank(mark) > schema.tlp_rank(meta.get(f"{key}_tlp") or meta["tlp"]) \
                    or (not kit and mark != meta["tlp"]):
                meta[f"{key}_tlp"] = mark
    pap = [p for p in (meta.get("pap"), reader.log.case_pap()) if p]
    if pap:
        meta["pap"] = max(pap, key=schema.PAP_LEVELS.index)
    return meta


def read_objects(source: Any, *, default_tlp: str, strict: bool) -> Case:
    """Read STIX input into a validated :class:`Case` (see :func:`analystkit.io.stix.read`)."""
    default = schema.normalise_tlp(default_tlp)
    if default is None:
        raise ValueError(f"unknown TLP label {default_tlp!r}; expected one of "
                         f"{', '.join(schema.TLP_LEVELS)}")
    objects, name, version, bundle_id = gather(source)
    valid, skipped = check(objects)
    if strict and skipped:
        raise ImportFormatError(f"{name}: {len(skipped)} invalid object(s):\n" + "\n".join(
            f"  - {s['id']}: {s['reason']}" for s in skipped))
    dangling = [s for s in skipped if s["reason"].endswith("is not in the input (or was skipped)")]
    if objects and not valid and not dangling:  # a lone relationship file (ATT&CK's layout) is read
        raise ImportFormatError(f"{name}: none of the {len(objects)} object(s) could be read; first "
                                f"problem: {skipped[0]['id']}: {skipped[0]['reason']}")
    read = Counter(str(o.get("type")) if isinstance(o, Mapping) else "not an object" for o in objects)
    unmapped: Counter[str] = Counter()
    for oid in [k for k, o in valid.items() if o.get("revoked") or o.get("x_mitre_deprecated")]:
        del valid[oid]
        unmapped["revoked"] += 1
    for oid in (AUTHOR_ID, EXTENSION_ID):  # the kit's declaration of its properties
        valid.pop(oid, None)
    reader = _Reader(valid, default)
    # the as-of date: the newest time any object states (one skipped as dangling included)
    reader.stamps = [timestamp(o.get(p)) for o in objects if isinstance(o, Mapping)
                     for p in ("created", "modified", "published")]
    names, entity_rows = _entities(reader)
    relations: list[dict] = []
    events, consumed, left = event_rows(valid, names, tlp=reader.tlp, sources=reader.source_ids)
    for obj in valid.values():
        stype = obj["type"]
        if stype == "relationship":
            if not (obj.get("x_analystkit_link") or obj["id"] in consumed):
                _relationship(reader, obj, names, entity_rows, relations, unmapped)
        elif stype == "incident" and "x_analystkit_events" in obj:
            events.extend(_events(reader, obj))
        elif stype == "report" and obj is not reader.kit_report and obj.get("published"):
            events.append(_report_event(reader, obj))
        elif stype not in (*_ENTITY_TYPES, *EVENT_TYPES, *NOTE_TYPES, "marking-definition", "location",
                           "report"):
            unmapped[stype] += 1
    order = (reader.kit_report or {}).get("x_analystkit_event_order")
    if isinstance(order, list):
        rank = {event_id: i for i, event_id in enumerate(order)}
        events.sort(key=lambda row: rank.get(row.get("event_id"), len(rank)))
    left.update(annotate(valid, events, entity_rows, names, tlp=reader.tlp, default=default))
    kit = reader.kit_report
    fallback = schema.normalise_tlp((kit or {}).get("x_analystkit_tlp") or "") or default
    _settle(entity_rows, relations, events, fallback)
    rows = {"sources": reader.source_rows(f"STIX {bundle_id or 'input'} ({Path(name).name})"),
            "entities": list(entity_rows.values()), "relations": relations, "events": events}
    if rows["entities"] and not any(r["stix_extra"] for r in rows["entities"]):
        for row in rows["entities"]:
            del row["stix_extra"]
    report = {"format": f"stix-{version}", "file": name, "objects": len(objects),
              "read": dict(sorted(read.items())), "skipped": skipped,
              "unmapped": dict(sorted(unmapped.items())), "not_imported": left}
    known = {r["name"]: canonical_actor(r["name"]) for r in rows["entities"] if r["kind"] == "actor"}
    if known := {n: c for n, c in known.items() if c != n}:
        report["known_aliases"] = known  # kept as written; the alias table reads them as others
    meta = _meta(reader, name, rows)
    if markings := reader.log.report():
        report["markings"] = markings
    case = build_case(rows, meta, name=name, report=report)
    if "stix_extra" in case.entities:  # the row as read, to tell an edited object on export
        case.entities["stix_extra"] = [_digested(r) for r in frame_to_records("entities", case.entities)]
    warn_markings(name, report)
    return case


def _relationship(reader: _Reader, obj: Mapping[str, Any], names: dict, entity_rows: dict,
                  relations: list[dict], unmapped: Counter) -> None:
    """Place one relationship: a country, a relation row, or a counted leftover."""
    rtype = obj["relationship_type"]
    target = reader.valid.get(obj["target_ref"], {})
    if rtype in ("located-at", "originates-from") and target.get("type") == "location" \
            and target.get("country") and names.get(obj["source_ref"]) in entity_rows:
        row = entity_rows[names[obj["source_ref"]]]
        row["country"] = target["country"].upper()
        row["_also"] += [reader.tlp(obj), reader.tlp(target)]  # the country is theirs
        return
    kit_relation = obj.get("x_analystkit_relation") or (rtype if rtype in _KIT_RELATIONS else "")
    if kit_relation in schema.RELATIONS and obj["source_ref"] in names and obj["target_ref"] in names:
        relations.append(_relation_row(reader, obj, names, kit_relation))
    else:
        unmapped[f"relationship:{rtype}"] += 1


def _digested(record: Mapping[str, Any]) -> str:
    extra = str(record.get("stix_extra") or "")
    if not extra.startswith("{") or "modified" not in (kept := json.loads(extra)):
        return extra
    return json.dumps({**kept, DIGEST: entity_digest(record)}, sort_keys=True, ensure_ascii=False)
