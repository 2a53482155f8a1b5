"""Checking MISP input before it is mapped (the first step of :mod:`analystkit.io._mispread`).

The event is unwrapped (``{"Event": ...}``, a one-item list, a ``response`` list) and every
attribute and object checked; an unusable one is skipped and reported with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..times import utc
from ._common import ImportFormatError

__all__ = ["attribute_problem", "check", "unwrap", "when"]


def unwrap(data: Any, name: str) -> dict:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, Mapping) and "response" in data and isinstance(data["response"], list) \
            and len(data["response"]) == 1:
        data = data["response"][0]
    if isinstance(data, Mapping) and "Event" in data:
        data = data["Event"]
    if not isinstance(data, Mapping):
        raise ImportFormatError(f"{name}: top level is a JSON {type(data).__name__} (expected one "
                                "MISP event: {\"Event\": {...}} or the bare event object)")
    if not any(k in data for k in ("info", "Attribute", "Object", "uuid")):
        hint = " (it looks like a STIX bundle: use analystkit.io.stix.read)" if "objects" in data else ""
        raise ImportFormatError(f"{name}: is not a MISP event (no 'info', 'Attribute' or 'Object')"
                                f"{hint}")
    for key in ("Attribute", "Object", "Tag", "Galaxy"):
        if key in data and not isinstance(data[key], list):
            raise ImportFormatError(f"{name}: event '{key}' is a JSON {type(data[key]).__name__} "
                                    "(expected a list)")
    return dict(data)


def attribute_problem(attr: object, where: str) -> str | None:
    if not isinstance(attr, Mapping):
        return f"{where} is a JSON {type(attr).__name__}, not an object"
    if not isinstance(attr.get("type"), str):
        return f"{where} has no 'type' string"
    value = attr.get("value")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"{where} 'value' {value!r} is not text or a number"
    stamp = attr.get("timestamp")
    if stamp is not None and not str(stamp).strip().isdigit():
        return f"{where} 'timestamp' {stamp!r} is not epoch seconds"
    for prop in ("first_seen", "last_seen"):
        if attr.get(prop) and when(attr[prop]) is None:
            return f"{where} '{prop}' {attr[prop]!r} is not an ISO 8601 date-time"
    tags = attr.get("Tag", [])
    if not isinstance(tags, list) or not all(isinstance(t, Mapping) and isinstance(t.get("name"), str)
                                             for t in tags):
        return f"{where} 'Tag' is not a list of tags with names"
    return None


def when(value: object) -> pd.Timestamp | None:
    try:
        stamp = utc(str(value))
    except (ValueError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp


def check(event: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """Usable attributes, usable objects (with usable attributes) and the skipped items."""
    skipped: list[dict] = []
    attributes = []
    for i, attr in enumerate(event.get("Attribute", [])):
        reason = attribute_problem(attr, f"attribute #{i}")
        if reason:
            ident = attr.get("uuid") if isinstance(attr, Mapping) else None
            skipped.append({"id": ident or f"Attribute[{i}]", "type": "attribute", "reason": reason})
        else:
            attributes.append(attr)
    objects = []
    for i, obj in enumerate(event.get("Object", [])):
        ident = obj.get("uuid") if isinstance(obj, Mapping) else None
        ident = ident or f"Object[{i}]"
        if not isinstance(obj, Mapping) or not isinstance(obj.get("name"), str) \
                or not isinstance(obj.get("Attribute", []), list):
            skipped.append({"id": ident, "type": "object",
                            "reason": "is not an object with a 'name' and an 'Attribute' list"})
            continue
        kept = []
        for j, attr in enumerate(obj.get("Attribute", [])):
            reason = attribute_problem(attr, f"attribute #{j} of object {obj['name']}")
            if reason:
                skipped.append({"id": ident, "type": "object", "reason": reason})
            else:
                kept.append(attr)
        objects.append({**obj, "Attribute": kept})
    return attributes, objects, skipped
