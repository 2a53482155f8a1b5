"""Importing any supported file into a new or an existing case, with a report of what happened.

:func:`read_file` reads one file (or a folder of STIX objects) of any kind :mod:`.detect`
knows into a case; :func:`import_into` merges it into an existing case (:meth:`Case.merge`:
every row keeps its own source, conflicts are refused) and :func:`report_lines` says, in a few
lines, what was read, what was written and what was left out and why.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd

from ..case import Case, load_case
from . import facts, galaxy, misp, stix
from ._common import slug
from .claims import as_relations
from .detect import detect
from .leaksites import read_posts

__all__ = ["import_into", "left_out", "read_file", "report_lines"]

_READERS = {"stix": stix, "misp": misp, "galaxy": galaxy}
_TABLES = ("events", "relations", "entities", "sources")
#: Why objects of a type are not imported (a type not listed: the case has no table for it).
_WHY = {
    "indicator": "indicators and observables are not the kit's subject (who hit whom, and when)",
    "observed-data": "indicators and observables are not the kit's subject (who hit whom, and when)",
    "malware-analysis": "analysis results are not the kit's subject",
    "course-of-action": "defences are not the kit's subject",
    "vulnerability": "no table for vulnerabilities",
    "infrastructure": "no table for infrastructure",
    "grouping": "a grouping says nothing of its own",
    "software": "observables are not the kit's subject",
    "revoked": "revoked or deprecated by its producer",
    "invalid": "breaks the format; each is listed with its reason in the full report",
}


def _reason(kind: str) -> str:
    if kind.startswith("relationship:"):
        return "no kit relation for this relationship type, or an end the kit does not keep"
    if kind.startswith("attribute:"):
        return "a MISP attribute type the kit has no column for"
    if kind.startswith(("object:", "galaxy:")):
        return "a MISP object or galaxy the kit has no mapping for"
    return _WHY.get(kind, "the case has no table for this type")


def read_file(path: str | os.PathLike, *, tlp: str = "amber", date: str | None = None) -> Case:
    """Read a leak-site posts file, STIX bundle or folder, MISP event or export, or MISP galaxy.

    Parameters
    ----------
    path : the file (or folder of STIX objects); its kind is found from its content.
    tlp : marking for data that carries none.
    date : which leak-site date is a claim's date (``discovered`` or ``published``; None: the
        only one the file has, refused when it has both).

    Returns
    -------
    Case whose ``meta['import']`` reports the format, the file, what was read by type, and what
    was not imported with the reason.

    Examples
    --------
    >>> case = read_file(SAMPLES / "stix" / "mitre_cti_lockbit", tlp="clear")
    >>> case.meta["import"]["format"], len(case.events), "Indrik Spider" in set(case.entities["name"])
    ('stix-2.0', 0, True)
    """
    kind = detect(path)
    if kind == "case":
        case = load_case(path)
        read = {table: len(case.table(table)) for table in _TABLES}
        meta = {**case.meta, "import": {"format": "analystkit case", "file": str(path),
                                        "read": {f"{t} row": n for t, n in read.items() if n}}}
        return dataclasses.replace(case, meta=meta)
    if kind != "leaksite":
        return _READERS[kind].read(path, tlp=tlp)
    path = Path(path)
    posts = read_posts(path, date=date)
    relations, sources = as_relations(posts, tlp=tlp, source_id=slug(f"posts-{path.stem}"),
                                      file=path.name)
    read = {"post": int(posts["count"].sum()) if len(posts) else 0}
    announcements = int(posts.loc[posts["announcement"].astype(bool), "count"].sum()) if len(posts) else 0
    report = {"format": "leak-site posts", "file": str(path), "read": read, "skipped": [],
              "unmapped": {}, "not_imported": {
                  "group announcement (names no victim)": announcements,
                  "repeat of a claim (same group, victim and day)": read["post"] - announcements
                  - len(relations)}}
    dates = pd.to_datetime(relations["date"], utc=True) if len(relations) else pd.Series(dtype=object)
    meta = {"title": f"Leak-site claims from {path.name}", "tlp": tlp, "import": report,
            "as_of": (dates.max() if len(dates) else pd.Timestamp.now(tz="UTC")).strftime("%Y-%m-%d")}
    return Case(relations=relations, sources=sources, meta=meta).validated()


def import_into(case: Case | None, path: str | os.PathLike, *, tlp: str = "amber",
                date: str | None = None, update_as_of: bool = False,
                mapping: dict[str, str] | None = None) -> tuple[Case, dict[str, dict[str, int]]]:
    """``path`` read (:func:`read_file`) and merged into ``case`` (a new case when None), with
    the rows added, updated and unchanged per table.

    A galaxy imported into an existing case enriches the case's entities (aliases, empty
    fields) and adds no new ones; the clusters left out are counted in the report.
    """
    if mapping or detect(path) == "facts":  # a column mapping is for a table of facts
        return _facts(case, path, tlp=tlp, mapping=mapping)
    imported = read_file(path, tlp=tlp, date=date)
    if case is None:
        return imported, {t: {"added": len(imported.table(t)), "updated": 0, "unchanged": 0}
                          for t in _TABLES}
    if imported.meta["import"].get("format") == "misp-galaxy":
        imported, _ = galaxy.only_known(imported, case)
    return case.merge(imported, update_as_of=update_as_of)


def _facts(case: Case | None, path: str | os.PathLike, *, tlp: str,
           mapping: dict[str, str] | None) -> tuple[Case, dict[str, dict[str, int]]]:
    """A table of facts added to ``case`` as events (see :mod:`analystkit.io.facts`)."""
    if case is None:
        raise ValueError(f"{Path(path).name}: a table of facts goes into an existing case: start one "
                         "with `analystkit new DIR --title ...` (ak.new_case), then import into it")
    merged, report = facts.facts_into(case, facts.read_facts(path, mapping=mapping), tlp=tlp)
    counts = {t: {"added": n, "updated": 0, "unchanged": report["unchanged"] if t == "events" else 0}
              for t, n in report["added"].items()}
    return dataclasses.replace(merged, meta={**merged.meta, "import": report}), counts


def left_out(report: dict) -> dict[str, tuple[int, str]]:
    """What was not imported: label → (how many, why), most first."""
    out: dict[str, tuple[int, str]] = {k: (n, _reason(k)) for k, n in report.get("unmapped", {}).items()}
    out.update({k: (n, "") for k, n in report.get("not_imported", {}).items() if n})
    dangling = sum(1 for s in report.get("skipped", ()) if str(s.get("reason", "")).endswith(
        "is not in the input (or was skipped)"))
    if dangling:
        out["relationship to an object not in the input"] = (dangling, "")
    if len(report.get("skipped", ())) > dangling:
        out["invalid"] = (len(report["skipped"]) - dangling, _reason("invalid"))
    return dict(sorted(out.items(), key=lambda kv: (-kv[1][0], kv[0])))


def _counted(counts: dict[str, int], limit: int = 8) -> str:
    items = sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{n} {k}" for k, n in items[:limit])
    return text + (f", and {len(items) - limit} more types" if len(items) > limit else "")


def report_lines(report: dict, counts: dict[str, dict[str, int]], *, kept: str) -> list[str]:
    """The import report on one screen: read by type, rows by table, left out with reasons.

    ``kept`` says where the full report is (a file and key).
    """
    read = report.get("read") or {}
    total = sum(read.values())
    lines = [f"read {report.get('format', '?')}: {total} item(s)" + (f" ({_counted(read)})" if read else "")]
    rows = []
    for table in _TABLES:
        c = counts.get(table, {})
        parts = [f"{c[k]} {k}" for k in ("added", "updated", "unchanged") if c.get(k)]
        rows.append(f"{table} {', '.join(parts) if parts else 'none'}")
    lines.append("rows: " + "; ".join(rows))
    gone = left_out(report)
    if gone:
        lines.append(f"not imported: {sum(n for n, _ in gone.values())} item(s):")
        items = list(gone.items())
        lines += [f"  {n} {k}" + (f": {why}" if why else "") for k, (n, why) in items[:10]]
        if len(items) > 10:
            lines.append(f"  and {len(items) - 10} more types")
    known = report.get("known_aliases") or {}
    if known:
        pairs = ", ".join(f"{n} → {c}" for n, c in list(known.items())[:4])
        lines.append(f"names kept as written; the kit's alias table reads {len(known)} of them as "
                     f"another actor ({pairs}{', ...' if len(known) > 4 else ''})")
    if report.get("mapping"):
        lines.append("mapped:")
        lines += [f"  {line}" for line in report["mapping"]]
    lines.append(f"full report: {kept}")
    return lines
