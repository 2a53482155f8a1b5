"""What a briefing pack holds: the case as shared at one TLP level, numbered sources, wording.

:func:`prepare` filters the case (and the cases it is compared with) to the pack's TLP level
*first*, so everything downstream — charts, captions, alt texts, tables, CSV files, HTML, PDF and
their metadata — only ever sees rows that may be shared. The writers (:mod:`.charts`,
:mod:`.html`, :mod:`.pdf`, :mod:`.write`) read only the :class:`Pack` it returns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ... import schema
from ... import theme as _theme
from ...case import Case, load_cases
from ...timeline import durations as measure_durations

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHARTS", "Chart", "Pack", "compared_cases", "listed_cases", "main_events", "pack_level",
           "prepare"]

#: Charts a pack can hold, in the order they appear.
CHARTS = ("timeline", "compare", "activity", "graph")
_FEED_URLS = {"ransomwatch": "https://github.com/joshhighet/ransomwatch",
              "ransomware.live": "https://www.ransomware.live"}


def feed_source(posts: pd.DataFrame) -> dict:
    """The source row of the leak-site posts a pack draws: the feeds they came from, by name.

    >>> feed_source(pd.DataFrame({"feed": ["ransomware.live", "ransomwatch"]}))["name"]
    'leak-site posts (crawler snapshots): ransomware.live, ransomwatch'
    >>> feed_source(pd.DataFrame({"feed": ["ransomwatch"]}))["url"]
    'https://github.com/joshhighet/ransomwatch'
    """
    column = posts["feeds"].explode() if "feeds" in posts else posts.get("feed", pd.Series(dtype=object))
    names = sorted({str(n) for n in column.dropna()}) or ["unnamed feed"]
    urls = {_FEED_URLS.get(n, "") for n in names}
    kind = "crawler snapshot" if len(names) == 1 else "crawler snapshots"
    said = f"leak-site posts ({kind}): {', '.join(names)}"
    if posts.attrs.get("snapshot"):  # read from the feed cache: which download, of when
        said = f"leak-site posts: the {posts.attrs['snapshot']}"
    return {"source_id": "leak-site-posts", "name": said,
            "url": urls.pop() if len(urls) == 1 else "", "reliability": "F"}


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
    related: list[Case]  # every other case the pack draws on: the compared ones and the rest
    tlp: str
    withheld: dict[str, int]  # rows withheld per table, all origins together
    library: pd.DataFrame  # every shareable source of the case and the related cases
    durations: pd.DataFrame
    posts: pd.DataFrame | None = None
    charts: list[Chart] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)
    compared: list[Case] = field(default_factory=list)  # the cases of the day-0 comparison
    #: rows withheld per table by origin: "this case", "compared cases", "related cases"
    withheld_from: dict[str, dict[str, int]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # free text left out or replaced, and why

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
        """What the pack leaves out at its level, and from where.

        Rows withheld only from the case itself are counted as such; when compared or related
        cases lost rows too, each count names its origin ("2 events of this case, 3 events of
        compared cases"). Free text left out or replaced (:attr:`notices`) follows.
        """
        total = sum(self.withheld.values())
        notes = " ".join(self.notices)
        if not total:
            if not notes:
                return f"Nothing in the case is marked above {self.label}; nothing was withheld."
            return f"Produced at {self.label}: no row is marked above {self.label}. {notes}"
        origins = {o: c for o, c in self.withheld_from.items() if sum(c.values())}
        if set(origins) <= {"this case"}:
            said = _counted(self.withheld)
        else:
            said = ", ".join(f"{_counted(c)} of {o}" for o, c in origins.items())
        return (f"Produced at {self.label}: {said} marked above {self.label} "
                f"{'is' if total == 1 else 'are'} withheld from every chart, table and file."
                + (f" {notes}" if notes else ""))


def _counted(counts: dict[str, int]) -> str:
    """'2 events and 1 relation' from ``{"events": 2, "relations": 1}``."""
    one = {"entities": "entity"}
    parts = [f"{n} {k if n != 1 else one.get(k, k.rstrip('s'))}" for k, n in counts.items() if n]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def main_events(case: Case) -> pd.DataFrame:
    """The events of the case's main incident (``case.json`` ``incident``), or all of them."""
    ev = case.events
    name = case.meta.get("incident")
    if name and ev["incident"].eq(name).any():
        return ev[ev["incident"].eq(name)].reset_index(drop=True)
    return ev


_TABLE_COUNTS = ("events", "relations", "sources", "entities")


def _share(case: Case, level: str, withheld: dict[str, int]) -> tuple[Case, dict[str, int]]:
    """The case at ``level`` (entities no shared row names left out); rows withheld are added
    to ``withheld``, and the free text withheld (``title``, ``summary``) is returned."""
    shared, counts = case.at_tlp(level)
    for key in _TABLE_COUNTS:
        withheld[key] = withheld.get(key, 0) + counts.get(key, 0)
    names = set(shared.relations["source"]) | set(shared.relations["target"]) | \
        set(shared.relations["via"]) | set(shared.events["actor"]) | set(shared.events["victim"])
    entities = shared.entities[shared.entities["name"].isin(names - {""})].reset_index(drop=True)
    return shared.with_tables(entities=entities), counts


def compared_cases(case: Case, related: Sequence[Case] = (),
                   compare: Sequence[Case] | None = None) -> list[Case]:
    """The cases of ``case``'s day-0 comparison: ``compare`` as given, or else those of
    ``related`` about another incident with a day 0 (a related case about the case's own
    incident adds to the graph only).

    Every compared case needs an incident id and a day 0, and no two of the cases compared
    (``case`` included) may share an incident id: either is a ``ValueError`` naming the folders.

    >>> from analystkit import load_case
    >>> rm, capita = (load_case(DATA / "cases" / n) for n in ("royal-mail-2023", "capita-2023"))
    >>> compared_cases(rm, compare=[capita, capita])
    Traceback (most recent call last):
    ValueError: .../capita-2023 and .../capita-2023 share the incident id 'capita-2023': ...
    """
    main = str(case.meta.get("incident") or "")
    if compare is None:
        compare = [c for c in related if c.meta.get("incident") and c.meta.get("day0")
                   and str(c.meta["incident"]) != main]
    seen = {main: case} if main else {}
    for other in compare:
        incident = str(other.meta.get("incident") or "")
        if not incident or not other.meta.get("day0"):
            raise ValueError(f"{other.name}: a compared case needs an incident id and a day0 in "
                             f"its case.json (it has incident {incident!r}, day0 "
                             f"{other.meta.get('day0', '')!r}); add them or do not compare it")
        if incident in seen:
            raise ValueError(f"{seen[incident].name} and {other.name} share the incident id "
                             f"{incident!r}: give each incident its own id in case.json, or "
                             "compare only one of them")
        seen[incident] = other
    return list(compare)


def listed_cases(case: Case, key: str, names: Sequence[str] | None = None, *,
                 near: Sequence[str | os.PathLike] = ()) -> list[Case]:
    """The cases ``names`` (folders, shipped case names or incident ids), or when None the
    cases of the ``key`` list of ``case``'s own case.json (``compare`` or ``related``).

    Names are looked for in ``near`` (given names only), beside the case's folder and among
    the shipped cases (:func:`analystkit.case.find_case`). Only listed cases are loaded, so
    a new folder beside the case changes nothing; a name that finds no case, or finds two with
    that incident id, is an error that says where the name came from.

    >>> from analystkit import load_case
    >>> rm = load_case(DATA / "cases" / "royal-mail-2023")
    >>> [c.meta["incident"] for c in listed_cases(rm, "compare")]
    ['capita-2023', 'change-healthcare-2024', 'synnovis-2024']
    >>> [c.folder.name for c in listed_cases(rm, "compare", ["synnovis-2024"])]
    ['synnovis-2024']
    """
    if key not in ("compare", "related"):
        raise KeyError(f"unknown case list {key!r}; expected compare or related")
    beside = [case.folder.resolve().parent] if case.folder else []
    origin = f"{case.folder / 'case.json' if case.folder else 'case.json'} {key} list"
    if names is not None:
        origin, beside = f"the cases to {'compare' if key == 'compare' else 'relate'}", [*near, *beside]
    try:
        return load_cases(names if names is not None else case.meta.get(key, []), near=beside)
    except (FileNotFoundError, ValueError) as exc:
        if isinstance(exc, schema.ValidationError):
            raise
        raise type(exc)(f"{origin}: {exc}") from None


def _notices(shared: Case, texts: dict[str, int], compared: Sequence[Case],
             compared_texts: Sequence[dict[str, int]]) -> list[str]:
    """The sentences that say which free text the pack leaves out or replaces."""
    out = []
    if texts.get("title"):
        instead = f"its incident id, {shared.title}" if shared.meta.get("incident") \
            else f'"{shared.title}"'
        out.append(f"The case title is marked {_theme.tlp_label(shared.marking('title'))} and is "
                   f"replaced by {instead}.")
    if texts.get("summary"):
        out.append(f"The case summary is marked {_theme.tlp_label(shared.marking('summary'))} "
                   "and is left out.")
    for other, counts in zip(compared, compared_texts, strict=True):
        if counts.get("title"):
            out.append(f"The title of the compared case {other.title} is marked "
                       f"{_theme.tlp_label(other.marking('title'))}; the comparison names it by "
                       "its incident id.")
    return out


def pack_level(tlp: str) -> str:
    """The TLP level a pack is shared at, normalised; an unknown label is refused.

    >>> pack_level("TLP:AMBER"), pack_level("amber+strict")
    ('amber', 'amber+strict')
    """
    level = schema.normalise_tlp(tlp)
    if level is None:
        raise ValueError(f"unknown TLP level {tlp!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    return level


def prepare(case: Case, *, tlp: str = "clear", related: Sequence[Case] = (),
            compare: Sequence[Case] | None = None, posts: pd.DataFrame | None = None) -> Pack:
    """Filter ``case`` and the other cases to TLP ``tlp`` and number the sources they cite.

    ``compare`` are the cases of the day-0 comparison (None: chosen from ``related`` by
    :func:`compared_cases`); ``related`` and ``compare`` together are the cases whose relations
    with this case's actors join the graph. Only the cases passed are used.

    >>> from analystkit import load_case
    >>> pack = prepare(load_case(DATA / "cases" / "royal-mail-2023"), tlp="clear")
    >>> pack.withheld["events"], pack.label, list(pack.cited([pack.case.events.head(1)]))
    (3, 'TLP:CLEAR', [1])
    """
    level = pack_level(tlp)
    chosen = compared_cases(case, related, compare)
    rest = [c for c in related if not any(c is k for k in chosen)]
    origins: dict[str, dict[str, int]] = {o: dict.fromkeys(_TABLE_COUNTS, 0) for o in
                                          ("this case", "compared cases", "related cases")}
    shared, texts = _share(case, level, origins["this case"])
    compared, compared_texts = zip(*[_share(c, level, origins["compared cases"]) for c in chosen],
                                   strict=True) if chosen else ((), ())
    by_id = {id(c): s for c, s in zip(chosen, compared, strict=True)}
    by_id.update({id(c): _share(c, level, origins["related cases"])[0] for c in rest})
    everyone = [*related, *(c for c in chosen if not any(c is r for r in related))]
    others = [by_id[id(c)] for c in everyone]  # in the order given: the graph is drawn in it
    withheld = {k: sum(o[k] for o in origins.values()) for k in _TABLE_COUNTS}
    library = pd.concat([shared.sources, *(c.sources for c in others)], ignore_index=True)
    library = library.drop_duplicates("source_id").reset_index(drop=True)
    if posts is not None and len(posts):
        library = pd.concat([library, pd.DataFrame([{**feed_source(posts), "tlp": "clear"}])],
                            ignore_index=True)
    durations = _durations(shared)
    return Pack(case=shared, related=others, tlp=level, withheld=withheld, library=library,
                durations=durations, posts=posts, compared=list(compared), withheld_from=origins,
                notices=_notices(shared, texts, compared, compared_texts))


def _durations(case: Case) -> pd.DataFrame:
    """The durations of the case's main incident at its own as-of date (``open`` rows are lower
    bounds: a disruption still ongoing at that date)."""
    events = main_events(case)
    if events.empty:
        return measure_durations(events)
    try:
        return measure_durations(events, day0=case.meta.get("day0") or None, as_of=case.meta.get("as_of"))
    except ValueError:
        return measure_durations(events.iloc[0:0])
