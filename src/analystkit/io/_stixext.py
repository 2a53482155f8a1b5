"""The kit's STIX 2.1 extension (§7.3): the ``x_analystkit_*`` properties it writes, declared
in one ``extension-definition`` so that strict consumers accept them.

:func:`declare` finishes an export: every object that carries a top-level custom property names
the extension in its ``extensions`` (properties another producer put on an object the kit
imported, such as ATT&CK's ``x_mitre_*``, travel under it unchanged and are not listed as the
kit's), empty lists are dropped (STIX forbids them), and the extension-definition and the
identity that publishes it join the bundle.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ._common import stable_uuid

__all__ = ["AUTHOR_ID", "DIGEST", "EXTENSION_ID", "PROPERTIES", "declare", "entity_digest", "stix_uuid"]

#: Key in an imported entity's ``stix_extra`` holding :func:`entity_digest` of the row as read.
DIGEST = "x_analystkit_digest"

#: Fixed ids: the extension and its publisher are the same object in every export.
EXTENSION_ID = "extension-definition--56510649-9ddf-404b-945b-c9255f898b08"
AUTHOR_ID = "identity--35130d3a-565c-494a-b244-71b4bb4dd4ac"
_PUBLISHED = "2026-12-04T00:00:00.000Z"

#: Every top-level property the kit writes, and what it holds: the extension's schema.
PROPERTIES = {
    "x_analystkit_kind": "the entity's kind in the case (actor, victim, supplier, other)",
    "x_analystkit_inferred": "true: the entity has no row of its own; a relation names it",
    "x_analystkit_own_tlp": "the TLP of the entity's own row; empty: marked by the rows naming it",
    "x_analystkit_aliases": "other names of an identity (STIX identities have no aliases)",
    "x_analystkit_sector": "the kit's sector word for an actor or malware",
    "x_analystkit_sector_detail": "free-text sector detail",
    "x_analystkit_domain": "the victim's web domain",
    "x_analystkit_relation_id": "the relation row's id in the case",
    "x_analystkit_relation": "the case's relation word (claimed, via-supplier, ...)",
    "x_analystkit_via": "the supplier through which a victim was hit",
    "x_analystkit_incident": "the incident id of a relation or of an incident's events",
    "x_analystkit_precision": "how precise the relation's date is (exact, day, month, year)",
    "x_analystkit_credibility": "the Admiralty information credibility (1-6) of a graded row",
    "x_analystkit_status": "the row's status (confirmed, reported, claimed, disputed)",
    "x_analystkit_events": "every events row of the incident, one object per row, column: value",
    "x_analystkit_link": "why the kit made a relationship (incident-victim, incident-actor)",
    "x_analystkit_sources": "the case's source rows, column: value",
    "x_analystkit_case": "the case's other metadata (day 0, author, comparisons, ...)",
    "x_analystkit_tlp": "the case's TLP",
    "x_analystkit_event_order": "the event ids in the case's order",
}


def stix_uuid(*parts: object) -> str:
    """A UUID in version-4 form (as STIX 2.1 asks of objects' ids) made from ``parts``, the same
    on every run (the bits of :func:`stable_uuid` with the version and variant set).

    >>> stix_uuid("entity", "LockBit") == stix_uuid("entity", "LockBit"), stix_uuid("x")[14]
    (True, '4')
    """
    return str(uuid.UUID(bytes=uuid.UUID(stable_uuid(*parts)).bytes, version=4))


def entity_digest(record: Mapping[str, Any]) -> str:
    """A fingerprint of an entity record's own columns (not ``stix_extra``): an imported object
    whose row no longer matches its fingerprint was edited and gets a later ``modified``.

    >>> row = {"name": "LockBit", "aliases": ["ABCD"], "stix_extra": "{}"}
    >>> entity_digest(row) == entity_digest({**row, "stix_extra": ""}), entity_digest(row)[:8]
    (True, '8381210c')
    """
    own = {k: v for k, v in record.items() if k != "stix_extra"}
    return hashlib.sha256(json.dumps(own, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def definition(marking_refs: list[str]) -> list[dict[str, Any]]:
    """The extension-definition and the identity that publishes it, marked ``marking_refs``
    (the case's marking: consumers may drop unmarked objects)."""
    author = {"type": "identity", "spec_version": "2.1", "id": AUTHOR_ID, "created": _PUBLISHED,
              "modified": _PUBLISHED, "object_marking_refs": marking_refs, "name": "analystkit",
              "identity_class": "system",
              "description": "The analystkit notebook kit, which wrote this bundle."}
    schema = "Top-level properties an analystkit case needs to come back unchanged:\n" + "\n".join(
        f"{name}: {meaning}" for name, meaning in PROPERTIES.items())
    ext = {"type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID,
           "created": _PUBLISHED, "modified": _PUBLISHED, "created_by_ref": AUTHOR_ID,
           "object_marking_refs": marking_refs, "name": "analystkit case properties",
           "description": "What an analystkit case holds that STIX has no property for: entity "
                          "kinds, the case's own relation words, dates' precision, events rows, "
                          "source rows and case metadata.",
           "schema": schema, "version": "1.0", "extension_types": ["toplevel-property-extension"],
           "extension_properties": list(PROPERTIES)}
    return [author, ext]


def declare(objects: Iterable[dict[str, Any]], *, marking_refs: list[str]) -> list[dict[str, Any]]:
    """``objects`` with empty lists dropped and the extension named on each object carrying a
    custom property, followed by the extension-definition and its publisher."""
    out = []
    for obj in objects:
        obj = {k: v for k, v in obj.items() if v != []}
        if any(k.startswith("x_") for k in obj):
            obj["extensions"] = {**obj.get("extensions", {}),
                                 EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}
        out.append(obj)
    return [*out, *definition(marking_refs)]
