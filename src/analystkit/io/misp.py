"""MISP events: export a case, import MISP event JSON, enrich aliases from misp-galaxy.

Export (:func:`to_event`) writes one event in MISP's JSON (``{"Event": {...}}``) in two layers:

* what MISP users and tools read: ``threat-actor`` attributes for actors (each also tagged
  ``misp-galaxy:threat-actor="<name>"``), ``victim`` objects (name, sectors, regions = country,
  domain), one ``incident`` object per incident (``first_seen`` its first event, ``last_seen``
  its last time unless a period is still open, and ObjectReferences ``targets`` to its victims'
  objects and ``attributed-to`` to its actors' attributes), ``link``
  attributes for sources, ``tlp:*`` tags (event: the case's highest marking; each attribute its
  row's, an entity's its own or the strictest of the rows naming it), a ``PAP:*`` event tag for
  the case's ``pap``, and ``admiralty-scale`` tags
  (source reliability on links; information credibility on each relation and event: its own
  ``credibility`` when graded, else the one its status stands for, confirmed 1, reported 2,
  disputed 4, claimed 6; a foreign event's credibility tag gives its rows that credibility and
  the status 1 → confirmed, 2–3 → reported, 4–5 → disputed, 6 → claimed);
* the case itself, losslessly: one ``analystkit-event``, ``analystkit-relation``,
  ``analystkit-entity`` or ``analystkit-source`` object per row whose attributes are the row's
  columns (``object_relation`` = column name, the text a case folder would hold), and the case
  metadata as one ``text`` attribute commented ``analystkit:case``. Timeline objects also carry
  ``first_seen`` / ``last_seen`` so MISP's timeline view places them.

Import (:func:`read`) uses the lossless layer when it is there. Any other event is mapped: the
event becomes a source and a ``disclosure`` event; ``threat-actor`` attributes and actor-type
galaxies (clusters or only ``misp-galaxy:<type>="<value>"`` tags) become actors; ``victim``
objects and ``target-org`` attributes victims, each targeted by each actor on the event date;
``ransomware-group-post`` objects become ``claimed`` relations and leak-site events;
``ransom-negotiation`` objects extortion events; an ``incident`` object with ``first_seen`` a
period event whose actor and victim its ObjectReferences give. Numbers that arrive as strings are cast.
Unusable attributes or objects are skipped and reported in ``case.meta['import']``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..aliases import canonical_actor, load_aliases, name_key
from ..case import FREE_TEXT, Case
from ..tables import read_json_text
from ._common import (
    ImportFormatError,
    SkippedObjectsWarning,
    frame_to_records,
    load_json,
    misp_credibility,
    stable_uuid,
)
from ._mispread import read_event

__all__ = ["KIT_OBJECTS", "ImportFormatError", "SkippedObjectsWarning", "galaxy_aliases", "read",
           "to_event"]

#: Names of the objects that carry the case's own rows, by table.
KIT_OBJECTS = {"events": "analystkit-event", "relations": "analystkit-relation",
               "entities": "analystkit-entity", "sources": "analystkit-source"}
_TEMPLATES = {"victim": ("a8806e40-39ad-435f-be02-ac2a13d6fc7d", "10"),
              "incident": ("38597424-f9bb-4865-9b4b-819172df0334", "1")}


def _epoch(stamp: pd.Timestamp) -> str:
    return str(int(stamp.timestamp()))


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class _Writer:
    def __init__(self, case: Case):
        self.case = case
        stamp = case.as_of
        if stamp is None:
            raise ValueError("the case has no as_of date in its meta; set case.meta['as_of'] "
                             "(YYYY-MM-DD) before exporting")
        self.stamp = _epoch(stamp)
        self.tlp = schema.normalise_tlp(case.tlp) or "amber"
        #: each entity's marking: its own, else the strictest of the rows that name it
        self.marks = dict(zip(case.entities["name"], schema.entity_marks(
            case.entities, case.events, case.relations, default=self.tlp), strict=True))

    def tags(self, tlp: str, credibility: str | None = None, reliability: str | None = None) -> list:
        names = [f"tlp:{tlp}"]
        if reliability:
            names.append(f'admiralty-scale:source-reliability="{reliability.lower()}"')
        if credibility:
            names.append(f'admiralty-scale:information-credibility="{credibility}"')
        return [{"name": n} for n in names]

    def attribute(self, key: tuple, type_: str, value: str, *, category: str = "Other",
                  relation: str | None = None, comment: str = "", tags: list | None = None) -> dict:
        attr = {"uuid": stable_uuid("misp-attribute", *key), "type": type_, "category": category,
                "value": value, "to_ids": False, "distribution": "5", "timestamp": self.stamp,
                "comment": comment, "disable_correlation": type_ == "text"}
        if relation:
            attr["object_relation"] = relation
        if tags:
            attr["Tag"] = tags
        return attr

    def obj(self, key: tuple, name: str, attributes: list[dict], *, comment: str = "",
            first_seen: pd.Timestamp | None = None, last_seen: pd.Timestamp | None = None) -> dict:
        template, version = _TEMPLATES.get(name, (stable_uuid("misp-template", name), "1"))
        out = {"uuid": stable_uuid("misp-object", *key), "name": name, "meta-category": "misc",
               "template_uuid": template, "template_version": version, "distribution": "5",
               "timestamp": self.stamp, "comment": comment, "Attribute": attributes}
        if first_seen is not None and pd.notna(first_seen):
            out["first_seen"] = _iso(first_seen)
        if last_seen is not None and pd.notna(last_seen):
            out["last_seen"] = _iso(last_seen)
        return out

    def references(self, uuid: str, group: pd.DataFrame) -> list[dict]:
        """ObjectReferences from an incident object to the victim objects (``targets``) and
        the actor attributes (``attributed-to``) its events name."""
        kinds = dict(zip(self.case.entities["name"], self.case.entities["kind"], strict=True))
        refs = []
        for column, rtype, wanted, prefix, rtype_code in (
                ("victim", "targets", ("victim", "supplier"), "misp-object", "1"),
                ("actor", "attributed-to", ("actor",), "misp-attribute", "0")):
            for name in dict.fromkeys(n for n in group[column] if kinds.get(n) in wanted):
                target = stable_uuid(prefix, column, name)
                refs.append({"uuid": stable_uuid("misp-reference", uuid, rtype, target),
                             "object_uuid": uuid, "referenced_uuid": target,
                             "referenced_type": rtype_code, "relationship_type": rtype,
                             "timestamp": self.stamp, "comment": ""})
        return refs

    def rows(self, table: str) -> list[dict]:
        """One lossless object per row of ``table``."""
        frame = self.case.table(table)
        key_column = schema.id_column(table)
        objects = []
        for record, (_, row) in zip(frame_to_records(table, frame), frame.iterrows(), strict=True):
            rid = record[key_column]
            tlp = self.marks[rid] if table == "entities" else record.get("tlp") or self.tlp
            cred = misp_credibility(record)
            attrs = []
            for column, value in record.items():
                text = ";".join(value) if isinstance(value, list) else str(value)
                if text:
                    first = not attrs
                    attrs.append(self.attribute((table, rid, column), "text", text, relation=column,
                                                tags=self.tags(tlp, cred) if first else None))
            first_seen = row.get("start") if table == "events" else row.get("date")
            objects.append(self.obj((table, rid), KIT_OBJECTS[table], attrs, first_seen=first_seen,
                                    last_seen=row.get("end") if table == "events" else None))
        return objects


def _galaxy_tag(name: str) -> dict[str, str]:
    """The threat-actor galaxy tag MISP shows for an actor (a ``"`` in the name would end the
    tag's value early, so it is written ``'``)."""
    return {"name": f'misp-galaxy:threat-actor="{name.replace(chr(34), chr(39))}"'}


def _last_seen(group: pd.DataFrame) -> pd.Timestamp | None:
    """The last time an incident's events state, none while any is open (an open period has
    no last time yet)."""
    if group["ongoing"].any():
        return None
    times = pd.concat([group["start"], group["end"]]).dropna()
    return times.max() if len(times) else None


def to_event(case: Case) -> dict[str, Any]:
    """The case as a MISP event (``{"Event": {...}}``), deterministic for a given case.

    Examples
    --------
    >>> from analystkit import load_case
    >>> event = to_event(load_case(DATA / "cases" / "royal-mail-2023"))["Event"]
    >>> event["info"], [t["name"] for t in event["Tag"]]
    ('Royal Mail / LockBit ransomware attack (2023)', ['tlp:amber'])
    >>> sorted({o["name"] for o in event["Object"]})  # doctest: +NORMALIZE_WHITESPACE
    ['analystkit-entity', 'analystkit-event', 'analystkit-relation', 'analystkit-source',
     'incident', 'victim']
    """
    w = _Writer(case)
    attributes, objects = [], []
    meta = {k: v for k, v in case.meta.items() if k != "import"}
    title_tlp, summary_tlp = (schema.highest_tlp([w.tlp, case.marking(k)], w.tlp) for k in FREE_TEXT)
    attributes.append(w.attribute(("case",), "text", json.dumps(meta, sort_keys=True, ensure_ascii=False),
                                  comment="analystkit:case",  # holds the title and the summary
                                  tags=w.tags(schema.highest_tlp([title_tlp, summary_tlp], w.tlp))))
    for row in case.entities.itertuples(index=False):
        if row.kind == "actor":
            attributes.append(w.attribute(("actor", row.name), "threat-actor", row.name,
                                          category="Attribution", comment=row.description,
                                          tags=[*w.tags(w.marks[row.name]), _galaxy_tag(row.name)]))
        elif row.kind in ("victim", "supplier"):
            fields = [("name", "target-org", row.name), ("sectors", "text", row.sector),
                      ("regions", "target-location", row.country), ("domain", "domain", row.domain),
                      ("description", "text", row.description),
                      ("classification", "text", "organization")]
            objects.append(w.obj(("victim", row.name), "victim", [
                w.attribute(("victim", row.name, rel), t, v, category="Targeting data"
                            if t.startswith("target") else "Other", relation=rel,
                            tags=w.tags(w.marks[row.name]))
                for rel, t, v in fields if v]))
    for row in case.sources.itertuples(index=False):
        if row.url:
            attributes.append(w.attribute(("link", row.source_id), "link", row.url,
                                          category="External analysis", comment=row.name,
                                          tags=w.tags(row.tlp, reliability=row.reliability or None)))
    for incident, group in case.events.groupby("incident", sort=False):
        name = incident or str(case.meta.get("incident") or case.title)
        summary = str(case.meta.get("summary", "")) if name == case.meta.get("incident") else ""
        attrs = [w.attribute(("incident", name, "name"), "text", name, relation="name",
                             tags=w.tags(min(group["tlp"], key=schema.tlp_rank)))]
        if summary:
            attrs.append(w.attribute(("incident", name, "description"), "text", summary,
                                     relation="description",
                                     tags=w.tags(summary_tlp) if summary_tlp != w.tlp else None))
        incident = w.obj(("incident", name), "incident", attrs, first_seen=group["start"].min(),
                         last_seen=_last_seen(group))
        incident["ObjectReference"] = w.references(incident["uuid"], group)
        objects.append(incident)
    for table in ("sources", "entities", "relations", "events"):
        objects.extend(w.rows(table))
    as_of = case.as_of
    event = {"uuid": stable_uuid("misp-event", case.title, case.meta.get("as_of", "")),
             "info": case.title or "analystkit case", "date": f"{as_of:%Y-%m-%d}",
             "timestamp": w.stamp, "publish_timestamp": w.stamp, "published": False,
             "analysis": "2", "threat_level_id": "4", "distribution": "0",
             "Tag": w.tags(title_tlp), "Attribute": attributes, "Object": objects}  # info: the title
    if schema.normalise_pap(case.meta.get("pap") or ""):
        event["Tag"].append({"name": f"PAP:{schema.normalise_pap(case.meta['pap']).upper()}"})
    return {"Event": event}


def read(source: str | os.PathLike | Mapping | list, *, tlp: str = "amber",
         strict: bool = False) -> Case:
    """Read a MISP event (file or parsed JSON, with or without the ``Event`` wrapper) into a Case.

    Parameters
    ----------
    source : path to the event JSON, or the parsed dict.
    tlp : label for data that carries no ``tlp:*`` tag (untagged data is not assumed public).
    strict : raise :class:`ImportFormatError` instead of skipping
        unusable attributes and objects.

    Examples
    --------
    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> again = read(to_event(case))
    >>> again.relations.equals(case.relations), again.meta["import"]["skipped"]
    (True, [])
    """
    data, name = load_json(source, kind="MISP")
    events = _several(data)
    if events is None:
        return read_event(data if name.startswith("<") else source, default_tlp=tlp, strict=strict,
                          kit_objects=KIT_OBJECTS)
    if not events:
        raise ImportFormatError(f"{name}: the export holds no event")
    cases = [read_event(event, default_tlp=tlp, strict=strict, kit_objects=KIT_OBJECTS)
             for event in events]
    merged = cases[0]
    for part in cases[1:]:
        merged, _ = merged.merge(part, update_as_of=True)
    reports = [c.meta["import"] for c in cases]
    merged.meta["import"] = {
        "format": "misp", "file": name, "events": len(cases),
        "attributes": sum(r["attributes"] for r in reports), "objects": sum(r["objects"] for r in reports),
        "read": {"event": len(cases), "attribute": sum(r["attributes"] for r in reports),
                 "object": sum(r["objects"] for r in reports)},
        "skipped": [s for r in reports for s in r["skipped"]],
        "unmapped": dict(sorted(sum((Counter(r["unmapped"]) for r in reports), Counter()).items()))}
    merged.meta["title"] = f"{len(cases)} MISP events from {Path(name).name}"
    return merged


def _several(data: Any) -> list | None:
    """The events of a multi-event export (``{"response": [...]}`` or a list), else None."""
    if isinstance(data, Mapping) and isinstance(data.get("response"), list):
        data = data["response"]
    if isinstance(data, list) and len(data) != 1 and all(isinstance(e, Mapping) for e in data):
        return data
    return None


def galaxy_aliases(path: str | os.PathLike | Mapping, *,
                   aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """The kit's alias table enriched from a misp-galaxy ``clusters/ransomware.json``.

    For every cluster value the kit can place, its ``meta.synonyms`` and the values it names in
    ``related`` entries of type ``similar`` become aliases of the kit's canonical actor. A cluster
    the kit does not know keeps its own value as canonical name. The kit's table is authoritative:
    an alias it already maps is never re-mapped; the galaxy's disagreements are listed in
    ``result.attrs["conflicts"]``.

    Returns
    -------
    DataFrame with the alias table's columns (``alias, canonical, kind, note``): the kit's rows
    first, then the galaxy's additions (``note`` says where each came from).

    Examples
    --------
    >>> clusters = {"values": [
    ...     {"value": "LockBit", "uuid": "u1", "meta": {"synonyms": ["ABCD ransomware"]}},
    ...     {"value": "Lockbit3", "uuid": "u2", "related": [{"dest-uuid": "u1", "type": "similar"}]},
    ...     {"value": "NewCrew", "uuid": "u3", "meta": {"synonyms": ["New Crew Locker"]}}]}
    >>> added = galaxy_aliases(clusters).iloc[len(load_aliases()):]  # after the kit's own rows
    >>> added[["alias", "canonical"]].values.tolist()
    [['New Crew Locker', 'NewCrew']]
    """
    if isinstance(path, Mapping):
        data = path
    else:
        try:
            data = json.loads(read_json_text(path, kind="misp-galaxy"))
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{path}: is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    values = data.get("values") if isinstance(data, Mapping) else None
    if not isinstance(values, list):
        raise ImportFormatError(f"{path if not isinstance(path, Mapping) else '<galaxy data>'}: has "
                                "no 'values' list (expected a misp-galaxy clusters file)")
    table = load_aliases(aliases)
    kit = table[table["kind"] == "actor"]
    known = {name_key(a): c for a, c in zip(kit["alias"], kit["canonical"], strict=True)}
    known.update({name_key(c): c for c in kit["canonical"]})
    by_uuid = {v.get("uuid"): v for v in values if isinstance(v, Mapping)}
    clusters = {name_key(v.get("value", "")) for v in by_uuid.values()}
    added: dict[str, dict] = {}
    conflicts: list[dict] = []
    for value in by_uuid.values():
        name = str(value.get("value", "")).strip()
        if not name:
            continue
        meta = value.get("meta") if isinstance(value.get("meta"), Mapping) else {}
        similar = [str(other.get("value", "")) for rel in value.get("related", []) or []
                   if isinstance(rel, Mapping) and rel.get("type") == "similar"
                   and isinstance(other := by_uuid.get(rel.get("dest-uuid")), Mapping)]
        anchored = sorted(known[name_key(s)] for s in similar if name_key(s) in known)
        canonical = known.get(name_key(name)) or (anchored[0] if anchored else
                                                  canonical_actor(name, aliases=aliases))
        names = [(s, f"misp-galaxy synonym of {name}") for s in meta.get("synonyms", []) or []]
        if anchored and name_key(name) not in known:
            names.append((name, f"misp-galaxy cluster similar to {anchored[0]}"))
        for alias, note in names:
            key = name_key(alias)
            if not key or key == name_key(canonical):
                continue
            if key in known:
                if known[key] != canonical:
                    conflicts.append({"alias": alias, "kit": known[key], "galaxy": canonical,
                                      "note": note})
                continue
            if key in clusters and key != name_key(name):
                continue  # the galaxy keeps it as a cluster of its own: not a mere alias
            added.setdefault(key, {"alias": alias.strip(), "canonical": canonical, "kind": "actor",
                                   "note": note})
    extra = pd.DataFrame(sorted(added.values(), key=lambda r: (r["canonical"], r["alias"])),
                         columns=["alias", "canonical", "kind", "note"])
    out = pd.concat([table, extra], ignore_index=True).fillna("")
    out.attrs["conflicts"] = conflicts
    return out
