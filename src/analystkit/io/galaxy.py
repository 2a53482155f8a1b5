"""MISP galaxy cluster files (``misp-galaxy/clusters/*.json``) as a case's entities.

Each cluster becomes one entity: its ``value`` as the name, exactly as the galaxy writes it, its
``meta.synonyms`` as aliases and its ``description``. Clusters of actor galaxies (ransomware,
threat actors, intrusion sets) are ``actor`` entities; those of tool and malware galaxies are
``other``. A galaxy of sectors or countries describes vocabulary, not actors, and is refused
with the reason. One source row names the galaxy and its version.

:func:`analystkit.io.read_file` imports a galaxy into an existing case by enriching the case's
own entities (see :func:`only_known`) rather than adding every cluster.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .. import schema
from ..aliases import name_key
from ..case import Case
from ..tables import read_json_text
from ._common import ImportFormatError, build_case, slug

__all__ = ["ACTOR_GALAXIES", "only_known", "read"]

#: Galaxy ``type`` values whose clusters are actors.
ACTOR_GALAXIES = ("ransomware", "threat-actor", "mitre-intrusion-set", "microsoft-activity-group",
                  "mitre-enterprise-attack-intrusion-set")
_NOT_ENTITIES = ("sector", "country", "region", "target-information")


def _synonyms(value: Mapping) -> list[str]:
    meta = value.get("meta") if isinstance(value.get("meta"), Mapping) else {}
    names = meta.get("synonyms") or []
    return [str(n).strip() for n in names if isinstance(n, str) and n.strip()] if isinstance(names, list) \
        else []


def read(source: str | os.PathLike | Mapping, *, tlp: str = "amber") -> Case:
    """Read a MISP galaxy clusters file into a case of entities.

    Parameters
    ----------
    source : path to the clusters JSON, or its parsed dict.
    tlp : marking of the entities (a galaxy file carries none; the public galaxies are CLEAR,
        but the kit assumes nothing).

    Examples
    --------
    >>> case = read(SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json", tlp="clear")
    >>> row = case.entities.set_index("name").loc["LockBit"]
    >>> row["kind"], row["aliases"]
    ('actor', ('ABCD ransomware',))
    >>> case.meta["import"]["read"]
    {'cluster': 2135}
    """
    name = "<galaxy data>" if isinstance(source, Mapping) else str(source)
    data = source if isinstance(source, Mapping) else json.loads(read_json_text(source, kind="MISP galaxy"))
    values = data.get("values") if isinstance(data, Mapping) else None
    if not isinstance(values, list):
        raise ImportFormatError(f"{name}: has no 'values' list (expected a misp-galaxy clusters file)")
    gtype = str(data.get("type", ""))
    if gtype in _NOT_ENTITIES:
        raise ImportFormatError(f"{name}: is a galaxy of {gtype} names, not of actors or tools; the "
                                "kit's sectors and countries are fixed vocabularies (sector: STIX "
                                "industry-sector-ov, country: ISO 3166-1), so there is nothing to import")
    kind = "actor" if gtype in ACTOR_GALAXIES else "other"
    source_id = slug(f"misp-galaxy-{gtype or 'clusters'}")
    rows: dict[str, dict] = {}
    left_out: dict[str, int] = {}
    for i, value in enumerate(values):
        cluster = str(value.get("value", "")).strip() if isinstance(value, Mapping) else ""
        if not cluster:
            left_out["cluster without a value"] = left_out.get("cluster without a value", 0) + 1
            continue
        if cluster in rows:  # the galaxy lists one name twice: one entity, every synonym
            rows[cluster]["aliases"] = list(dict.fromkeys([*rows[cluster]["aliases"], *_synonyms(value)]))
            continue
        aliases = [a for a in dict.fromkeys(_synonyms(value)) if name_key(a) != name_key(cluster)]
        rows[cluster] = {"name": cluster, "kind": kind, "aliases": aliases,
                         "description": str(value.get("description") or ""), "tlp": tlp,
                         "_at": i}
    for row in rows.values():
        row.pop("_at")
    title = f"MISP galaxy: {data.get('name') or gtype or Path(name).name}"
    version = f" (version {data['version']})" if data.get("version") not in (None, "") else ""
    sources = [{"source_id": source_id, "name": f"{title}{version}", "url": "", "tlp": tlp}]
    report = {"format": "misp-galaxy", "file": name, "read": {"cluster": len(values)},
              "not_imported": left_out, "skipped": [], "unmapped": {}}
    meta = {"title": title, "summary": str(data.get("description") or ""), "tlp": tlp,
            "as_of": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")}
    return build_case({"sources": sources, "entities": list(rows.values())}, meta, name=name,
                      report=report)


def only_known(galaxy: Case, case: Case) -> tuple[Case, int]:
    """The galaxy's clusters that are entities of ``case`` (by name or alias, either side),
    renamed to the case's name; and how many clusters were left out.

    >>> from analystkit import load_case
    >>> rm = load_case(DATA / "cases" / "royal-mail-2023")
    >>> known, left = only_known(read(SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json"), rm)
    >>> list(known.entities["name"]), left > 2000
    (['LockBit'], True)
    """
    names: dict[str, str] = {}
    for row in case.entities.itertuples(index=False):
        for alias in (row.name, *row.aliases):
            names.setdefault(name_key(alias), row.name)
    merged: dict[str, dict] = {}
    sep = schema.LIST_SEPARATOR
    columns = list(schema.to_text("entities", galaxy.entities).columns)
    for row in schema.to_text("entities", galaxy.entities).to_dict("records"):
        aliases = [a for a in row["aliases"].split(sep) if a]
        hit = next((names[k] for k in map(name_key, [row["name"], *aliases]) if k in names), None)
        if hit is None:
            continue
        if hit != row["name"]:
            aliases = [row["name"], *aliases]
        if hit in merged:  # several clusters name one entity of the case (Lockbit3, lockbit4)
            mine = merged[hit]
            mine["aliases"] = sep.join(dict.fromkeys([*mine["aliases"].split(sep), *aliases]))
            mine["description"] = mine["description"] or row["description"]
            continue
        kind = case.entities.loc[case.entities["name"] == hit, "kind"].iloc[0]  # the case's word
        merged[hit] = {**row, "name": hit, "kind": kind, "aliases": sep.join(aliases)}
    entities = pd.DataFrame(list(merged.values()), columns=columns)
    left = len(galaxy.entities) - sum(1 for row in galaxy.entities.itertuples() if any(
        name_key(n) in names for n in (row.name, *row.aliases)))
    meta = {**galaxy.meta}
    meta["import"] = {**meta["import"], "not_imported": {
        **meta["import"].get("not_imported", {}),
        "cluster not in the case": left}}
    kept = Case(entities=entities, sources=galaxy.sources, meta=meta).validated()
    return kept, left
