"""A spreadsheet of facts in the analyst's own columns, read into a case's events.

Analysts keep incident facts in a spreadsheet whose headers they chose ("Date", "What happened",
"Link", "Confidence"). :func:`read_facts` reads a CSV (UTF-8, UTF-8 with BOM, Windows-1252) or an
Excel workbook (first sheet, through openpyxl) and maps its headers onto event fields by keyword
(:data:`HEADER_WORDS`) or by an explicit ``mapping``; the values of the vocabulary fields are
mapped onto the kit's words by :data:`VALUE_WORDS` (``data leak`` → category ``extortion``,
``daily`` → precision ``day``), and every mapping used is reported so the analyst sees it.

:func:`facts_into` turns the rows into the case's events: ids continue the case's numbering,
sources are made from a name and URL (one per URL), actors and victims become entities and a
``targets`` relation; every problem names the file, row, column and value, and nothing is
written while any remains.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..aliases import canonical_actor, canonical_victim
from ..case import Case
from ..rows import id_prefix, next_id, source_for
from ..schema import CATEGORIES, PRECISIONS, STATUSES, Problem, ValidationError, normalise_tlp, validate
from ..tables import UnreadableFileError, guess_encoding, read_table

__all__ = ["HEADER_WORDS", "VALUE_WORDS", "Facts", "facts_into", "is_facts_header", "read_facts"]

#: Header words read as each event field (compared lower-case, without spaces, '_' or '-').
HEADER_WORDS = {
    "start": ("start", "date", "startdate", "when", "day", "eventdate", "began", "from", "datetime",
              "timestamp", "time"),
    "end": ("end", "enddate", "until", "to", "ended", "finished", "restored"),
    "precision": ("precision", "dateprecision", "accuracy", "granularity"),
    "end_precision": ("endprecision",),
    "ongoing": ("ongoing", "open", "stillongoing"),
    "category": ("category", "type", "eventtype", "kind", "phase", "stage"),
    "title": ("title", "event", "headline", "whathappened", "what", "summary", "fact"),
    "description": ("description", "details", "detail", "text", "narrative"),
    "source_name": ("sourcename", "source", "outlet", "publisher", "publication", "reportedby", "by"),
    "source_url": ("sourceurl", "url", "link", "sourcelink", "reference", "ref"),
    "published": ("published", "publishedon", "sourcedate", "articledate"),
    "status": ("status", "confidence", "verification", "verified", "confirmation"),
    "tlp": ("tlp", "marking", "classification", "sharing"),
    "actor": ("actor", "threatactor", "attacker", "group", "gang", "adversary"),
    "victim": ("victim", "organisation", "organization", "company", "target", "affected"),
    "notes": ("notes", "note", "comment", "comments", "remarks"),
    "credibility": ("credibility", "admiralty"),
    "incident": ("incident", "incidentid", "case"),
}
#: Words read as each value of the vocabulary fields (compared lower-case); the kit's own words
#: are always read as themselves.
VALUE_WORDS = {
    "precision": {"exact": ("time", "timestamp", "exact time", "to the minute"),
                  "day": ("daily", "date", "exact date", "day precise", "d"),
                  "month": ("monthly", "month only", "m"), "year": ("yearly", "year only", "y"),
                  "approximate": ("approx", "approx.", "approximately", "about", "circa", "~",
                                  "estimated", "around")},
    "category": {"intrusion": ("attack", "breach", "compromise", "initial access", "hack", "cyberattack",
                               "cyber attack", "ransomware attack", "infection"),
                 "disruption": ("outage", "downtime", "service disruption", "disrupted", "offline"),
                 "extortion": ("data leak", "leak", "ransom", "ransom demand", "leak site", "leak-site post",
                               "data published", "publication of data", "negotiation", "threat"),
                 "disclosure": ("announcement", "statement", "notification", "press release",
                                "disclosed", "public statement"),
                 "response": ("investigation", "containment", "incident response", "mitigation"),
                 "recovery": ("restored", "restoration", "restore", "back online", "resumed"),
                 "law-enforcement": ("arrest", "takedown", "law enforcement", "sanctions", "indictment",
                                     "seizure", "charges"),
                 "impact": ("cost", "loss", "financial impact", "damages"),
                 "background": ("context", "history")},
    "status": {"confirmed": ("verified", "official", "confirmed by victim", "high", "certain"),
               "reported": ("press", "media", "reported by press", "news", "medium", "likely"),
               "claimed": ("claim", "claimed by group", "alleged", "low", "unverified"),
               "disputed": ("denied", "contested", "refuted", "disputed by victim")},
}
_VOCAB = {"precision": PRECISIONS, "category": CATEGORIES, "status": STATUSES}
_TRUE = {"yes", "y", "true", "1", "x", "ongoing", "open"}


def _fold(text: object) -> str:
    return re.sub(r"[\s_\-./()\"]+", "", str(text).strip().lower())


#: Header words (folded) only a table of facts has: a leak-site export also has description,
#: url, website, status or type columns, never these.
_FACT_ONLY = frozenset({"title", "whathappened", "headline", "event", "category", "eventtype", "source",
                        "sourcename", "sourceurl", "link", "confidence", "details", "precision", "tlp",
                        "fact"})


def is_facts_header(headers: list[str]) -> bool:
    """Whether column names are those of a table of facts rather than of leak-site posts.

    >>> is_facts_header(["Date", "What happened", "Link"]), is_facts_header(["victim", "group", "url"])
    (True, False)
    """
    names = {_fold(h) for h in headers}
    return bool(names & _FACT_ONLY) and not names & {"posttitle", "groupname"}


@dataclass
class Facts:
    """A spreadsheet read: its rows as event fields, and what the reading decided and found."""

    file: str
    rows: pd.DataFrame  # one column per mapped field, text; index = the file's line number
    columns: dict[str, str]  # field -> the file's header
    ignored: list[str]  # headers mapped to nothing
    values: dict[tuple[str, str], tuple[str, int]]  # (field, value as written) -> (kit value, rows)
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)

    def mapping_lines(self) -> list[str]:
        """What was mapped: headers, then values, one line each."""
        lines = [f"column {head!r} -> {name}" for name, head in self.columns.items()]
        lines += [f"column {head!r} -> (not imported)" for head in self.ignored]
        lines += [f"{name} {said!r} -> {kit!r} ({n} row{'s' if n != 1 else ''})"
                  for (name, said), (kit, n) in sorted(self.values.items()) if said != kit]
        return lines


def read_facts(path: str | os.PathLike, *, mapping: dict[str, str] | None = None) -> Facts:
    """Read a CSV or Excel table of facts and map its headers and values onto event fields.

    Parameters
    ----------
    path : a ``.csv`` (UTF-8, with or without BOM, or Windows-1252) or ``.xlsx`` file.
    mapping : ``{header: field}`` pairs that override the keyword mapping (``--map``).

    Returns
    -------
    Facts
        Values outside a vocabulary are listed in ``problems``, each with the file, line,
        column and value (:func:`facts_into` refuses them with the rest).

    Raises
    ------
    ValidationError
        An unknown field or column in ``mapping``, or no column read as the date or the title.

    Examples
    --------
    >>> facts = read_facts(DATA / ".." / "tests" / "data" / "facts_en.csv")
    >>> facts.columns["start"], facts.columns["source_url"], facts.problems
    ('Date', 'Link', [])
    """
    path = Path(path)
    frame, encoding = _table(path)
    columns, ignored, problems = _headers(path.name, list(frame.columns), mapping or {})
    if problems:  # no row can be read without its date and title
        raise ValidationError(problems)
    rows = pd.DataFrame({name: frame[head] for name, head in columns.items()}, index=frame.index)
    values: dict[tuple[str, str], tuple[str, int]] = {}
    for name in _VOCAB:
        if name in rows.columns:
            rows[name] = _vocab(path.name, rows[name], name, columns[name], values, problems)
    if "tlp" in rows.columns:
        rows["tlp"] = _tlps(path.name, rows["tlp"], columns["tlp"], values, problems)
    if "ongoing" in rows.columns:
        rows["ongoing"] = rows["ongoing"].map(lambda v: "true" if _fold(v) in _TRUE else "false")
    return Facts(path.name, rows, columns, ignored, values, encoding, problems)


def _table(path: Path) -> tuple[pd.DataFrame, str]:
    """The file's cells as text, numbered by the row they are on in the file (header = row 1)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        frame = frame.dropna(how="all").map(_cell)
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = frame.index + 2
        return frame, "xlsx"
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        if not (guess_encoding(data) or "").startswith("Windows-1252"):
            raise UnreadableFileError(path, "is neither UTF-8 nor Windows-1252 text: save it as "
                                            "CSV UTF-8") from None
        encoding = "cp1252"  # what Excel saves as "CSV" on Windows
    problems: list[Problem] = []
    frame = read_table(path, encoding=encoding, problems=problems)
    if frame is None:
        raise ValidationError(problems)
    frame.index = frame.index + 2
    return frame, encoding


def _cell(value: object) -> str:
    """An Excel cell as the text a CSV would hold (dates as ISO dates, times kept when set)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep="T")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _headers(file: str, headers: list[str], mapping: dict[str, str]
             ) -> tuple[dict[str, str], list[str], list[Problem]]:
    """``{field: header}`` by ``mapping`` first, then by keyword; the unmapped headers."""
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    known = {h.strip().lower(): h for h in headers}
    for head, name in mapping.items():
        if name not in HEADER_WORDS:
            problems.append(Problem(file, None, head, name, f"is not an event field (the fields: "
                                                            f"{', '.join(HEADER_WORDS)})"))
        elif head.strip().lower() not in known:
            problems.append(Problem(file, None, head, None, f"is not a column of the file (its "
                                                            f"columns: {', '.join(headers)})"))
        else:
            columns[name] = known[head.strip().lower()]
    taken = set(columns.values())
    folded = {_fold(h): h for h in headers if h not in taken}
    for name, words in HEADER_WORDS.items():
        if name in columns:
            continue
        head = next((folded[w] for w in words if w in folded and folded[w] not in taken), None)
        if head is not None:
            columns[name] = head
            taken.add(head)
    for name, what in (("start", "a date"), ("title", "a title")):
        if name not in columns:
            problems.append(Problem(file, None, None, None, f"has no column read as {name} ({what}): "
                                    f"name one with --map COLUMN={name} (its columns: "
                                    f"{', '.join(headers)})"))
    return columns, [h for h in headers if h not in taken], problems


def _vocab(file: str, column: pd.Series, name: str, head: str,
           values: dict, problems: list[Problem]) -> pd.Series:
    words = {w: kit for kit, said in VALUE_WORDS[name].items() for w in said}
    words.update({v: v for v in _VOCAB[name]})

    def one(row: int, value: str) -> str:
        text = str(value).strip()
        if not text:
            return ""
        kit = words.get(text.lower())
        if kit is None:
            problems.append(Problem(file, row - 1, head, text, f"is not a {name} the kit knows (expected "
                                    f"one of {', '.join(_VOCAB[name])}, or a word of VALUE_WORDS)"))
            return text
        got = values.get((name, text), (kit, 0))
        values[(name, text)] = (kit, got[1] + 1)
        return kit

    return pd.Series([one(r, v) for r, v in column.items()], index=column.index, dtype=object)


def _tlps(file: str, column: pd.Series, head: str, values: dict, problems: list[Problem]) -> pd.Series:
    out = []
    for row, value in column.items():
        text = str(value).strip()
        level = normalise_tlp(text) if text else ""
        if level is None:
            problems.append(Problem(file, row - 1, head, text, "is not a TLP 2.0 label (clear, green, "
                                                           "amber, amber+strict, red)"))
            level = text
        elif text:
            got = values.get(("tlp", text), (level, 0))
            values[("tlp", text)] = (level, got[1] + 1)
        out.append(level)
    return pd.Series(out, index=column.index, dtype=object)


_STRENGTH = {"confirmed": 0, "reported": 1, "claimed": 2, "disputed": 3}
_EVENT_FIELDS = ("incident", "start", "end", "ongoing", "precision", "end_precision", "category",
                 "title", "description", "actor", "victim", "status", "tlp", "notes", "credibility")


def facts_into(case: Case, facts: Facts, *, tlp: str | None = None) -> tuple[Case, dict]:
    """``case`` with the rows of ``facts`` as events, their sources, entities and relations.

    A row whose date and title an event of the case already has is left as it is (importing a
    sheet twice adds nothing). ``tlp`` marks rows and new sources that carry no marking (default:
    the case's).

    Returns
    -------
    case, report
        The validated case, and what was added, left unchanged and mapped.

    Raises
    ------
    ValidationError
        With every problem of ``facts`` and of the events made from it, by file, line, column
        (the file's header) and value; the case is not changed.
    """
    problems = list(facts.problems)
    marking = tlp or case.tlp
    sources, events = case.sources, case.events
    prefix = id_prefix(events["event_id"])
    seen = {_same(s, t) for s, t in zip(events["start"], events["title"], strict=True)}
    new_rows, lines, unchanged, names = [], [], 0, {}
    for line, row in facts.rows.iterrows():
        cells = {k: str(v).strip() for k, v in row.items() if str(v).strip()}
        if not cells:
            continue  # a blank line
        if _same(cells.get("start", ""), cells.get("title", "")) in seen:
            unchanged += 1
            continue
        for key, fix in (("actor", canonical_actor), ("victim", canonical_victim)):
            if key in cells:
                names[(key, cells[key])] = cells[key] = fix(cells[key])
        sources, source_id, _ = source_for(sources, cells.get("source_name", ""),
                                           cells.get("source_url", ""), tlp=cells.get("tlp") or marking,
                                           published=cells.get("published", ""))
        event = {k: cells.get(k, "") for k in _EVENT_FIELDS}
        event["incident"] = event["incident"] or case.meta.get("incident", "")
        event["event_id"] = next_id([*events["event_id"], *(r["event_id"] for r in new_rows)], prefix)
        event["sources"] = source_id
        event["ongoing"] = event["ongoing"] or "false"
        new_rows.append(event)
        lines.append(line)
        seen.add(_same(event["start"], event["title"]))
    checked = None
    if new_rows:
        found: list[Problem] = []
        checked = validate("events", pd.DataFrame(new_rows), file=facts.file, default_tlp=marking,
                           source_ids=set(sources["source_id"]), problems=found)
        header = {**facts.columns, "sources": facts.columns.get("source_name", "sources")}
        flagged = {(p.row, p.column) for p in problems}  # a value the mapping refused: said once
        problems += [q for q in (_in_file(p, lines, header) for p in found)
                     if (q.row, q.column) not in flagged]
    if problems:
        raise ValidationError(problems)
    if not new_rows:
        return case, _report(facts, case, case, lines, unchanged, names)
    merged = case.with_tables(events=pd.concat([events, checked], ignore_index=True), sources=sources)
    written = pd.DataFrame(new_rows, columns=[*_EVENT_FIELDS, "event_id", "sources"])
    merged = _with_parties(merged, written, marking).validated()
    return merged, _report(facts, case, merged, lines, unchanged, names)


def _report(facts: Facts, before: Case, after: Case, lines: list[int], unchanged: int,
            names: dict) -> dict:
    added = {t: len(after.table(t)) - len(before.table(t))
             for t in ("events", "sources", "entities", "relations")}
    renamed = [f"{key} {said!r} -> {kit!r}" for (key, said), kit in sorted(names.items()) if said != kit]
    return {"format": "facts table", "file": facts.file, "read": {"row": len(lines) + unchanged},
            "added": added, "unchanged": unchanged, "encoding": facts.encoding,
            "mapping": facts.mapping_lines() + renamed}


def _same(start: object, title: object) -> tuple[str, str]:
    """What makes two events one for a re-import: the day they start and their title."""
    try:  # the UTC day, as the case stores it ("2024-03-01T02:00+05:00" is 29 February)
        day = pd.to_datetime(start, utc=True).strftime("%Y-%m-%d") if str(start).strip() else ""
    except (ValueError, TypeError):
        day = str(start).strip()
    return day, " ".join(str(title).split()).lower()


def _in_file(problem: Problem, lines: list[int], header: dict[str, str]) -> Problem:
    """A problem of the events made from the facts, named by the file's line and header."""
    import dataclasses

    row = None if problem.row is None else lines[problem.row - 1] - 1
    column = header.get(problem.column, problem.column) if problem.column else None
    return dataclasses.replace(problem, row=row, column=column)


def _with_parties(case: Case, events: pd.DataFrame, marking: str) -> Case:
    """The new events' actors and victims (``events``: the rows as written, one source id each) as
    entities when new, and ``targets`` relations."""
    entities, relations = case.entities, case.relations
    have = set(entities["name"])
    new = [{"name": n, "kind": kind} for col, kind in (("actor", "actor"), ("victim", "victim"))
           for n in dict.fromkeys(events[col]) if n and n not in have]
    if new:
        entities = pd.concat([entities, pd.DataFrame(new)], ignore_index=True).fillna("")
    pairs = events[(events["actor"] != "") & (events["victim"] != "")]
    known = set(zip(relations["source"], relations["target"], strict=True))
    rows = []
    for (actor, victim), group in pairs.groupby(["actor", "victim"], sort=False):
        if (actor, victim) in known:
            continue
        first = group.sort_values("start", kind="stable").iloc[0]
        status = min(group["status"], key=lambda s: (_STRENGTH.get(s, 9) if s != "disputed" else 9))
        rows.append({"relation_id": next_id([*relations["relation_id"], *(r["relation_id"] for r in rows)],
                                            id_prefix(relations["relation_id"], "r")),
                     "source": actor, "target": victim, "relation": "targets", "via": "",
                     "date": str(first["start"]), "precision": first.get("precision", ""),
                     "status": status, "incident": first.get("incident", ""), "description": "",
                     "sources": tuple(dict.fromkeys(s for s in group["sources"] if s)),
                     "tlp": marking})
    if rows:
        relations = pd.concat([relations, pd.DataFrame(rows)], ignore_index=True)
    return case.with_tables(entities=entities, relations=relations)
