"""Merging one case into another (:meth:`analystkit.case.Case.merge`): what an import into an
existing case does.

Rows are matched by their table's id (``event_id``, ``relation_id``, ``source_id``; an entity by
``name``) and compared as the text the case files hold:

* a row the case does not hold is **added**;
* an identical row is **unchanged**;
* a row that differs only in the sources it cites, its marking or its wording (``description``,
  ``notes``) is the same fact seen twice (**updated**): it cites both lists of sources, takes
  the stricter TLP of the two (a marking is never lost) and keeps the case's wording, filling
  only what the case leaves empty; the same claim seen by a second feed is corroborated, not
  repeated;
* a row that differs otherwise is **updated** when the incoming row cites one of the sources the
  case's row cites (the same producer sent a newer version), and a **conflict** when it does not:
  two producers disagree about one id, and :class:`MergeConflict` names both rows (an update
  keeps the stricter TLP too);
* a source row is updated when its name and URL are the same, a conflict when they are not;
* an entity keeps what the case says and takes from the incoming row only what the case leaves
  empty, plus any new aliases; a different ``kind`` is a conflict.

The case's meta (title, summary, markings) is kept; its ``as_of`` moves to the later of the two
only when asked, and ``meta['import']`` becomes the incoming case's import report.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

from . import schema

if TYPE_CHECKING:
    from .case import Case

__all__ = ["MergeConflict", "merge_cases"]

_KEYS = {"sources": "source_id", "entities": "name", "relations": "relation_id", "events": "event_id"}
_SEP = schema.LIST_SEPARATOR
#: Free-text columns: two sources wording one fact differently do not disagree about it.
_WORDING = ("description", "notes")


class MergeConflict(ValueError):
    """Two cases hold different rows under one id and neither can be taken for the other."""


def _text(case: Case, table: str) -> pd.DataFrame:
    frame = schema.to_text(table, case.table(table))
    columns = [c.name for c in schema.COLUMNS[table]]
    return frame.reindex(columns=columns, fill_value="").fillna("").astype(str)


def _ids(cell: str) -> list[str]:
    return [part for part in cell.split(_SEP) if part]


def _joined(*cells: str) -> str:
    return _SEP.join(dict.fromkeys(part for cell in cells for part in _ids(cell)))


def _differs(mine: pd.Series, theirs: pd.Series, skip: tuple[str, ...] = ()) -> list[str]:
    return [c for c in mine.index if c not in skip and mine[c] != theirs[c]]


def _conflict(table: str, key: str, column: str, mine: pd.Series, theirs: pd.Series,
              names: tuple[str, str]) -> MergeConflict:
    where = "" if table == "sources" else f" (sources {mine.get('sources', '') or 'none'} in the case, " \
        f"{theirs.get('sources', '') or 'none'} in {names[1]})"
    return MergeConflict(
        f"{table}.csv {key!r}: {names[0]} and {names[1]} both hold this id with different rows"
        f"{where}: {column} is {mine[column]!r} in the case and {theirs[column]!r} in {names[1]}; "
        f"give one of them another id, or remove it, before merging")


def _merge_rows(table: str, mine: pd.Series, theirs: pd.Series,
                names: tuple[str, str]) -> pd.Series | None:
    """The merged row (None when ``theirs`` adds nothing), or raise :class:`MergeConflict`."""
    if table == "entities":
        if mine["kind"] != theirs["kind"]:
            raise _conflict(table, mine["name"], "kind", mine, theirs, names)
        out = mine.copy()
        for column in mine.index:
            if column == "aliases":
                out[column] = _joined(mine[column], theirs[column])
            elif not mine[column]:
                out[column] = theirs[column]
        return None if out.equals(mine) else out
    differs = _differs(mine, theirs)
    if not differs:
        return None
    key = mine[_KEYS[table]]
    if table == "sources":
        if mine["name"] != theirs["name"] or mine["url"] != theirs["url"]:
            raise _conflict(table, key, "name" if mine["name"] != theirs["name"] else "url", mine,
                            theirs, names)
        return theirs
    cited = _joined(mine["sources"], theirs["sources"])
    strictest = schema.highest_tlp([mine["tlp"], theirs["tlp"]], mine["tlp"]) if mine["tlp"] \
        else theirs["tlp"]
    facts = [c for c in differs if c not in ("sources", "tlp", *_WORDING)]
    if not facts:  # the same fact, perhaps worded or marked differently: corroborated
        out = mine.copy()
        out["sources"], out["tlp"] = cited, strictest
        for column in (c for c in _WORDING if c in out.index and not out[c]):
            out[column] = theirs[column]
        return None if out.equals(mine) else out
    if not set(_ids(mine["sources"])) & set(_ids(theirs["sources"])):
        raise _conflict(table, key, facts[0], mine, theirs, names)
    out = theirs.copy()
    out["sources"], out["tlp"] = cited, strictest
    return out


def merge_cases(case: Case, other: Case, *, update_as_of: bool = False
                ) -> tuple[Case, dict[str, dict[str, int]]]:
    """``other`` merged into ``case``, and per table how many rows were added, updated and
    unchanged (see the module docstring for the rules).

    Raises
    ------
    MergeConflict
        When both hold one id with rows that cannot be merged; the message names the id, the
        column and both values.
    """
    names = (case.title or "the case", str(other.meta.get("import", {}).get("file") or other.title
                                            or "the imported case"))
    tables: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    for table, key in _KEYS.items():
        mine, theirs = _text(case, table), _text(other, table)
        at = {k: i for i, k in enumerate(mine[key])}
        rows = [row for _, row in mine.iterrows()]
        added, updated, unchanged = [], 0, 0
        for _, row in theirs.iterrows():
            if row[key] not in at:
                at[row[key]] = len(rows)
                rows.append(row)
                added.append(row[key])
                continue
            merged = _merge_rows(table, rows[at[row[key]]], row, names)
            if merged is None:
                unchanged += 1
            else:
                rows[at[row[key]]] = merged
                updated += 1
        tables[table] = pd.DataFrame(rows, columns=mine.columns) if rows else mine
        counts[table] = {"added": len(added), "updated": updated, "unchanged": unchanged}
    meta = {**case.meta, "tlp": schema.highest_tlp([case.tlp, other.tlp], case.tlp)}
    if "import" in other.meta:
        meta["import"] = other.meta["import"]
    if update_as_of and other.as_of is not None and (case.as_of is None or other.as_of > case.as_of):
        meta["as_of"] = other.meta["as_of"]
    merged_case = dataclasses.replace(case.with_tables(**tables), meta=meta).validated()
    return merged_case, counts
