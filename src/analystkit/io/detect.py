"""What kind of file an import was given: the one place that tells the formats apart.

A file is recognised by its content, not its name (a ``.csv`` is a ransomware.live export).
Files of the formats' own tooling that hold no intelligence (a MISP object template, a taxonomy,
a galaxy definition) are named as such, so the analyst knows what to import instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..tables import read_json_text
from ._common import ImportFormatError
from .facts import is_facts_header

__all__ = ["KINDS", "detect"]

#: The kinds :func:`detect` returns, and what each is.
KINDS = {"leaksite": "leak-site posts (ransomwatch / ransomware.live)", "stix": "STIX 2.x",
         "facts": "a table of facts (events in the analyst's own columns, CSV or Excel)",
         "misp": "MISP event(s)", "galaxy": "MISP galaxy clusters",
         "case": "an analystkit case folder"}


def _not_data(data: Mapping) -> str | None:
    """Why a MISP tooling file is not something to import (None when it is not one)."""
    if "predicates" in data and "namespace" in data:
        return (f"a MISP taxonomy ({data['namespace']}): it defines tags, it holds no events; "
                "import the events that use them")
    if "attributes" in data and "meta-category" in data:
        return (f"a MISP object template ({data.get('name', '?')}): it defines an object, it holds "
                "no data; import an event that uses it")
    if "namespace" in data and "uuid" in data and "values" not in data and "type" in data:
        return (f"a MISP galaxy definition ({data.get('name', '?')}): its clusters are in the "
                f"matching clusters file (clusters/{data['type']}.json); import that one")
    return None


def _kind_of(data: Any, name: str) -> str:
    if isinstance(data, Mapping):
        if data.get("type") == "bundle" or "spec_version" in data or isinstance(data.get("objects"), list):
            return "stix"  # some published bundles omit "type": "bundle"
        if "Event" in data or "info" in data or isinstance(data.get("response"), list):
            return "misp"
        if isinstance(data.get("values"), list) and "category" in data and "type" in data:
            return "galaxy"
        why = _not_data(data)
        if why:
            raise ImportFormatError(f"{name}: is {why}")
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        first = data[0]
        if {"post_title", "group_name"} <= set(first) or {"victim", "group"} <= set(first):
            return "leaksite"
        if "type" in first and "id" in first:
            return "stix"
        if "Event" in first or "info" in first:
            return "misp"
    raise ImportFormatError(f"{name}: not a leak-site posts file, STIX bundle, MISP event or MISP "
                            "galaxy (no known top-level fields)")


def _facts_header(path: Path) -> bool:
    """Whether a CSV's first line is the header of a table of facts rather than of leak-site posts."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            first = head.decode(encoding).splitlines()[0] if head else ""
            break
        except (UnicodeDecodeError, IndexError):
            first = ""
    return is_facts_header(first.split(","))


def detect(path: str | os.PathLike) -> str:
    """The kind of ``path`` (a key of :data:`KINDS`); a folder with a ``case.json`` is a case,
    any other folder is read as STIX objects.

    Raises
    ------
    ImportFormatError
        When the content is none of them, naming what the file is when the kit can tell.

    Examples
    --------
    >>> detect(SAMPLES / "stix" / "mitre_cti_lockbit")
    'stix'
    >>> detect(SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json")
    'galaxy'
    >>> detect(SAMPLES / "misp" / "objects" / "victim.definition.json")
    Traceback (most recent call last):
    ...
    analystkit.io._common.ImportFormatError: ...definition.json: is a MISP object template (victim): ...
    """
    path = Path(path)
    if path.is_dir():
        if (path / "case.json").is_file():
            return "case"
        if not any(path.rglob("*.json")):
            raise ImportFormatError(f"{path}: a folder with no *.json file (a folder is read as "
                                    "STIX objects, one or more per file)")
        return "stix"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "facts"
    if path.suffix.lower() == ".csv":
        return "facts" if _facts_header(path) else "leaksite"
    try:
        data = json.loads(read_json_text(path, kind="JSON"))
    except ValueError as exc:
        raise ImportFormatError(f"{path}: not a JSON file the kit can import ({exc})") from None
    return _kind_of(data, str(path))
