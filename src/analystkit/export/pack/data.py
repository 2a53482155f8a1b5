"""What a briefing pack holds: the case as shared at one TLP level, numbered sources, wording.

:func:`prepare` filters the case (and the cases it is compared with) to the pack's TLP level
*first*, so everything downstream — charts, captions, alt texts, tables, CSV files, HTML, PDF and
their metadata — only ever sees rows that may be shared. The writers (:mod:`.charts`,
:mod:`.html`, :mod:`.pdf`, :mod:`.write`) read only the :class:`Pack` it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ... import schema
from ... import theme as _theme
from ...case import Case
from ...text import clean
from ...timeline import durations as measure_durations

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHARTS", "Chart", "Pack", "conflicts", "facts_rows", "grade", "key_facts", "main_events",
           "prepare", "timeline_notes", "when"]

#: Charts a pack can hold, in the order they appear.
CHARTS = ("timeline", "compare", "activity", "graph")
_FEED_SOURCE = {"source_id": "leak-site-posts", "name": "ransomwatch leak-site posts (crawler snapshot)",
                "url": "https://github.com/joshhighet/ransomwatch", "reliability": "F"}


@dataclass
class Chart:
    """One chart of the pack: its figure, texts and the files written for it."""

    key: str
    title: str
    subtitle: str
    alt: str
    sources: dict[int, str]
    figure: Figure
    files: list[Path] = field(default_factory=list)


@dataclass
class Pack:
    """The case as shared at one TLP level, with everything the writers need.

    Sources are numbered in the order the pack first cites them (charts first, then the
    chronology); :attr:`sources` lists only the sources cited, by number.
    """

    case: Case
    related: list[Case]
    tlp: str
    withheld: dict[str, int]
    library: pd.DataFrame  # every shareable source of the case and the related cases
    durations: pd.DataFrame
    posts: pd.DataFrame | None = None
    charts: list[Chart] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _theme.tlp_label(self.tlp)

    @property
    def marks_rows(self) -> bool:
        """True above TLP:CLEAR: every row then shows its own marking, so AMBER rows stand out."""
        return self.tlp != "clear"

    @property
    def as_of(self) -> str:
        return str(self.case.meta.get("as_of", ""))

    @property
    def sources(self) -> pd.DataFrame:
        """The pack's numbered source list (column ``n``), in number order."""
        table = self.library[self.library["source_id"].isin(self.order)].copy()
        table.insert(0, "n", table["source_id"].map(self.order).astype(int))
        return table.sort_values("n").reset_index(drop=True)

    def numbers(self, ids: Sequence[str]) -> list[int]:
        """Pack numbers of the given source ids, numbering those not cited before."""
        known = set(self.library["source_id"])
        for sid in ids:
            if sid in known and sid not in self.order:
                self.order[sid] = len(self.order) + 1
        return sorted({self.order[i] for i in ids if i in self.order})

    def cited(self, frames: Sequence[pd.DataFrame]) -> dict[int, str]:
        """``{number: name}`` of the sources cited by the rows of ``frames``."""
        ids = [sid for f in frames for ids in f.get("sources", []) for sid in ids]
        numbers = self.numbers(ids)
        names = dict(zip(self.library["source_id"], self.library["name"], strict=True))
        by_number = {n: sid for sid, n in self.order.items()}
        return {n: names[by_number[n]] for n in numbers}

    def withheld_text(self) -> str:
        total = sum(self.withheld.values())
        if not total:
            return f"Nothing in the case is marked above {self.label}; nothing was withheld."
        one = {"entities": "entity"}
        parts = [f"{n} {k if n != 1 else one.get(k, k.rstrip('s'))}" for k, n in self.withheld.items() if n]
        return (f"Produced at {self.label}: {', '.join(parts)} marked above {self.label} "
                f"{'is' if total == 1 else 'are'} withheld from every chart, table and file.")


def main_events(case: Case) -> pd.DataFrame:
    """The events of the case's main incident (``case.json`` ``incident``), or all of them."""
    ev = case.events
    name = case.meta.get("incident")
    if name and ev["incident"].eq(name).any():
        return ev[ev["incident"].eq(name)].reset_index(drop=True)
    return ev


def _share(case: Case, level: str, withheld: dict[str, int]) -> Case:
    shared, counts = case.at_tlp(level)
    for key, n in counts.items():
        withheld[key] = withheld.get(key, 0) + n
    names = set(shared.relations["source"]) | set(shared.relations["target"]) | \
        set(shared.relations["via"]) | set(shared.events["actor"]) | set(shared.events["victim"])
    entities = shared.entities[shared.entities["name"].isin(names - {""})].reset_index(drop=True)
    return shared.with_tables(entities=entities)


def prepare(case: Case, *, tlp: str = "clear", related: Sequence[Case] = (),
            posts: pd.DataFrame | None = None) -> Pack:
    """Filter ``case`` and ``related`` cases to TLP ``tlp`` and number the sources they cite.

    >>> from analystkit import load_case
    >>> pack = prepare(load_case(DATA / "cases" / "royal-mail-2023"), tlp="clear")
    >>> pack.withheld["events"], pack.label, list(pack.cited([pack.case.events.head(1)]))
    (3, 'TLP:CLEAR', [1])
    """
    level = schema.normalise_tlp(tlp)
    if level is None:
        raise ValueError(f"unknown TLP level {tlp!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    withheld = {"events": 0, "relations": 0, "sources": 0}
    shared = _share(case, level, withheld)
    others = [_share(c, level, withheld) for c in related]
    library = pd.concat([shared.sources, *(c.sources for c in others)], ignore_index=True)
    library = library.drop_duplicates("source_id").reset_index(drop=True)
    if posts is not None and len(posts):
        library = pd.concat([library, pd.DataFrame([{**_FEED_SOURCE, "tlp": "clear"}])],
                            ignore_index=True)
    durations = _durations(shared)
    return Pack(case=shared, related=others, tlp=level, withheld=withheld, library=library,
                durations=durations, posts=posts)


def _durations(case: Case) -> pd.DataFrame:
    events = main_events(case)
    if events.empty:
        return measure_durations(events)
    try:
        return measure_durations(events, day0=case.meta.get("day0") or None, as_of=case.meta.get("as_of"))
    except ValueError:
        return measure_durations(events.iloc[0:0])


def when(start: object, precision: str, end: object = None, end_precision: str = "",
         ongoing: bool = False) -> str:
    """A date or period as a briefing writes it: ``10 Jan 2023``, ``Jan 2023``, ``c. 10 Jan 2023``.

    >>> when(pd.Timestamp("2023-01-10", tz="UTC"), "day", pd.Timestamp("2023-02-21", tz="UTC"), "day")
    '10 Jan 2023 – 21 Feb 2023'
    >>> when(pd.Timestamp("2023-01-12 13:44", tz="UTC"), "exact")
    '12 Jan 2023 13:44 UTC'
    """
    def one(t: object, p: str) -> str:
        if t is None or pd.isna(t):
            return ""
        t = pd.Timestamp(t)
        form = {"exact": "%d %b %Y %H:%M UTC", "month": "%b %Y", "year": "%Y"}.get(p, "%d %b %Y")
        text = t.strftime(form)
        return f"c. {text}" if p == "approximate" else text

    first = one(start, precision)
    if ongoing:
        return f"{first} – ongoing"
    last = one(end, end_precision or precision)
    return f"{first} – {last}" if last else first


def grade(reliabilities: Sequence[str], credibility: str) -> str:
    """The Admiralty grade of a fact: its sources' best reliability, then its credibility.

    The letter is the most reliable of the cited sources' letters (A before B ... before F):
    corroboration by any one source of that standing is what the letter vouches for. ``?`` stands
    for the letter when no cited source has a reliability (not assessed, which is not F, "cannot
    be judged"). An ungraded fact (no credibility) has no grade.

    >>> grade(["C", "B", ""], "2"), grade(["", ""], "3"), grade(["A"], "")
    ('B2', '?3', '')
    """
    if not credibility:
        return ""
    letters = sorted(r for r in reliabilities if r in schema.RELIABILITY)
    return f"{letters[0] if letters else '?'}{credibility}"


def _fact_row(pack: Pack, r, reliability: dict[str, str]) -> dict[str, str]:
    cred = str(getattr(r, "credibility", "") or "")
    graded = grade([reliability.get(sid, "") for sid in r.sources if sid in reliability], cred)
    return {
        "when": when(r.start, r.precision, r.end, r.end_precision, bool(r.ongoing)),
        "category": r.category, "event": clean(r.title, max_len=300),
        "detail": clean(r.description, max_len=600), "status": r.status, "grade": graded,
        "credibility": schema.CREDIBILITY_MEANING.get(cred, ""),
        "grade_note": clean(r.notes, max_len=600) if graded else "",
        "sources": ", ".join(f"[{n}]" for n in pack.numbers(r.sources)),
        "incident": r.incident, "tlp": _theme.tlp_label(r.tlp), "notes": clean(r.notes, max_len=600)}


def facts_rows(pack: Pack) -> list[dict[str, str]]:
    """The chronology of the pack: one display row per event, oldest first.

    Each row holds its ``tlp`` label (shown by the writers above TLP:CLEAR), its Admiralty
    ``grade`` (see :func:`grade`; only the pack's shareable sources count) with the meaning of
    its credibility, and, for a graded row, its notes as ``grade_note``: where a "possibly true"
    fact says what is unverified.
    """
    ev = pack.case.events.sort_values(["start", "event_id"], kind="stable")
    reliability = dict(zip(pack.library["source_id"], pack.library["reliability"], strict=True))
    return [_fact_row(pack, r, reliability) for r in ev.itertuples(index=False)]


def conflicts(pack: Pack) -> list[dict]:
    """Where sources disagree: one block per ``conflict`` slug, each account side by side.

    Every event of the pack that carries a slug is in exactly one block, as a chronology row
    (title, date, status, grade, sources, marking, notes); blocks come in the order of their
    first account, accounts oldest first. Nothing is resolved: the pack does not pick a side. A
    slug on a single row is a block of one account whose rival view is given in its notes.
    """
    rows = facts_rows(pack)
    ev = pack.case.events.sort_values(["start", "event_id"], kind="stable")
    blocks: dict[str, dict] = {}
    for row, slug in zip(rows, ev["conflict"], strict=True):
        slug = str(slug or "").strip()
        if slug:
            block = blocks.setdefault(slug, {"conflict": slug, "accounts": []})
            block["accounts"].append(row)
    return list(blocks.values())


def timeline_notes(events: pd.DataFrame) -> list[str]:
    """Alt-text sentences on what the timeline marks besides status: disputed facts and grades.

    >>> ev = pd.DataFrame({"conflict": ["a", "a", ""], "credibility": ["3", "", "4"]})
    >>> timeline_notes(ev)  # doctest: +NORMALIZE_WHITESPACE
    ['2 events are accounts sources disagree on, marked ≠ (see "Where sources disagree").',
     '2 of 3 events graded for credibility (Admiralty): 1 possibly true, 1 doubtful.']
    """
    lines = []
    n = int(schema.in_conflict(events).sum())
    if n:
        lines.append(f"{n} event{'s are accounts' if n != 1 else ' is an account'} sources disagree "
                     'on, marked ≠ (see "Where sources disagree").')
    cred = events["credibility"] if "credibility" in events else pd.Series([], dtype=object)
    graded = cred[cred.astype(str).isin(schema.CREDIBILITY)].astype(str)
    if len(graded):
        counts = graded.value_counts()
        parts = ", ".join(f"{counts[k]} {schema.CREDIBILITY_MEANING[k]}" for k in schema.CREDIBILITY
                          if k in counts)
        lines.append(f"{len(graded)} of {len(events)} events graded for credibility (Admiralty): "
                     f"{parts}.")
    return lines


def key_facts(pack: Pack) -> list[tuple[str, str]]:
    """Label / value lines for the "at a glance" box."""
    case, out = pack.case, []
    day0 = case.meta.get("day0")
    if day0:
        out.append(("Day 0", when(pd.Timestamp(day0), "day")))
    for r in pack.durations.itertuples(index=False):
        if r.measure == "days disrupted":
            out.append(("Disrupted", f"{r.text} ({when(r.start, 'day', r.end, 'day')})"))
    ev = case.events
    if len(ev):
        status = ev["status"].value_counts()
        counts = ", ".join(f"{status[s]} {s}" for s in schema.STATUSES if s in status)
        out.append(("Events", f"{len(ev)} ({counts})"))
    actors = sorted({a for a in ev["actor"] if a} | set(case.entities.loc[
        case.entities["kind"].eq("actor"), "name"]))
    if actors:
        out.append(("Actors", ", ".join(actors)))
    out.append(("Sources", str(len(pack.sources))))
    return out
