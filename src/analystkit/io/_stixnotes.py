"""STIX ``note`` and ``opinion`` objects as notes on the rows they are about (part of
:mod:`analystkit.io._stixread`).

A note or opinion names what it is about in ``object_refs``. Each event it names (another
producer's event-like object, or an incident of the kit's whose events it then names all) gets
the text appended to its ``notes``; each entity gets it appended to its ``description``, the
entities table having no notes column. Either row takes the note's marking when it is stricter,
since the row now repeats the note's words. A note or opinion that names none of these (only
relationships, reports or other notes) is left out and counted in the import report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .. import schema

__all__ = ["NOTE_TYPES", "annotate"]

NOTE_TYPES = ("note", "opinion")
_LEFT = "note or opinion on no event or entity (the case keeps notes on those only)"


def _text(obj: Mapping, valid: Mapping[str, Mapping]) -> str:
    """The note's words, with who wrote it when the input says."""
    author = valid.get(str(obj.get("created_by_ref", "")), {}).get("name")
    by = f" by {author}" if author else ""
    if obj["type"] == "opinion":
        body = f"Opinion{by} ({obj.get('opinion', 'no opinion given')})"
        return f"{body}: {obj['explanation']}" if obj.get("explanation") else body
    parts = [str(obj.get(k) or "").strip() for k in ("abstract", "content")]
    return f"Note{by}: " + " - ".join(p for p in parts if p)


def annotate(valid: Mapping[str, Mapping], events: list[dict], entities: Mapping[str, dict],
             names: Mapping[str, str], *, tlp: Callable[[Mapping], str], default: str) -> dict[str, int]:
    """Append every note and opinion to the event and entity rows it names (in place); return
    what was left out, by reason."""
    by_id: dict[str, list[dict]] = {}
    for row in events:
        by_id.setdefault(str(row.get("event_id", "")), []).append(row)
    for obj in valid.values():  # the kit's incident stands for the events it carries
        if obj["type"] == "incident" and "x_analystkit_events" in obj:
            ids = {str(r.get("event_id", "")) for r in obj["x_analystkit_events"]}
            by_id[obj["id"]] = [row for row in events if str(row.get("event_id", "")) in ids]
    left: dict[str, int] = {}
    for obj in valid.values():
        if obj["type"] not in NOTE_TYPES:
            continue
        text, label = _text(obj, valid), tlp(obj)
        hit = False
        for ref in obj.get("object_refs", ()):
            for row in by_id.get(ref, ()):
                row["notes"] = "\n".join(filter(None, [str(row.get("notes") or ""), text]))
                row["tlp"] = schema.highest_tlp([row.get("tlp") or default, label], default)
                hit = True
            entity = entities.get(names.get(ref, ""))
            if entity is not None:
                entity["description"] = "\n\n".join(filter(None, [entity["description"], text]))
                entity["_also"].append(label)
                hit = True
        if not hit:
            left[_LEFT] = left.get(_LEFT, 0) + 1
    return left
