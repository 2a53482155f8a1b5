"""Pieces shared by the STIX and MISP readers and writers.

Deterministic ids, the status ↔ confidence / credibility mappings, TLP marking look-ups, JSON
loading with clear errors, and the step that turns parsed rows into a validated :class:`Case`
together with the import report of skipped objects.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..case import Case
from ..schema import Problem, ValidationError
from ..tables import read_json_text
from ..text import NAME_MAX, TEXT_MAX, tame, tame_all

__all__ = [
    "CREDIBILITY_CONFIDENCE",
    "MULTILINE",
    "NAMESPACE",
    "STATUS_CONFIDENCE",
    "STATUS_CREDIBILITY",
    "ImportFormatError",
    "SkippedObjectsWarning",
    "build_case",
    "confidence_to_credibility",
    "confidence_to_status",
    "credibility_to_status",
    "frame_to_records",
    "grade_problem",
    "grade_properties",
    "load_json",
    "misp_credibility",
    "read_grade",
    "slug",
    "stable_uuid",
    "tame_column",
    "tame_json",
    "tamed",
]

#: Namespace of every uuid5 the kit writes: the same case always gives the same ids.
NAMESPACE = uuid.UUID("8c3e2b1f-6d0a-5e47-9b52-3f1a7c9d0e64")

#: Status → STIX confidence on the None/Low/Med/High scale of STIX 2.1 Appendix A.
STATUS_CONFIDENCE = {"confirmed": 85, "reported": 50, "claimed": 15, "disputed": 0}
#: Status → Admiralty information credibility (MISP ``admiralty-scale:information-credibility``).
STATUS_CREDIBILITY = {"confirmed": "1", "reported": "2", "disputed": "4", "claimed": "6"}
#: Admiralty credibility → STIX confidence (STIX 2.1 Appendix A); 6, "truth cannot be judged", has
#: no confidence value, so the property is left out.
CREDIBILITY_CONFIDENCE = {"1": 90, "2": 70, "3": 50, "4": 30, "5": 10}
_CREDIBILITY_STATUS = {"1": "confirmed", "2": "reported", "3": "reported", "4": "disputed",
                       "5": "disputed", "6": "claimed"}


class ImportFormatError(ValueError):
    """The input is not a readable STIX bundle or MISP event (names the file and the problem)."""


class SkippedObjectsWarning(UserWarning):
    """Some objects of an import were invalid and were skipped (listed in ``meta['import']``)."""


def stable_uuid(*parts: object) -> str:
    """A uuid5 in the kit's namespace from the parts of a row's stable key.

    >>> stable_uuid("entity", "LockBit") == stable_uuid("entity", "LockBit")
    True
    >>> stable_uuid("entity", "LockBit") != stable_uuid("entity", "Royal Mail")
    True
    """
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def confidence_to_status(value: object) -> str:
    """The kit's status for a STIX confidence (0–100), read on the None/Low/Med/High scale.

    70–100 (High) → confirmed, 30–69 (Med) → reported, 1–29 (Low) → claimed, 0 (None) →
    disputed; a missing confidence means reported.

    >>> [confidence_to_status(v) for v in (85, 50, 15, 0, None, 100, 29)]
    ['confirmed', 'reported', 'claimed', 'disputed', 'reported', 'confirmed', 'claimed']
    """
    if value is None or isinstance(value, bool):
        return "reported"
    number = int(value)
    if number >= 70:
        return "confirmed"
    if number >= 30:
        return "reported"
    return "claimed" if number >= 1 else "disputed"


def credibility_to_status(value: object) -> str | None:
    """The kit's status for an Admiralty credibility digit (``"1"`` … ``"6"``), or None.

    >>> [credibility_to_status(v) for v in ("1", "2", "3", "4", "5", "6", "9")]
    ['confirmed', 'reported', 'reported', 'disputed', 'disputed', 'claimed', None]
    """
    return _CREDIBILITY_STATUS.get(str(value).strip().strip('"'))


def confidence_to_credibility(value: object) -> str | None:
    """The Admiralty credibility a STIX confidence stands for (Appendix A), or None.

    80–100 → 1, 60–79 → 2, 40–59 → 3, 20–39 → 4, 0–19 → 5; no confidence → None.

    >>> [confidence_to_credibility(v) for v in (90, 70, 50, 30, 10, 79, 0, None)]
    ['1', '2', '3', '4', '5', '2', '5', None]
    """
    if value is None or isinstance(value, bool):
        return None
    number = int(value)
    return next(k for k, floor in (("1", 80), ("2", 60), ("3", 40), ("4", 20), ("5", 0))
                if number >= floor)


def grade_properties(row: Mapping[str, Any]) -> dict[str, Any]:
    """STIX properties that carry a relation's status and credibility.

    An ungraded row's ``confidence`` comes from its status (:data:`STATUS_CONFIDENCE`). A graded
    row's comes from its credibility (:data:`CREDIBILITY_CONFIDENCE`, none for 6), and the row
    also keeps both words as ``x_analystkit_credibility`` and ``x_analystkit_status``: status and
    credibility are assessed apart (a claim may be probably true), so neither is derived from
    the other when the bundle is read back.

    >>> grade_properties({"status": "claimed", "credibility": ""})
    {'confidence': 15}
    >>> grade_properties({"status": "claimed", "credibility": "2"})
    {'confidence': 70, 'x_analystkit_credibility': '2', 'x_analystkit_status': 'claimed'}
    >>> grade_properties({"status": "reported", "credibility": "6"})
    {'x_analystkit_credibility': '6', 'x_analystkit_status': 'reported'}
    """
    cred = str(row.get("credibility") or "")
    if not cred:
        return {"confidence": STATUS_CONFIDENCE[row["status"]]}
    out: dict[str, Any] = {}
    if cred in CREDIBILITY_CONFIDENCE:
        out["confidence"] = CREDIBILITY_CONFIDENCE[cred]
    return {**out, "x_analystkit_credibility": cred, "x_analystkit_status": row["status"]}


def grade_problem(obj: Mapping[str, Any]) -> str | None:
    """Why an object's ``x_analystkit_credibility`` cannot be used (it disagrees with its
    ``confidence``, or is not a digit 1–6), or None."""
    if "x_analystkit_credibility" not in obj:
        return None
    cred, confidence = obj["x_analystkit_credibility"], obj.get("confidence")
    if cred not in schema.CREDIBILITY:
        return f"'x_analystkit_credibility' value {cred!r} is not an Admiralty credibility 1-6"
    if confidence_to_credibility(confidence) != (None if cred == "6" else cred):
        return (f"'confidence' {confidence!r} does not stand for credibility {cred} (expected "
                f"{CREDIBILITY_CONFIDENCE.get(cred, 'no confidence')})")
    return None


def read_grade(obj: Mapping[str, Any]) -> tuple[str, str]:
    """The status and credibility of a STIX object checked by :func:`grade_problem`.

    The kit's own bundles say both; a foreign object has no credibility (the scale its
    ``confidence`` was given on is not known) and its status is read from its confidence.
    """
    cred = obj.get("x_analystkit_credibility")
    if cred is None:
        return confidence_to_status(obj.get("confidence")), ""
    status = obj.get("x_analystkit_status")
    return (status if status in schema.STATUSES else credibility_to_status(cred) or "reported"), cred


def misp_credibility(record: Mapping[str, Any]) -> str | None:
    """The ``admiralty-scale:information-credibility`` digit of a row: its own credibility, or
    for an ungraded row the one its status stands for (:data:`STATUS_CREDIBILITY`)."""
    return str(record.get("credibility") or "") or STATUS_CREDIBILITY.get(record.get("status", ""))


def slug(text: object, *, prefix: str = "s") -> str:
    """A lowercase id usable as ``source_id``/``relation_id`` (:func:`analystkit.schema.slug_id`).

    >>> slug("CISA AA23-075A")
    'cisa-aa23-075a'
    """
    return schema.slug_id(text, prefix=prefix)


def load_json(source: str | os.PathLike | Mapping | list, *, kind: str) -> tuple[Any, str]:
    """Parse ``source`` (a path or already-parsed JSON); return the data and a display name.

    Raises :class:`ImportFormatError` naming the file, line and column of a JSON syntax error
    (a truncated download, for instance), and :class:`analystkit.tables.UnreadableFileError`
    for a path that is not a regular file or text that is not UTF-8, UTF-16 or UTF-32 (a
    Windows-1252 file is named as such, never read with replacement characters).
    """
    if isinstance(source, (Mapping, list)):
        return tame_json(source), f"<{kind} data>"
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"expected a path or parsed {kind} JSON (dict or list), got "
                        f"{type(source).__name__}")
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(2, f"no {kind} file", str(path))
    text = read_json_text(path, kind=kind)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.msg.startswith("Unterminated") or exc.pos >= len(text.rstrip())
        hint = " (the file looks truncated)" if cut else ""
        raise ImportFormatError(f"{path}: is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                f"column {exc.colno}{hint}") from None
    return (tame_json(data) if _RISKY_ESCAPE.search(text) else data), str(path)


#: JSON escapes of what no id or hash may meet: NUL and lone (or any) surrogates.
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_RISKY = re.compile("[\x00\ud800-\udfff]")


def tame_json(data: Any) -> Any:
    r"""Parsed JSON with every string (keys too) that holds a NUL or a lone surrogate tamed
    (:func:`analystkit.text.tame`, lines kept), before any of it becomes an id or a hash;
    :func:`build_case` tames the rest of each cell. Unchanged data is returned as it is.

    >>> tame_json({"name": "Evil\x00Crew", "refs": ["ok", "\ud800x"]})
    {'name': 'EvilCrew', 'refs': ['ok', '\ufffdx']}
    """
    if isinstance(data, str):
        return tame(data, multiline=True, max_len=None) if _RISKY.search(data) else data
    if isinstance(data, Mapping):
        return {tame_json(k): tame_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [tame_json(v) for v in data]
    return data


def frame_to_records(table: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a validated table as JSON-ready dicts (dates written in their precision's form).

    Id and list columns become JSON lists; every other cell is the text the case folder would
    hold, so reading the records back with :func:`schema.validate` restores the table exactly.
    """
    text = schema.to_text(table, frame)
    listy = {c.name for c in schema.COLUMNS[table] if c.kind in ("ids", "list")}
    records = []
    for (_, row), (_, original) in zip(text.iterrows(), frame.iterrows(), strict=True):
        record = {}
        for column, value in row.items():
            record[column] = list(original[column]) if column in listy else value
        records.append(record)
    return records


#: Columns whose text may run over several lines (and be long); every other one is a name.
MULTILINE = ("description", "notes", "summary")
_LONG = ("url", *MULTILINE)
#: Columns whose cells are lists (``aliases``, ``sources``): their items are tamed one by one.
_LISTS = frozenset(c.name for cols in schema.COLUMNS.values() for c in cols if c.kind in ("ids", "list"))


def tame_column(name: str, values: list) -> list:
    """``values`` of the column ``name`` tamed by the one rule every reader follows.

    A free-text column (:data:`MULTILINE`) keeps tabs and line breaks and may be long, as may a
    ``url``; every other column is a name: one line of at most :data:`analystkit.text.NAME_MAX`.

    >>> tame_column("victim", ["Evil\\rCorp", "A" * 400])[0], len(tame_column("victim", ["A" * 400])[0])
    ('Evil Corp', 300)
    >>> tame_column("aliases", [("lockbit3", "Lock\\x85Bit")])
    [('lockbit3', 'Lock Bit')]
    >>> tame_column("description", ["line one\\nline two"])
    ['line one\\nline two']
    """
    multiline, max_len = name in MULTILINE, TEXT_MAX if name in _LONG else NAME_MAX
    out = tame_all(values, multiline=multiline, max_len=max_len)
    if name not in _LISTS:  # a feed's million titles pay for no per-cell check
        return out
    return [type(v)(_item(x) for x in tame_all(list(v), multiline=multiline, max_len=max_len))
            if isinstance(v, (tuple, list)) else v for v in out]


def _item(value: object) -> object:
    """A list item as the case's CSV can hold it: its list separator written as ','."""
    return value.replace(schema.LIST_SEPARATOR, ",") if isinstance(value, str) else value


def tamed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell tamed (:func:`tame_column`): what a foreign file holds never
    reaches a table with a NUL, a control character, a lone surrogate, a bidi override or a name
    longer than :data:`analystkit.text.NAME_MAX`."""
    known = {c.name for cols in schema.COLUMNS.values() for c in cols}
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        if col in known:
            out[col] = tame_column(col, out[col].tolist())
        else:  # the kit's own structured columns (e.g. a JSON blob of the original object)
            out[col] = tame_all(out[col].tolist(), multiline=True, max_len=None)
    return out


def build_case(tables: Mapping[str, Iterable[Mapping[str, Any]] | pd.DataFrame], meta: dict, *,
               name: str, report: dict) -> Case:
    """Validate parsed rows into a :class:`Case` whose ``meta['import']`` is ``report``.

    A row the tables refuse (a bad date inside an otherwise valid object, a source id that is
    never defined) raises one :class:`ValidationError` naming the input and the row, so a case is
    never half imported without saying so. Skipped objects listed in ``report['skipped']`` raise a
    :class:`SkippedObjectsWarning` naming how many and the first few ids.
    """
    problems: list[Problem] = []
    default = schema.normalise_tlp(meta.get("tlp", "")) or "amber"
    out: dict[str, pd.DataFrame] = {}
    source_ids: set[str] | None = None
    for table in ("sources", "entities", "relations", "events"):
        rows = tables.get(table)
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows or []))
        frame = tamed(frame)
        if frame.empty and not len(frame.columns):
            out[table] = schema.empty(table)
        else:
            out[table] = schema.validate(table, frame, file=f"{name} ({table})", default_tlp=default,
                                         source_ids=source_ids, problems=problems)
        if table == "sources":
            source_ids = set(out[table]["source_id"]) if "source_id" in out[table] else set()
    if problems:
        raise ValidationError(problems)
    meta = {**meta, "tlp": default, "import": report}
    for key in ("title", "summary"):
        if isinstance(meta.get(key), str):
            meta[key] = tame(meta[key], multiline=key == "summary",
                             max_len=TEXT_MAX if key == "summary" else NAME_MAX)
    skipped = report.get("skipped", [])
    if skipped:
        first = ", ".join(str(s.get("id")) for s in skipped[:3])
        warnings.warn(f"{name}: skipped {len(skipped)} invalid object(s) ({first}"
                      f"{', ...' if len(skipped) > 3 else ''}); see case.meta['import']['skipped']",
                      SkippedObjectsWarning, stacklevel=3)
    return Case(events=out["events"], relations=out["relations"], entities=out["entities"],
                sources=out["sources"], meta=meta)
