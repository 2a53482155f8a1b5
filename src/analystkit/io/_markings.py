"""Reading the markings of imported STIX objects and MISP tags: TLP, PAP, and what cannot be read.

A STIX marking is resolved from the ``marking-definition`` objects of the input first (TLP 2.0
extension, TLP 1.0 ``definition_type: "tlp"``, OpenCTI's ``definition_type: "TLP"`` / ``"PAP"``
with ``definition`` or ``x_opencti_definition``, ``statement``), then from the well-known TLP 1.0
and 2.0 ids. A MISP tag is read by its namespace (``tlp:``, ``PAP:``).

A marking the kit cannot map to a TLP level (an unknown id, ``TLP:TEST``, ``tlp:ex:chr``,
``PAP:PURPLE``) makes the row *restricted*: it is read as TLP:RED, never as the import's default
level, and :class:`MarkingLog` lists it so :func:`warn_markings` can say so. PAP levels are kept:
the strictest one seen becomes the case's ``pap`` (a handling rule for the whole case), and the
log counts the objects that carried each. A statement marking (copyright, terms of use) restricts
nothing and is only listed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import schema
from ._stixext import stix_uuid

__all__ = ["TLP1_IDS", "TLP2_IDS", "TLP_EXTENSION", "MarkingLog", "MarkingWarning", "StixMarkings",
           "marking_definition", "misp_marking", "pap_definition", "read_definition", "warn_markings"]

#: TLP 2.0 marking-definition ids (fixed by the OASIS TLP 2.0 extension).
TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: TLP 1.0 marking-definition ids (built into STIX 2.1), read as their TLP 2.0 level.
TLP1_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
#: Well-known statement markings referenced without their definition (ATT&CK's terms of use).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_STATEMENTS = {"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168": "MITRE ATT&CK terms of use"}


def marking_definition(label: str) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object for ``label`` (``'amber+strict'``, ``'TLP:RED'``…).

    >>> marking_definition("TLP:CLEAR")["id"]
    'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'
    """
    norm = schema.normalise_tlp(label)
    if norm is None:
        raise ValueError(f"unknown TLP label {label!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    return {"type": "marking-definition", "spec_version": "2.1", "id": TLP2_IDS[norm],
            "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{norm.upper()}",
            "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": norm}}}


def pap_definition(level: str) -> dict[str, Any]:
    """A PAP marking-definition in OpenCTI's form (``x_opencti_definition_type: "PAP"``), written
    as a ``statement`` so that python-stix2 and other strict readers accept it.

    >>> pap_definition("amber")["x_opencti_definition"]
    'PAP:AMBER'
    """
    norm = schema.normalise_pap(level)
    if norm is None:
        raise ValueError(f"unknown PAP level {level!r}; expected one of {', '.join(schema.PAP_LEVELS)}")
    label = f"PAP:{norm.upper()}"
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": f"marking-definition--{stix_uuid('pap', norm)}", "created": "2022-10-01T00:00:00.000Z",
            "name": label, "definition_type": "statement", "definition": {"statement": label},
            "x_opencti_definition_type": "PAP", "x_opencti_definition": label}


class MarkingWarning(UserWarning):
    """Some markings of an import could not be read as a TLP level: the rows they mark were made
    TLP:RED (listed in ``meta['import']['markings']['unknown']``)."""


def read_definition(obj: Mapping[str, Any]) -> tuple[str, str]:
    """What a marking-definition says: ``("tlp", label)``, ``("pap", level)``, ``("statement",
    text)`` or ``("unknown", description)``.

    >>> read_definition({"definition_type": "TLP", "x_opencti_definition": "TLP:AMBER+STRICT"})
    ('tlp', 'amber+strict')
    >>> read_definition({"definition_type": "TLP", "definition": {"TLP": "TLP:TEST"}})
    ('unknown', "TLP marking 'TLP:TEST'")
    """
    ext = obj.get("extensions")
    for value in ext.values() if isinstance(ext, Mapping) else ():
        if isinstance(value, Mapping) and "tlp_2_0" in value:
            label = schema.normalise_tlp(value["tlp_2_0"])
            return ("tlp", label) if label else ("unknown", f"TLP 2.0 marking {value['tlp_2_0']!r}")
    kind = str(obj.get("x_opencti_definition_type") or obj.get("definition_type") or "").lower()
    definition = obj.get("definition") if isinstance(obj.get("definition"), Mapping) else {}
    value = obj.get("x_opencti_definition") or next(
        (v for k, v in definition.items() if str(k).lower() == kind), None) or obj.get("name")
    if kind in ("tlp", "pap") and obj.get("definition_type") == "statement":  # the kit's PAP
        value = obj.get("x_opencti_definition") or definition.get("statement")
    if kind == "statement":
        return "statement", str(definition.get("statement", ""))[:80]
    if kind in ("tlp", "pap") and value is not None:
        norm = (schema.normalise_tlp if kind == "tlp" else schema.normalise_pap)(value)
        return (kind, norm) if norm else ("unknown", f"{kind.upper()} marking {str(value)!r}")
    if not kind and str(obj.get("name", "")).upper().startswith("TLP:"):
        label = schema.normalise_tlp(obj["name"])
        return ("tlp", label) if label else ("unknown", f"marking {obj['name']!r}")
    return "unknown", f"{kind or 'untyped'} marking {str(obj.get('name') or value or '')!r}".strip()


class MarkingLog:
    """What an import's markings said beyond TLP: PAP levels, statements and unknown markings."""

    def __init__(self) -> None:
        self.pap: dict[str, set[str]] = {}
        self.unknown: dict[str, tuple[str, set[str]]] = {}
        self.statements: dict[str, str] = {}

    def label(self, item: str, tlps: Iterable[str], paps: Iterable[str],
              unknown: Iterable[tuple[str, str]], default: str) -> str:
        """The TLP of ``item``: the strictest of ``tlps``, RED if any marking is unknown, else
        ``default`` when it carries no TLP marking at all."""
        for level in paps:
            self.pap.setdefault(level, set()).add(item)
        restricted = False
        for key, what in unknown:
            self.unknown.setdefault(key, (what, set()))[1].add(item)
            restricted = True
        return "red" if restricted else schema.highest_tlp(list(tlps), default)

    def case_pap(self) -> str | None:
        """The strictest PAP level seen (RED when a PAP marking could not be read)."""
        levels = list(self.pap) + ["red" for _, (what, _) in self.unknown.items()
                                   if what.startswith("PAP")]
        return max(levels, key=schema.PAP_LEVELS.index) if levels else None

    def report(self) -> dict[str, Any]:
        """The ``meta['import']['markings']`` entry (empty parts left out)."""
        out: dict[str, Any] = {}
        if self.unknown:
            out["unknown"] = [{"marking": key, "what": what, "treated_as": "red",
                               "objects": len(items), "first": sorted(items)[:3]}
                              for key, (what, items) in sorted(self.unknown.items())]
        if self.pap:
            out["pap"] = {level: len(items) for level, items in sorted(self.pap.items())}
        if self.statements:
            out["statements"] = dict(sorted(self.statements.items()))
        return out


class StixMarkings:
    """Resolves ``object_marking_refs`` and ``granular_markings`` of STIX objects to a TLP level."""

    def __init__(self, objects: Iterable[Mapping[str, Any]], default: str, log: MarkingLog):
        self.default, self.log = default, log
        self.known: dict[str, tuple[str, str]] = {mid: ("tlp", label) for label, mid in TLP2_IDS.items()}
        self.known.update({mid: ("tlp", label) for mid, label in TLP1_IDS.items()})
        self.known.update({mid: ("statement", text) for mid, text in _STATEMENTS.items()})
        for obj in objects:
            if obj.get("type") == "marking-definition":
                self.known[obj["id"]] = read_definition(obj)

    def refs(self, obj: Mapping[str, Any], selected: Callable[[str], bool] | None = None) -> list[str]:
        """The marking ids on ``obj``: its object markings and the granular markings whose
        selectors ``selected`` accepts (all of them when None)."""
        ids = [str(m) for m in obj.get("object_marking_refs", ())]
        for mark in obj.get("granular_markings", ()):
            selectors = [str(s) for s in mark.get("selectors", ()) or ()]
            if mark.get("marking_ref") and (selected is None or any(selected(s) for s in selectors)):
                ids.append(str(mark["marking_ref"]))  # a language marking (``lang``) restricts nothing
        return ids

    def label(self, obj: Mapping[str, Any], selected: Callable[[str], bool] | None = None, *,
              default: str | None = None) -> str:
        """The strictest TLP of the markings on ``obj`` (see :meth:`refs`); the object's own
        TLP markings, or ``default`` when it has none, cover what no granular marking does."""
        default = self.default if default is None else default
        tlps, paps, unknown = [], [], []
        whole = {str(m) for m in obj.get("object_marking_refs", ())}
        if not any(self.known.get(m, ("unknown",))[0] in ("tlp", "unknown") for m in whole):
            tlps.append(default)
        for mid in self.refs(obj, selected):
            kind, value = self.known.get(mid, ("unknown", "marking not defined in the input"))
            if kind == "tlp":
                tlps.append(value)
            elif kind == "pap":
                paps.append(value)
            elif kind == "statement":
                self.log.statements[mid] = value
            else:
                unknown.append((mid, value))
        return self.log.label(str(obj.get("id", "")), tlps, paps, unknown, default)

    def marked(self, obj: Mapping[str, Any]) -> bool:
        """True when ``obj`` carries a TLP, PAP or unknown marking (not only statements)."""
        return any(self.known.get(m, ("unknown", ""))[0] != "statement" for m in self.refs(obj))


def misp_marking(tags: Iterable[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """The TLP labels, PAP levels and unreadable markings among MISP tag names.

    >>> misp_marking(["tlp:amber", "PAP:RED", "tlp:ex:chr", "osint:source-type=\\"blog-post\\""])
    (['amber'], ['red'], [('tlp:ex:chr', "MISP tag 'tlp:ex:chr'")])
    """
    tlps, paps, unknown = [], [], []
    for tag in tags:
        space, _, value = str(tag).partition(":")
        value = value.strip().strip('"')
        if space.strip().lower() == "tlp":
            label = schema.normalise_tlp(value)
            tlps.append(label) if label else unknown.append((tag, f"MISP tag {tag!r}"))
        elif space.strip().lower() == "pap":
            level = schema.normalise_pap(value)
            paps.append(level) if level else unknown.append((tag, f"PAP MISP tag {tag!r}"))
    return tlps, paps, unknown


def warn_markings(name: str, report: Mapping[str, Any], *, stacklevel: int = 4) -> None:
    """Raise a :class:`MarkingWarning` naming the markings that were read as TLP:RED (the
    default ``stacklevel`` points at the caller of ``stix.read`` / ``misp.read``)."""
    unknown = report.get("markings", {}).get("unknown", [])
    if not unknown:
        return
    shown = ", ".join(f"{u['marking']} ({u['what']}, {u['objects']} object(s))" for u in unknown[:3])
    more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
    warnings.warn(f"{name}: {len(unknown)} marking(s) the kit cannot read as a TLP level: {shown}"
                  f"{more}; the rows they mark were made TLP:RED (not the import's default level). "
                  "Check them and lower a row's tlp by hand only if the marking allows it; see "
                  "case.meta['import']['markings']", MarkingWarning, stacklevel=stacklevel)
