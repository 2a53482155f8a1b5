"""STIX 2.1 bundles: export a case, import 2.1 bundles and ATT&CK-style 2.0 files.

Export (:func:`to_bundle`) maps the tables onto standard objects so OpenCTI and other tools see a
normal threat report, and keeps what STIX has no property for in ``x_analystkit_*`` properties so
that reading the bundle back gives the same case:

============================  ==========================================================
case                          STIX 2.1
============================  ==========================================================
actor entity                  ``intrusion-set`` (``aliases``)
target of a ``uses`` row      ``malware`` (``is_family`` true, ``malware_types`` ransomware)
victim / supplier / other     ``identity`` (``identity_class``, ``sectors``)
entity ``country``            ``location`` (alpha-2) + ``located-at`` (``originates-from``
                              for an actor or malware)
relation row                  ``relationship`` (``targets``, ``uses``, ``attributed-to``;
                              claimed and via-supplier rows are ``targets``, the others
                              ``related-to``; the kit's own word in ``x_analystkit_relation``)
events of one incident        one ``incident`` whose ``x_analystkit_events`` lists every
                              events column; an event marked above the incident's lowest
                              TLP gets a granular marking on its list item
case meta                     ``report`` (``published`` = as-of date, ``object_refs``; a
                              title or summary marked above the case is marked granularly)
sources                       ``external_references`` (``source_name``, ``url``,
                              ``external_id`` = source id); full rows on the report
status                        ``confidence``: confirmed 85, reported 50, claimed 15,
                              disputed 0; read back 70–100, 30–69, 1–29, 0
credibility (Admiralty 1–6)   a graded relation's ``confidence`` follows its credibility
                              instead (STIX Appendix A: 1 → 90, 2 → 70, 3 → 50, 4 → 30,
                              5 → 10, 6 → none; read back 80–100 → 1 ... 0–19 → 5), and
                              ``x_analystkit_credibility`` / ``_status`` keep both words;
                              a foreign confidence gives a status, never a credibility
tlp                           TLP 2.0 marking definitions with their fixed ids
============================  ==========================================================

Ids are made (in UUIDv4 form) from each row's stable key, objects imported from another
producer keep theirs, and every timestamp comes from the case (its as-of date
and the rows' own dates), so the same case always gives the same bundle. Entities carry the
entity's own ``tlp`` (empty: the strictest of the rows that name it, else the case's; the row's
own value goes in ``x_analystkit_own_tlp``); relations and events their row's. A case's ``pap``
is a PAP marking-definition (OpenCTI's ``x_opencti_definition``) on the report.

Import (:func:`read`) accepts a bundle, a list of objects, one object, a file or a folder of
files (the ``mitre/cti`` layout). Objects that break the format (a malformed timestamp, a wrong
type, a reference to an id that is not there) are skipped and listed, with the reason, in
``case.meta['import']['skipped']``; a :class:`SkippedObjectsWarning` says
so. Objects of types the case has no table for (attack patterns, indicators, ...) are counted in
``meta['import']['unmapped']``. Properties the mapping does not use are kept, as JSON, in the
entities' ``stix_extra`` column (ATT&CK's ``x_mitre_*`` among them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import schema
from ..case import Case
from ._common import (
    ImportFormatError,
    SkippedObjectsWarning,
    frame_to_records,
    grade_properties,
)
from ._markings import TLP2_IDS, marking_definition, pap_definition
from ._stixcheck import stix_time
from ._stixcore import author_object, core_objects
from ._stixext import AUTHOR_ID, DIGEST, EXTENSION_ID, declare, entity_digest, stix_uuid
from ._stixread import read_objects

__all__ = ["AUTHOR_ID", "EXTENSION_ID", "TLP_MARKINGS", "ImportFormatError", "SkippedObjectsWarning",
           "marking_definition", "pap_definition", "read", "to_bundle"]

#: TLP 2.0 marking-definition ids (fixed by the OASIS TLP 2.0 extension).
TLP_MARKINGS = dict(TLP2_IDS)
_SPEC = "2.1"
# Kit relation → STIX relationship_type (the kit's word also goes in x_analystkit_relation).
_RELATIONSHIP_TYPE = {"targets": "targets", "claimed": "targets", "via-supplier": "targets",
                      "uses": "uses", "attributed-to": "attributed-to"}
# Roles of names that appear in relations but not in the entities table.
_SOURCE_KIND = {"supplier-of": "supplier", "attributed-to": "other"}
_TARGET_KIND = {"uses": "malware", "affiliate-of": "actor", "rebrand-of": "actor",
                "attributed-to": "actor"}


def _as_of(case: Case) -> pd.Timestamp:
    if case.as_of is not None:
        return case.as_of
    dates = [s for s in (case.events["start"].max(), case.relations["date"].max()) if pd.notna(s)]
    if not dates:
        raise ValueError("the case has no as_of date in its meta and no dated rows; set "
                         "case.meta['as_of'] (YYYY-MM-DD) before exporting")
    return max(dates).floor("D")


def _entity_kinds(case: Case) -> dict[str, tuple[str, bool]]:
    """Name → (kind, inferred) for every entity and every name used by a relation."""
    kinds = {n: (k, False) for n, k in zip(case.entities["name"], case.entities["kind"], strict=True)}
    uses_targets = set(case.relations.loc[case.relations["relation"].eq("uses"), "target"])
    for name, (kind, inferred) in list(kinds.items()):
        if name in uses_targets and kind != "actor":
            kinds[name] = ("malware:" + kind, inferred)
    for row in case.relations.itertuples(index=False):
        for name, kind in ((row.source, _SOURCE_KIND.get(row.relation, "actor")),
                           (row.target, _TARGET_KIND.get(row.relation, "victim")),
                           (row.via, "supplier")):
            if name and name not in kinds:
                kinds[name] = (kind, True)
    return kinds


#: Types with a STIX ``aliases`` property.
_ALIASED = ("intrusion-set", "threat-actor", "malware", "tool", "attack-pattern", "campaign")
#: Types an imported object keeps on export (the kit's kind alone would make a tool an identity).
_KEPT_TYPES = ("intrusion-set", "threat-actor", "malware", "identity", "tool", "attack-pattern")


def _stix_type(kind: str) -> str:
    if kind == "actor":
        return "intrusion-set"
    return "malware" if kind.startswith("malware") else "identity"


def _entity_object(name: str, kind: str, row: Mapping[str, Any] | None, common: dict) -> dict:
    kept = {}
    if row is not None and str(row.get("stix_extra", "")).strip().startswith("{"):
        kept = json.loads(row["stix_extra"])  # properties of an imported object, kept as they came
    original = str(kept.pop("id", ""))
    kept.pop("type", None)
    ransomware = kind.startswith("malware")
    if original.startswith("malware--") and kind != "actor" and not ransomware:
        kind = f"malware:{kind}"
    stype = _stix_type(kind)
    if original.split("--")[0] in _KEPT_TYPES:  # another producer's object keeps its type
        stype = original.split("--")[0]
    kit_kind = kind.removeprefix("malware:") if kind != "malware" else "other"
    obj = {"type": stype, "spec_version": _SPEC, "id": f"{stype}--{stix_uuid('entity', name)}",
           **common, "name": name}
    if original.startswith(f"{stype}--"):
        obj["id"] = original
    if stype == "malware":
        obj["is_family"] = True
        if ransomware:
            obj["malware_types"] = ["ransomware"]
    if stype == "identity":
        obj["identity_class"] = "unknown" if kit_kind == "other" else "organization"
    obj["x_analystkit_kind"] = kit_kind
    if row is None:
        obj["x_analystkit_inferred"] = True
        return obj
    obj["x_analystkit_own_tlp"] = row.get("tlp", "")  # empty: marked by the rows naming it
    if row["description"]:
        obj["description"] = row["description"]
    if row["aliases"]:
        obj["aliases" if stype in _ALIASED else "x_analystkit_aliases"] = list(row["aliases"])
    if row["sector"]:
        if stype == "identity":
            obj["sectors"] = [row["sector"]]
        else:
            obj["x_analystkit_sector"] = row["sector"]
    for column in ("sector_detail", "domain"):
        if row[column]:
            obj[f"x_analystkit_{column}"] = row[column]
    digest = kept.pop(DIGEST, None)
    for key in ("created", "modified", "is_family", "malware_types", "identity_class"):
        if key in kept:  # another producer's object keeps its own times and typing
            obj[key] = kept.pop(key)
    if digest and "modified" in obj and digest != entity_digest(row):  # edited since it was read
        later = stix_time(pd.Timestamp(obj["modified"]) + pd.Timedelta("1ms"))
        obj["modified"] = max(common["modified"], later)
    for key, value in kept.items():
        obj.setdefault(key, value)
    return obj


def _references(ids: tuple[str, ...], sources: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    refs = []
    for sid in ids:
        src = sources.get(sid, {})
        name = src.get("name") or sid
        ref = {"source_name": name, "external_id": sid}
        if name in ("cve", "capec") and sid.startswith(f"{name}-"):
            ref["external_id"] = sid.removeprefix(f"{name}-").upper()  # CVE-2012-0158, as read
        if src.get("url"):
            ref["url"] = src["url"]
        refs.append(ref)
    return refs


def _events_objects(case: Case, common: dict, sources: Mapping[str, Mapping[str, Any]],
                    ids: Mapping[str, str], author: str | None) -> list[dict]:
    """The incident objects (with the Incident Core objects when ``author`` is given) and
    their links to the victims."""
    objects = []
    victims = {n: ids[n] for n in case.events["victim"] if n in ids}
    default_incident = str(case.meta.get("incident") or "")
    events = case.events.assign(_incident=case.events["incident"].where(
        case.events["incident"].ne(""), default_incident))
    for incident, group in events.groupby("_incident", sort=False):
        group = group.drop(columns="_incident")
        records = frame_to_records("events", group)
        lowest = min(group["tlp"], key=schema.tlp_rank)
        obj = {"type": "incident", "spec_version": _SPEC,
               "id": f"incident--{stix_uuid('incident', incident)}",
               **common, "object_marking_refs": [TLP_MARKINGS[lowest]],
               "name": incident or case.title or "incident"}
        cited = tuple(dict.fromkeys(s for ids in group["sources"] for s in ids))
        if cited:
            obj["external_references"] = _references(cited, sources)
        granular = {}
        for i, label in enumerate(group["tlp"]):
            if not schema.tlp_allows(label, lowest):
                granular.setdefault(label, []).append(f"x_analystkit_events.[{i}]")
        if granular:
            obj["granular_markings"] = [{"marking_ref": TLP_MARKINGS[label], "selectors": sel}
                                        for label, sel in sorted(granular.items())]
        obj["x_analystkit_incident"] = incident
        obj["x_analystkit_events"] = records
        objects.append(obj)
        if author:  # its attributed-to and targets relationships stand for the links below
            objects.extend(core_objects(obj, group, ids, common, author=author, marking=lambda
                                        t: [TLP_MARKINGS[t]], references=lambda s: _references(s, sources),
                                        status=str(case.meta.get("investigation_status") or "open")))
            continue
        hit: dict[str, str] = {}  # victim object → lowest marking of the events naming it
        for victim, label in zip(group["victim"], group["tlp"], strict=True):
            if victim in victims:
                hit[victims[victim]] = min(hit.get(victims[victim], "red"), label, key=schema.tlp_rank)
        for ref, label in sorted(hit.items()):
            objects.append(_relationship(("incident-victim", incident, ref), "related-to", obj["id"],
                                         ref, common, label, x_analystkit_link="incident-victim"))
    return objects


def _relationship(key: tuple, rtype: str, source_ref: str, target_ref: str, common: dict,
                  tlp: str, **props: Any) -> dict:
    return {"type": "relationship", "spec_version": _SPEC,
            "id": f"relationship--{stix_uuid(*key)}", **common,
            "object_marking_refs": [TLP_MARKINGS[tlp]], "relationship_type": rtype,
            "source_ref": source_ref, "target_ref": target_ref, **props}


def _entity_objects(case: Case, rows: Mapping[str, Mapping[str, Any]], common: dict,
                    case_tlp: str) -> tuple[list[dict], dict[str, str]]:
    """The entity objects (each with its own marking), their locations and located-at links,
    and the object id of each entity name."""
    objects: list[dict] = []
    ids: dict[str, str] = {}
    marks = dict(zip(case.entities["name"], schema.entity_marks(
        case.entities, case.events, case.relations, default=case_tlp), strict=True))
    named = schema.naming_marks(case.events, case.relations)
    places: dict[str, dict] = {}
    for name, (kind, _inferred) in _entity_kinds(case).items():
        mark = marks.get(name) or schema.highest_tlp(named.get(name, ()), case_tlp)
        obj = _entity_object(name, kind, rows.get(name), {**common, "object_marking_refs": [
            TLP_MARKINGS[mark]]})
        ids[name] = obj["id"]
        objects.append(obj)
        country = rows.get(name, {}).get("country", "")
        if country:
            loc_id = f"location--{stix_uuid('location', country)}"
            if country not in places:
                places[country] = {"type": "location", "spec_version": _SPEC, "id": loc_id, **common,
                                   "object_marking_refs": [TLP_MARKINGS[mark]],
                                   "name": _country_name(country), "country": country}
                objects.append(places[country])
            elif schema.tlp_rank(mark) < schema.tlp_rank(_label(places[country])):
                places[country]["object_marking_refs"] = [TLP_MARKINGS[mark]]  # the lowest user's
            rtype = "located-at" if obj["type"] == "identity" else "originates-from"
            objects.append(_relationship(("located-at", name, country), rtype, obj["id"], loc_id,
                                         common, mark))
    return objects, ids


def to_bundle(case: Case, *, incident_core: bool = False) -> dict[str, Any]:
    """The case as a STIX 2.1 bundle (a JSON-ready dict), deterministic for a given case.

    ``incident_core=True`` adds the timeline in the Incident Core Extension draft
    (:mod:`analystkit.io._stixcore`), created by the case's ``author`` (else the kit).

    Examples
    --------
    >>> from analystkit import load_case
    >>> bundle = to_bundle(load_case(DATA / "cases" / "royal-mail-2023"))
    >>> bundle == to_bundle(load_case(DATA / "cases" / "royal-mail-2023"))
    True
    >>> sorted({o["type"] for o in bundle["objects"]})  # doctest: +NORMALIZE_WHITESPACE
    ['extension-definition', 'identity', 'incident', 'intrusion-set', 'location', 'malware',
     'marking-definition', 'relationship', 'report']
    """
    stamp = stix_time(_as_of(case))
    case_tlp = schema.normalise_tlp(case.tlp) or "amber"
    common = {"created": stamp, "modified": stamp, "object_marking_refs": [TLP_MARKINGS[case_tlp]]}
    sources = {r["source_id"]: r for r in frame_to_records("sources", case.sources)}
    rows = {r["name"]: r for r in frame_to_records("entities", case.entities)}
    objects, ids = _entity_objects(case, rows, common, case_tlp)
    for row in frame_to_records("relations", case.relations):
        props: dict[str, Any] = grade_properties(row)
        if row["description"]:
            props["description"] = row["description"]
        if row["date"] and pd.notna(stamp_ := pd.Timestamp(row["date"].replace("Z", "+00:00"))):
            props["start_time"] = stix_time(stamp_)
        props["external_references"] = _references(tuple(row["sources"]), sources)
        props["x_analystkit_relation_id"] = row["relation_id"]
        props["x_analystkit_relation"] = row["relation"]
        for column in ("via", "incident", "precision"):
            if row[column]:
                props[f"x_analystkit_{column}"] = row[column]
        objects.append(_relationship(("relation", row["relation_id"]),
                                     _RELATIONSHIP_TYPE.get(row["relation"], "related-to"),
                                     ids[row["source"]], ids[row["target"]], common, row["tlp"],
                                     **props))
    author = author_object(case.meta, common) if incident_core else None
    objects.extend([author] if author else [])
    objects.extend(_events_objects(case, common, sources, ids, (author or {}).get(
        "id", AUTHOR_ID) if incident_core else None))
    used = {o["object_marking_refs"][0] for o in objects}
    used |= {g["marking_ref"] for o in objects for g in o.get("granular_markings", ())}
    used.add(TLP_MARKINGS[case_tlp])
    text_marks = _text_markings(case, case_tlp)
    used |= {g["marking_ref"] for g in text_marks}
    markings = [marking_definition(label) for label, mid in TLP_MARKINGS.items() if mid in used]
    if schema.normalise_pap(case.meta.get("pap") or ""):
        markings.append(pap_definition(case.meta["pap"]))
        common = {**common, "object_marking_refs": [TLP_MARKINGS[case_tlp], markings[-1]["id"]]}
    report = {"type": "report", "spec_version": _SPEC,
              "id": f"report--{stix_uuid('report', case.title, stamp)}", **common,
              "name": case.title or "analystkit case", "report_types": ["threat-report"],
              "published": stamp, "object_refs": [o["id"] for o in objects] or [TLP_MARKINGS[case_tlp]]}
    if case.meta.get("summary"):
        report["description"] = str(case.meta["summary"])
    if text_marks:
        report["granular_markings"] = [g for g in text_marks if g["selectors"][0] in report]
    if sources:
        report["external_references"] = _references(tuple(sources), sources)
    report["x_analystkit_sources"] = list(sources.values())
    extra = {k: v for k, v in case.meta.items()
             if k not in ("title", "summary", "tlp", "as_of", "import") and v not in (None, "")}
    if extra:
        report["x_analystkit_case"] = extra
    report["x_analystkit_tlp"] = case_tlp
    report["x_analystkit_event_order"] = list(case.events["event_id"])
    everything = declare([*markings, *objects, report], marking_refs=[TLP_MARKINGS[case_tlp]])
    return {"type": "bundle", "id": f"bundle--{stix_uuid('bundle', report['id'])}",
            "objects": everything}


def _text_markings(case: Case, case_tlp: str) -> list[dict[str, Any]]:
    """Granular markings for the report's ``name`` and ``description`` (the case title and
    summary) when their own marking is above the case's: the report's marking does not cover them."""
    out = []
    for key, selector in (("title", "name"), ("summary", "description")):
        mark = schema.normalise_tlp(case.marking(key)) or case_tlp
        if schema.tlp_rank(mark) > schema.tlp_rank(case_tlp):
            out.append({"marking_ref": TLP_MARKINGS[mark], "selectors": [selector]})
    return out


def _label(obj: Mapping[str, Any]) -> str:
    """The TLP label of an object this module marked."""
    return next(k for k, v in TLP_MARKINGS.items() if v == obj["object_marking_refs"][0])


def _country_name(code: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    return found.name if found else code


def read(source: str | os.PathLike | Mapping | list, *, tlp: str = "amber",
         strict: bool = False) -> Case:
    """Read a STIX 2.1 (or lenient 2.0) bundle, file or folder into a :class:`Case`.

    Parameters
    ----------
    source : a path to a JSON file or a folder of them, or parsed JSON (bundle, object list).
    tlp : label for objects that carry no TLP marking (unmarked data is not assumed public).
    strict : raise :class:`ImportFormatError` instead of skipping
        invalid objects.

    Returns
    -------
    Case whose ``meta['import']`` reports the format, object counts, the skipped objects (id,
    type, reason) and the counts of object types the case has no table for.

    Examples
    --------
    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> again = read(to_bundle(case))
    >>> again.events.equals(case.events), again.meta["import"]["skipped"]
    (True, [])
    """
    return read_objects(source, default_tlp=tlp, strict=strict)

