"""Checking STIX input before it is mapped (the first step of :mod:`analystkit.io._stixread`).

Every object is checked before it is used: its type and id, every timestamp, and the type of
each property the mapping reads. A failing object is skipped and reported with its id and the
reason; a relationship whose ``source_ref`` or ``target_ref`` is not (or no longer) in the input
is skipped the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import schema
from ..times import utc
from ._common import ImportFormatError, grade_problem, load_json

__all__ = ["MAPPED_TYPES", "check", "gather", "stix_time", "timestamp"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                 r"[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TIMESTAMPS = ("created", "modified", "first_seen", "last_seen", "start_time", "stop_time",
               "published", "valid_from", "valid_until", "first_observed", "last_observed")
_TEXT = ("name", "description", "relationship_type", "source_ref", "target_ref", "identity_class",
         "country", "x_analystkit_kind", "x_analystkit_relation", "x_analystkit_relation_id",
         "sighting_of_ref")
_TEXT_LISTS = ("aliases", "sectors", "object_marking_refs", "malware_types", "object_refs",
               "where_sighted_refs",
               "x_analystkit_aliases", "x_mitre_aliases")
_DICT_LISTS = ("external_references", "x_analystkit_events", "x_analystkit_sources",
               "granular_markings")
_REQUIRED = {"relationship": ("relationship_type", "source_ref", "target_ref"),
             "intrusion-set": ("name",), "threat-actor": ("name",), "identity": ("name",),
             "incident": ("name",), "report": ("name",), "campaign": ("name",),
             "tool": ("name",), "attack-pattern": ("name",), "sighting": ("sighting_of_ref",)}

#: Object types the case has tables for: a relationship to a missing one of these is skipped.
MAPPED_TYPES = ("intrusion-set", "threat-actor", "identity", "malware", "location", "incident")

def gather(source: Any) -> tuple[list, str, str, str]:
    """Objects, display name, spec version label and bundle id of the input."""
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        objects: list = []
        versions: set[str] = set()
        for path in sorted(Path(source).rglob("*.json")):
            part, _, version, _ = gather(path)
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


def stix_time(stamp: Any) -> str:
    """A timestamp as STIX writes it: UTC, milliseconds (microseconds when they are there), Z.

    >>> import pandas as pd
    >>> stix_time(pd.Timestamp("2023-01-10"))
    '2023-01-10T00:00:00.000Z'
    """
    stamp = utc(stamp)
    fraction = f"{stamp.microsecond:06d}" if stamp.microsecond % 1000 else f"{stamp.microsecond // 1000:03d}"
    return f"{stamp:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def timestamp(value: object) -> datetime | None:
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
        if prop in obj and timestamp(obj[prop]) is None:
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


_NEVER = datetime.min.replace(tzinfo=UTC)  # "modified" of an object that gives none


def check(objects: list) -> tuple[dict[str, dict], list[dict]]:
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
        if old is None or (timestamp(obj.get("modified", "")) or _NEVER) >= \
                (timestamp(old.get("modified", "")) or _NEVER):  # the latest version wins
            valid[obj["id"]] = dict(obj)
    for oid, obj in list(valid.items()):
        if obj["type"] != "relationship":
            continue
        for prop in ("source_ref", "target_ref"):
            # a missing object the case has no table for (an ATT&CK technique) costs nothing
            if obj[prop] not in valid and obj[prop].split("--")[0] in MAPPED_TYPES:
                skipped.append({"id": oid, "type": "relationship",
                                "reason": f"'{prop}' {obj[prop]} is not in the input (or was skipped)"})
                del valid[oid]
                break
    return valid, skipped

