"""Reading MISP event JSON into the case tables (the import half of :mod:`analystkit.io.misp`).

Markings: the ``tlp:`` and ``PAP:`` tags of the event, of each attribute and of each object (and
its attributes) are all read (:func:`._markings.misp_marking`); a row takes the strictest of the
event's and its own item's, and a relation also those of the actor and victim it joins. A tag in
those namespaces the kit cannot map (``tlp:ex:chr``, ``tlp:unclear``) makes the row TLP:RED.
In the kit's own layer the event's tags are the case's highest marking (a ceiling, not a floor):
each row keeps its ``tlp`` column, raised by the tags on its own object.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import schema
from ..aliases import canonical_actor, name_key
from ..case import Case
from ._common import ImportFormatError, build_case, credibility_to_status, load_json, slug, stable_uuid
from ._markings import MarkingLog, misp_marking, warn_markings
from ._mispcheck import check, unwrap
from ._mispcheck import when as parse_when

__all__ = ["read_event"]

_GALAXY_TAG = re.compile(r'^misp-galaxy:([\w.-]+)="(.+)"$')
_ADMIRALTY = re.compile(r'^admiralty-scale:(source-reliability|information-credibility)="?(\w)"?$')
_MITRE_SUFFIX = re.compile(r"\s+-\s+[GS]\d{4}$")
_ACTOR_GALAXIES = {"threat-actor", "ransomware", "mitre-intrusion-set", "intrusion-set",
                   "microsoft-activity-group", "mitre-enterprise-attack-intrusion-set"}
_MALWARE_GALAXIES = {"mitre-malware", "malpedia", "tool", "mitre-tool", "banker", "exploit-kit",
                     "rat", "stealer", "backdoor", "android", "botnet"}
_MAPPED_ATTRIBUTES = {"threat-actor", "target-org", "link"}
_MAPPED_OBJECTS = {"victim", "ransomware-group-post", "ransom-negotiation", "incident"}


def _fields(obj: Mapping) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for attr in obj["Attribute"]:
        out.setdefault(str(attr.get("object_relation") or ""), []).append(str(attr["value"]).strip())
    return out


def _tag_names(item: Mapping) -> list[str]:
    return [t["name"] for t in item.get("Tag", [])
            if isinstance(t, Mapping) and isinstance(t.get("name"), str)]


def _item_tags(item: Mapping) -> list[str]:
    """The tag names of a MISP object or attribute, with those of an object's attributes."""
    return [*_tag_names(item), *(t for a in item.get("Attribute", []) if isinstance(a, Mapping)
                                 for t in _tag_names(a))]


def _kit_case(event: dict, attributes: list, objects: list, kit_objects: Mapping[str, str],
              name: str, report: dict, default: str) -> Case:
    tables: dict[str, list[dict]] = {table: [] for table in kit_objects}
    by_name = {v: k for k, v in kit_objects.items()}
    log = MarkingLog()
    floor = log.label("event", [], *misp_marking(_tag_names(event))[1:], default="clear")
    for obj in objects:
        if obj["name"] in by_name:
            record = {k: v[0] for k, v in _fields(obj).items()}
            tags = log.label(str(obj.get("uuid") or obj["name"]), *misp_marking(_item_tags(obj)),
                             default="clear")
            own = schema.normalise_tlp(record.get("tlp") or "")
            if own or by_name[obj["name"]] != "entities":
                record["tlp"] = schema.highest_tlp([own, tags, floor], "clear") if own else \
                    record.get("tlp", "")
            else:
                record["_tags"] = schema.highest_tlp([tags, floor], "clear")
            tables[by_name[obj["name"]]].append(record)
    meta_attr = [a for a in attributes if a.get("comment") == "analystkit:case"]
    try:
        meta = json.loads(meta_attr[0]["value"]) if meta_attr else {}
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}: the analystkit:case attribute is not JSON ({exc.msg})") from None
    meta.setdefault("title", event.get("info", ""))
    named = schema.naming_marks(pd.DataFrame(tables["events"]), pd.DataFrame(tables["relations"]))
    for row in tables["entities"]:  # no marking of its own: kept so, unless tagged above its rows
        if "_tags" in row:
            from_rows = schema.highest_tlp(named.get(row.get("name", ""), ()),
                                           schema.normalise_tlp(meta.get("tlp", "")) or default)
            mark = row.pop("_tags")
            row["tlp"] = mark if schema.tlp_rank(mark) > schema.tlp_rank(from_rows) else ""
    _note_markings(log, meta, report)
    case = build_case(tables, meta, name=name, report=report)
    warn_markings(name, report, stacklevel=5)
    return case


def _note_markings(log: MarkingLog, meta: dict, report: dict) -> None:
    """Put what the tags said beyond TLP in the meta (``pap``) and the import report."""
    pap = [p for p in (meta.get("pap"), log.case_pap()) if p]
    if pap:
        meta["pap"] = max(pap, key=schema.PAP_LEVELS.index)
    if markings := log.report():
        report["markings"] = markings


class _Foreign:
    """Maps an event made by MISP users or other tools onto the tables."""

    def __init__(self, event: dict, default_tlp: str, name: str):
        self.event = event
        self.uuid = str(event.get("uuid") or stable_uuid("misp", name))
        tags = _tag_names(event)
        self.default, self.log = default_tlp, MarkingLog()
        self.tlp = self.mark("event", [])
        self.status, self.reliability, self.credibility = "reported", "", ""
        for tag in tags:
            match = _ADMIRALTY.match(tag)
            if match and match.group(1) == "information-credibility":
                self.status = credibility_to_status(match.group(2)) or self.status
                self.credibility = match.group(2) if match.group(2) in schema.CREDIBILITY else ""
            elif match:
                letter = match.group(2).upper()
                self.reliability = "E" if letter == "G" else letter if letter in schema.RELIABILITY else ""
        self.date = _event_date(event, name)
        self.source_id = slug(f"misp-{self.uuid}")
        self.entities: dict[str, dict] = {}
        self.relations: list[dict] = []
        self.events: list[dict] = []
        self.sources: list[dict] = []
        self.unmapped: Counter[str] = Counter()
        self.skipped: list[dict] = []
        self.incident = ""
        self.summary, self.summary_tlp = "", self.tlp
        self.by_uuid: dict[str, str] = {}  # victim object / actor attribute uuid → entity name
        self.periods: list[tuple[dict, str]] = []  # dated incident objects and their markings

    def mark(self, item: str, tags: list[str]) -> str:
        """The marking of ``item``: the strictest of the event's tags and its own ``tags``."""
        return self.log.label(item, *misp_marking([*_tag_names(self.event), *tags]), self.default)

    def entity(self, name: str, kind: str, *, tlp: str | None = None, **fields: Any) -> str:
        name = name.strip()
        if name in self.entities and self.entities[name]["kind"] != kind:
            name = f"{name} ({kind})"
        row = self.entities.setdefault(name, {"name": name, "kind": kind, "aliases": [],
                                              "tlp": tlp or self.tlp})
        row["tlp"] = schema.highest_tlp([row["tlp"], tlp or self.tlp], self.tlp)
        for alias in fields.pop("aliases", []):
            if name_key(alias) != name_key(name) and alias not in row["aliases"]:
                row["aliases"].append(alias)
        for key, value in fields.items():
            row.setdefault(key, value)
        return name

    def marks(self, *names: str) -> list[str]:
        """The markings of the entities ``names`` (a row naming them is no less restricted)."""
        return [self.entities[n]["tlp"] for n in names if n in self.entities]

    def row(self, kind: str, key: str, *, tlp: str | None = None, **fields: Any) -> dict:
        names = [fields.get(k, "") for k in ("actor", "victim", "source", "target")]
        base = {"status": self.status, "credibility": self.credibility, "sources": [self.source_id],
                "tlp": schema.highest_tlp([tlp or self.tlp, *self.marks(*names)], self.tlp)}
        if kind == "relation":
            return {"relation_id": slug(f"misp-{stable_uuid(self.uuid, key)}"), **base, **fields}
        return {"event_id": slug(f"misp-{stable_uuid(self.uuid, key)}"), "incident": self.incident,
                **base, **fields}

    def galaxies(self) -> list[str]:
        found = [(str(g.get("type", "")), c) for g in self.event.get("Galaxy", []) if isinstance(g, Mapping)
                 for c in g.get("GalaxyCluster", []) or [] if isinstance(c, Mapping)]
        for tag in _tag_names(self.event):
            match = _GALAXY_TAG.match(tag)
            if match:
                found.append((match.group(1), {"value": match.group(2)}))
        actors = []
        for gtype, cluster in found:
            value = _MITRE_SUFFIX.sub("", str(cluster.get("value", ""))).strip()
            meta = cluster.get("meta") if isinstance(cluster.get("meta"), Mapping) else {}
            synonyms = [str(s) for s in meta.get("synonyms", []) or []]
            if gtype in _ACTOR_GALAXIES and value:
                actors.append(self.entity(canonical_actor(value), "actor", aliases=[value, *synonyms],
                                          description=str(cluster.get("description", ""))))
            elif gtype in _MALWARE_GALAXIES and value:
                self.entity(value, "other", aliases=synonyms,
                            description=str(cluster.get("description", "")))
            else:
                self.unmapped[f"galaxy:{gtype}"] += 1
        return actors

    def objects(self, objects: list[dict]) -> list[str]:
        victims = []
        for obj in objects:
            f, ident = _fields(obj), str(obj.get("uuid") or obj["name"])
            kind, tlp = obj["name"], self.mark(ident, _item_tags(obj))
            first = parse_when(obj.get("first_seen")) if obj.get("first_seen") else None
            if kind == "victim" and f.get("name"):
                victims.append(self.victim(f["name"][0], f, tlp))
                self.by_uuid[ident] = victims[-1]
            elif kind == "incident" and f.get("name"):
                self.incident = slug(f["name"][0])
                self.summary, self.summary_tlp = (f.get("description") or [""])[0], tlp
                if first is not None:
                    self.periods.append((obj, tlp))
            elif kind == "ransomware-group-post" and (f.get("ransomware-group") and
                                                      (f.get("entity-name") or f.get("title"))):
                self.post(f, ident, first, tlp)
            elif kind == "ransom-negotiation":
                self.negotiation(f, ident, first, tlp)
            else:
                self.unmapped[f"object:{kind}"] += 1
        return victims

    def victim(self, name: str, f: Mapping[str, list[str]], tlp: str) -> str:
        sector_text = "; ".join(f.get("sectors", []))
        sector = slug(sector_text) if slug(sector_text) in schema.SECTORS else ""
        country = next((c.upper() for c in f.get("regions", []) if c.upper() in schema.country_codes()), "")
        return self.entity(name, "victim", tlp=tlp, aliases=f.get("name", [])[1:], sector=sector,
                           sector_detail="" if sector else sector_text, country=country,
                           domain=(f.get("domain") or [""])[0],
                           description=(f.get("description") or [""])[0])

    def post(self, f: Mapping[str, list[str]], ident: str, first: pd.Timestamp | None,
             tlp: str) -> None:
        actor = self.entity(canonical_actor(f["ransomware-group"][0]), "actor", tlp=tlp,
                            aliases=[f["ransomware-group"][0]])
        victim = self.entity((f.get("entity-name") or f["title"])[0], "victim", tlp=tlp)
        when = next((w for w in (parse_when(v) for k in ("date-published", "date")
                                 for v in f.get(k, []))
                     if w is not None), first) or self.date
        date = schema.format_date(when, "exact")
        self.relations.append(self.row("relation", ident, tlp=tlp, source=actor, target=victim,
                                       relation="claimed",
                                       date=date, precision="exact", status="claimed",
                                       description=(f.get("description") or [""])[0]))
        self.events.append(self.row("event", ident, tlp=tlp, start=date, precision="exact",
                                    category="extortion",
                                    title=f"{actor} lists {victim} on its leak site", actor=actor,
                                    victim=victim, status="claimed",
                                    description=(f.get("description") or [""])[0]))

    def negotiation(self, f: Mapping[str, list[str]], ident: str, first: pd.Timestamp | None,
                    tlp: str) -> None:
        amounts = {}
        for key in ("initial_ransom", "final_ransom", "discount"):
            if f.get(key):
                try:
                    amounts[key] = float(str(f[key][0]).replace(",", ""))
                except ValueError:
                    self.skipped.append({"id": ident, "type": "object", "reason":
                                         f"ransom-negotiation '{key}' {f[key][0]!r} is not a number"})
                    return
        currency = (f.get("currency") or [""])[0]
        parts = [f"{k.replace('_', ' ')} {v:,.0f} {currency}".strip() for k, v in amounts.items()]
        when = next((w for w in (parse_when(v) for v in f.get("time", [])) if w is not None),
                    first) or self.date
        self.events.append(self.row("event", ident, tlp=tlp, start=schema.format_date(when, "exact"),
                                    precision="exact", category="extortion", title="Ransom negotiation",
                                    description="; ".join(parts)))


    def period(self, obj: Mapping, tlp: str) -> None:
        """An incident object dated by ``first_seen`` (and ``last_seen``) is a period on the
        timeline; its ObjectReferences name the actor (``attributed-to``) and the victim
        (``targets``) when there is one of each."""
        first, last = (parse_when(obj.get(k)) if obj.get(k) else None for k in ("first_seen", "last_seen"))
        ends: dict[str, list[str]] = {}
        for ref in obj.get("ObjectReference") or []:
            name = self.by_uuid.get(str(ref.get("referenced_uuid"))) if isinstance(ref, Mapping) else None
            role = {"attributed-to": "actor", "targets": "victim"}.get(str(ref.get("relationship_type")))
            if name and role:
                ends.setdefault(role, []).append(name)
        actor, victim = ((ends.get(r) or [""])[0] if len(set(ends.get(r, []))) <= 1 else ""
                         for r in ("actor", "victim"))
        precision = "day" if first == first.normalize() else "exact"
        end = schema.format_date(last, precision) if last is not None and last > first else ""
        name = _fields(obj)["name"][0]
        self.events.append(self.row("event", str(obj.get("uuid") or name), tlp=tlp,
                                    start=schema.format_date(first, precision), precision=precision,
                                    end=end, end_precision=precision if end else "",
                                    category="intrusion", title=f"Incident: {name}", actor=actor,
                                    victim=victim, description=(_fields(obj).get("description")
                                                                or [""])[0]))


def _event_date(event: Mapping, name: str) -> pd.Timestamp:
    text = str(event.get("date") or "")
    if text:
        if schema.infer_precision(text) != "day" or parse_when(text) is None:
            raise ImportFormatError(f"{name}: event 'date' {text!r} is not a date written YYYY-MM-DD")
        return parse_when(text)
    stamp = str(event.get("timestamp") or "")
    if stamp.isdigit():
        return pd.Timestamp(int(stamp), unit="s", tz="UTC").floor("D")
    raise ImportFormatError(f"{name}: the event has neither a 'date' nor a numeric 'timestamp'")


def read_event(source: Any, *, default_tlp: str, strict: bool, kit_objects: Mapping[str, str]) -> Case:
    """Read one MISP event into a validated Case (see :func:`analystkit.io.misp.read`)."""
    default = schema.normalise_tlp(default_tlp)
    if default is None:
        raise ValueError(f"unknown TLP label {default_tlp!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    data, name = load_json(source, kind="MISP")
    event = unwrap(data, name)
    attributes, objects, skipped = check(event)
    if strict and skipped:
        raise ImportFormatError(f"{name}: {len(skipped)} unusable item(s):\n" + "\n".join(
            f"  - {s['id']}: {s['reason']}" for s in skipped))
    report = {"format": "misp", "file": name, "attributes": len(event.get("Attribute", [])),
              "objects": len(event.get("Object", [])), "skipped": skipped, "unmapped": {},
              "read": {"event": 1, "attribute": len(event.get("Attribute", [])),
                       "object": len(event.get("Object", []))}}
    if any(o["name"] in kit_objects.values() for o in objects):
        return _kit_case(event, attributes, objects, kit_objects, name, report, default)
    m = _Foreign(event, default, name)
    actors = m.galaxies()
    victims = m.objects(objects)
    for i, attr in enumerate(attributes):
        value = str(attr["value"]).strip()
        tlp = m.mark(str(attr.get("uuid") or f"Attribute[{i}]"), _tag_names(attr))
        if attr["type"] == "threat-actor" and value:
            actors.append(m.entity(canonical_actor(value), "actor", tlp=tlp, aliases=[value],
                                   description=str(attr.get("comment") or "")))
            m.by_uuid[str(attr.get("uuid"))] = actors[-1]
        elif attr["type"] == "target-org" and value:
            victims.append(m.entity(value, "victim", tlp=tlp))
        elif attr["type"] == "link" and value:
            m.sources.append({"source_id": slug(f"misp-link-{attr.get('uuid') or value}"),
                              "name": str(attr.get("comment") or value)[:200], "url": value,
                              "published": "", "reliability": "", "tlp": tlp})
        else:
            m.unmapped[f"attribute:{attr['type']}"] += 1
    for obj, tlp in m.periods:  # after the attributes: its references may name their actors
        m.period(obj, tlp)
    actors, victims = list(dict.fromkeys(actors)), list(dict.fromkeys(victims))
    day = schema.format_date(m.date, "day")
    for actor in actors:
        for victim in victims:
            m.relations.append(m.row("relation", f"{actor}>{victim}", source=actor, target=victim,
                                     relation="targets", date=day, precision="day"))
    m.events.insert(0, m.row("event", "event", start=day, precision="day", category="disclosure",
                             title=str(event.get("info") or "MISP event"),
                             actor=actors[0] if len(actors) == 1 else "",
                             victim=victims[0] if len(victims) == 1 else ""))
    orgc = event.get("Orgc", {}).get("name", "") if isinstance(event.get("Orgc"), Mapping) else ""
    m.sources.insert(0, {"source_id": m.source_id, "url": "", "published": day, "tlp": m.tlp,
                         "name": f"MISP event {m.uuid}" + (f" ({orgc})" if orgc else ""),
                         "reliability": m.reliability})
    for row in m.events:  # the incident object may come after the objects that made events
        row["incident"] = m.incident
        row["tlp"] = schema.highest_tlp([row["tlp"], m.summary_tlp if m.incident else "clear"], m.tlp)
    skipped.extend(m.skipped)
    stamps = [int(str(event[k])) for k in ("timestamp", "publish_timestamp")
              if str(event.get(k, "")).isdigit()]
    as_of = max([m.date, *(pd.Timestamp(s, unit="s", tz="UTC") for s in stamps)])
    meta = {"title": str(event.get("info") or f"MISP event {m.uuid}"), "summary": m.summary,
            "as_of": f"{as_of:%Y-%m-%d}", "title_tlp": m.tlp}
    if m.summary:
        meta["summary_tlp"] = m.summary_tlp
    meta["tlp"] = schema.highest_tlp([r["tlp"] for t in (m.sources, m.relations, m.events,
                                                          m.entities.values()) for r in t], m.tlp)
    if m.incident:
        meta["incident"] = m.incident
    report["unmapped"] = dict(sorted(m.unmapped.items()))
    _note_markings(m.log, meta, report)
    rows = {"sources": list({s["source_id"]: s for s in m.sources}.values()),
            "entities": list(m.entities.values()), "relations": m.relations, "events": m.events}
    case = build_case(rows, meta, name=name, report=report)
    warn_markings(name, report)
    return case
