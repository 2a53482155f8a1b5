"""What a pack says in words: dates, Admiralty grades, the chronology, conflict blocks, key facts.

Every function here reads a :class:`~.data.Pack` (already filtered to its TLP level by
:func:`~.data.prepare`) and returns plain rows or strings that the writers (:mod:`.charts`,
:mod:`.html`, :mod:`.pdf`, :mod:`.write`) lay out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ... import schema
from ... import theme as _theme
from ...display import when
from ...text import clean
from ...timeline import restoration_phrase
from .data import Pack

__all__ = ["conflicts", "facts_rows", "grade", "key_facts", "measure_facts", "timeline_notes", "when"]


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
        if r.measure == "days disrupted" and r.open:
            out.append(("Disrupted", f"{r.text} since {when(r.start, 'day')} (still disrupted at "
                                     "the as-of date)"))
        elif r.measure == "days disrupted":
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


def measure_facts(pack: Pack) -> list[tuple[str, str]]:
    """Label / value lines for the measures other than days disrupted, e.g. ``("Time to full
    restoration", "42 days (to 21 Feb 2023)")``; an incident still disrupted at its as-of date
    reads "Not fully restored as of 7 Mar 2025 (≥ 496 days)"
    (:func:`analystkit.timeline.restoration_phrase`)."""
    out = []
    for r in pack.durations.itertuples(index=False):
        if r.measure == "days disrupted":
            continue
        if r.measure == "time to full restoration" and r.open:
            phrase = restoration_phrase(r._asdict())
            out.append((str(r.measure).capitalize(), phrase[:1].upper() + phrase[1:]))
        else:
            out.append((str(r.measure).capitalize(), f"{r.text} (to {when(r.end, 'day')})"))
    return out
