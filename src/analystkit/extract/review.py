"""The case's candidates table (``candidates.csv``): proposed events waiting for the analyst.

:func:`extract_into` proposes the events of an article (:func:`analystkit.extract.candidates.propose`)
and adds them to the candidates table of a case folder, each with its evidence sentence and
offsets, its date with the rule that resolved it, the statement date kept apart, the trigger
words of its category, its status rule, and the article as its source. A candidate already in the
table (same article, same sentence) is kept as it is, accepted, rejected or not: extracting an
article again adds only what is new. :func:`review` accepts (with edits) or rejects candidates; an
accepted one becomes an event of the case that keeps the evidence quote and the candidate id in
its notes. Nothing reaches the events without a review.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ..case import Case, load_case, render_csv
from ..files import write_folder_atomic
from ..rows import id_prefix, next_id, source_for
from ..schema import Problem, ValidationError, validate
from ..tables import read_table
from .article import Article, read_article
from .candidates import Candidate, propose

__all__ = ["CANDIDATES_FILE", "CANDIDATE_COLUMNS", "candidates_of", "extract_into", "review"]

CANDIDATES_FILE = "candidates.csv"
CANDIDATE_COLUMNS = ["candidate_id", "state", "event_id", "article", "source_name", "source_url", "published",
                     "evidence", "start_offset", "end_offset", "date", "precision", "date_rule", "said_on",
                     "category", "triggers", "status", "status_rule", "actor", "victim", "background",
                     "check"]
_EDITABLE = ("date", "precision", "category", "status", "actor", "victim", "title", "tlp", "end")


def candidates_of(folder: str | os.PathLike) -> pd.DataFrame:
    """The candidates table of a case folder (empty, with its columns, when there is none)."""
    path = Path(folder) / CANDIDATES_FILE
    if not path.exists():
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return read_table(path).reindex(columns=CANDIDATE_COLUMNS, fill_value="")


def extract_into(folder: str | os.PathLike, article: str | os.PathLike | Article, *,
                 published: str | None = None, url: str = "", kind: str = "news") -> tuple[pd.DataFrame, int]:
    """Propose the events of ``article`` into the candidates table of the case in ``folder``.

    ``kind`` says whose words the article is (see :func:`propose`): ``news``, ``statement`` (the
    victim's or an authority's own) or ``blog``. Returns the table and how many candidates are new.
    """
    case = load_case(folder)
    got = article if isinstance(article, Article) else read_article(article, published=published, url=url)
    kinds = case.entities["kind"]
    victims = tuple(n for n in [case.meta.get("victim", ""), *case.entities.loc[kinds == "victim", "name"]]
                    if n)
    actors = tuple(case.entities.loc[kinds == "actor", "name"])
    table = candidates_of(folder)
    where = got.url or got.file
    seen = set(zip(table["article"], table["evidence"], strict=True))
    rows: list[dict] = []
    for c in propose(got.text, published=got.published, title=got.title, kind=kind, actors=actors,
                     victims=victims):
        if (where, c.sentence) not in seen:
            rows.append(_row(c, got, where, next_id([*table["candidate_id"],
                                                     *(r["candidate_id"] for r in rows)], "c")))
    if rows:
        table = pd.concat([table, pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)], ignore_index=True)
    write_folder_atomic(folder, {CANDIDATES_FILE: render_csv(table.astype(str))})
    return table, len(rows)


def _row(c: Candidate, got: Article, where: str, candidate_id: str) -> dict:
    """One candidate as a row of the candidates table."""
    return {"candidate_id": candidate_id, "state": "proposed", "event_id": "", "article": where,
            "source_name": got.title or got.file, "source_url": got.url,
            "published": got.published.isoformat(), "evidence": c.sentence,
            "start_offset": str(c.start), "end_offset": str(c.end), "date": c.date,
            "precision": c.precision, "date_rule": c.date_rule, "said_on": c.said_on,
            "category": "background" if c.background else c.category, "triggers": "; ".join(c.triggers),
            "status": c.status, "status_rule": c.status_rule, "actor": c.actor, "victim": c.victim,
            "background": "true" if c.background else "false", "check": "; ".join(c.notes)}


def review(folder: str | os.PathLike, *, accept: list[str] = (), reject: list[str] = (),
           edits: dict[str, dict[str, str]] | None = None, tlp: str | None = None) -> tuple[Case, list[str]]:
    """Accept (with ``edits`` per candidate id) or reject candidates; accepted ones become events.

    An accepted event is validated like the event form's; a candidate that fails is refused with
    its problems and nothing is written. Returns the saved case and the new event ids.
    """
    folder = Path(folder)
    case = load_case(folder)
    table = candidates_of(folder).set_index("candidate_id", drop=False)
    unknown = [i for i in (*accept, *reject) if i not in table.index]
    if unknown:
        raise ValueError(f"{folder / CANDIDATES_FILE}: no candidate {', '.join(unknown)} (its ids: "
                         f"{', '.join(table.index[:8])}{' ...' if len(table) > 8 else ''})")
    events, sources = case.events, case.sources
    new_ids: list[str] = []
    problems: list[Problem] = []
    prefix = id_prefix(events["event_id"])
    for cid in accept:
        row = {**table.loc[cid].to_dict(), **(edits or {}).get(cid, {})}
        if row["state"] == "accepted":
            continue  # accepted before: its event is in the case already
        sources, source_id, _ = source_for(sources, row["source_name"], row["source_url"],
                                           tlp=tlp or case.tlp, published=row["published"])
        event_id = next_id([*events["event_id"], *new_ids], prefix)
        event = {"event_id": event_id, "incident": case.meta.get("incident", ""), "start": row["date"],
                 "end": row.get("end", ""), "ongoing": False, "precision": row["precision"],
                 "category": row["category"], "title": row.get("title") or _title(row["evidence"]),
                 "description": row["evidence"], "actor": row["actor"], "victim": row["victim"],
                 "status": row["status"], "sources": (source_id,), "tlp": row.get("tlp") or tlp or case.tlp,
                 "notes": f"Evidence ({cid}, {row['date_rule']} date): \u201c{row['evidence']}\u201d"}
        checked = validate("events", pd.DataFrame([event]), file=f"candidate {cid}", default_tlp=case.tlp,
                           source_ids=set(sources["source_id"]), problems=problems)
        events = pd.concat([events, checked], ignore_index=True)
        new_ids.append(event_id)
        table.loc[cid, ["state", "event_id"]] = ["accepted", event_id]
        for key in _EDITABLE:
            if key in (edits or {}).get(cid, {}) and key in table.columns:
                table.loc[cid, key] = edits[cid][key]
    if problems:
        raise ValidationError(problems)
    for cid in reject:
        if table.loc[cid, "state"] != "accepted":
            table.loc[cid, "state"] = "rejected"
    updated = case.with_tables(events=events, sources=sources).validated()
    # the events and the candidates' states in one unit: a failed write never leaves an event
    # whose candidate still reads "proposed" (and would be accepted twice)
    updated.save(folder, also={CANDIDATES_FILE: render_csv(table.reset_index(drop=True).astype(str))})
    return updated, new_ids


_OPENING = re.compile(r"^(?:(?:on|late\s+on|early\s+on|by|in)\s+[^,]{1,30},\s+|"
                      r"(?:today|yesterday|this\s+morning|last\s+week),?\s+)", re.IGNORECASE)
_REPORTING = re.compile(r"^[^\"“]{0,120}?\b(?:said|says|confirmed|announced|reported|told\s+\w+)"
                        r"(?:\s+(?:on|late\s+on)\s+\w+|\s+yesterday|\s+today|\s+in\s+a\s+statement)?"
                        r"\s+that\s+", re.IGNORECASE)


def _title(evidence: str, most: int = 90) -> str:
    """An event title from its evidence sentence: without an opening date ("On Tuesday, ") or a
    reporting clause ("X said on Wednesday that "), cut at a word near ``most``.

    >>> _title("Harbourside Logistics said on Wednesday that a ransomware attack had disrupted deliveries.")
    'A ransomware attack had disrupted deliveries'
    >>> _title("On 3 March, the council took its systems offline.")
    'The council took its systems offline'
    >>> _title("Acme, the carrier, said on Monday that deliveries stopped.")
    'Deliveries stopped'
    """
    text = _REPORTING.sub("", _OPENING.sub("", evidence.strip())).rstrip(".") or evidence.rstrip(".")
    text = text[:1].upper() + text[1:]
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + "…"
