"""The briefing pack: a case, shared at one TLP level, turned into a folder an analyst can send.

:func:`brief` filters the case (and the cases it is compared with) to the pack's TLP level
*first*, so everything downstream — charts, captions, alt texts, tables, CSV files, HTML, PDF and
their metadata — only ever sees rows that may be shared. It then draws the charts, numbers the
sources of what is shown and writes ``brief.html`` (:mod:`analystkit._pack_html`), ``brief.pdf``
(:mod:`analystkit._pack_pdf`) and CSV copies of the tables.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import schema
from . import theme as _theme
from .text import clean, csv_cell, defang, safe_url

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .case import Case

__all__ = ["CHARTS", "Chart", "Pack", "brief", "prepare"]

#: Charts a pack can hold, in the order they appear.
CHARTS = ("timeline", "compare", "activity", "graph")
_SAMPLE_POSTS = Path(__file__).resolve().parents[2] / "data" / "leaksites" / \
    "ransomwatch_posts_2023-08-19.json"
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


def _main_events(case: Case) -> pd.DataFrame:
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
    from .timeline import durations

    events = _main_events(case)
    if events.empty:
        return durations(events)
    try:
        return durations(events, day0=case.meta.get("day0") or None, as_of=case.meta.get("as_of"))
    except ValueError:
        return durations(events.iloc[0:0])


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


def facts_rows(pack: Pack) -> list[dict[str, str]]:
    """The chronology of the pack: one display row per event, oldest first."""
    ev = pack.case.events.sort_values(["start", "event_id"], kind="stable")
    rows = []
    for r in ev.itertuples(index=False):
        rows.append({
            "when": when(r.start, r.precision, r.end, r.end_precision, bool(r.ongoing)),
            "category": r.category, "event": clean(r.title, max_len=300),
            "detail": clean(r.description, max_len=600), "status": r.status,
            "sources": ", ".join(f"[{n}]" for n in pack.numbers(r.sources)),
            "incident": r.incident})
    return rows


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


def write_csv(path: Path, rows: list[dict[str, object]], columns: Sequence[str]) -> Path:
    """A CSV file whose every text cell is guarded against spreadsheet formula injection."""
    from .export import write_atomic

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(clean(row.get(c, ""), max_len=2000)) for c in columns])
    return write_atomic(path, buffer.getvalue().encode("utf-8"))


def _read_posts(posts: pd.DataFrame | str | os.PathLike | None, charts: Sequence[str]) -> pd.DataFrame | None:
    if "activity" not in charts:
        return None
    if posts is None:
        if not _SAMPLE_POSTS.exists():
            return None
        posts = _SAMPLE_POSTS
    if isinstance(posts, pd.DataFrame):
        return posts
    from .io.leaksites import read_posts

    return read_posts(posts)


def brief(case: Case, out_dir: str | os.PathLike, *, tlp: str = "clear",
          posts: pd.DataFrame | str | os.PathLike | None = None, related: Sequence[Case] = (),
          charts: Sequence[str] = CHARTS, theme: str = "briefing", dpi: int = 200,
          progress: Callable[[str], None] | None = None) -> Path:
    """Write the briefing pack of ``case`` at TLP ``tlp`` into ``out_dir``; return the folder.

    Parameters
    ----------
    case : the incident case.
    out_dir : folder to write (created if needed; files of an earlier pack are replaced).
    tlp : the level the pack is shared at. Rows of ``case`` and ``related`` marked above it are
        left out of every chart, table, caption, alt text and file metadata; the pack states how
        many were withheld and carries this marking in its header and footer.
    posts : a leak-site posts table or feed file for the activity chart; by default the bundled
        ransomwatch sample when it is present.
    related : other cases: those about another incident with a day 0 join the day-0 comparison,
        and their relations that involve this case's actors join the actor → victim graph.
    charts : which of ``timeline``, ``compare``, ``activity``, ``graph`` to draw.
    theme : theme name (see :mod:`analystkit.theme`).
    dpi : resolution of the PNG charts.
    progress : called with a short message before each step (the CLI prints them to stderr).

    Returns
    -------
    Path
        ``out_dir``, holding ``brief.html``, ``brief.pdf``, ``<chart>.png``/``.svg``/``.txt``,
        ``facts.csv``, ``durations.csv`` and ``sources.csv``.

    Examples
    --------
    >>> import tempfile
    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> out = brief(case, tempfile.mkdtemp(), tlp="clear", charts=("timeline",))
    >>> sorted(p.name for p in out.iterdir())[:4]
    ['brief.html', 'brief.pdf', 'durations.csv', 'facts.csv']
    """
    from . import _pack_charts, _pack_html, _pack_pdf
    from .export import save, write_atomic

    say = progress or (lambda message: None)
    level = schema.normalise_tlp(tlp)
    if level is None:
        raise ValueError(f"unknown TLP level {tlp!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    unknown = [c for c in charts if c not in CHARTS]
    if unknown:
        raise ValueError(f"unknown chart {unknown[0]!r}; expected some of {', '.join(CHARTS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say(f"preparing the case at {_theme.tlp_label(level)}")
    posts_table = _read_posts(posts, charts)
    pack = prepare(case, tlp=tlp, related=related, posts=posts_table)
    try:
        with _theme.use(theme), warnings.catch_warnings():
            # A glyph the font lacks (an emoji in a victim's name) is drawn as a box, not an error.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
            for key in charts:
                say(f"drawing the {key} chart")
                chart = _pack_charts.draw(pack, key)
                if chart is None:
                    say(f"  no {key} chart: nothing to draw at {pack.label}")
                    continue
                chart.files = save(chart.figure, out / key, formats=("png", "svg"), size="slide",
                                   dpi=dpi, tlp=pack.tlp, title=chart.title, subtitle=chart.subtitle,
                                   as_of=pack.as_of, sources=chart.sources, alt=chart.alt)
                pack.charts.append(chart)
            ordered = pack.case.events.sort_values(["start", "event_id"], kind="stable")
            pack.cited([ordered, pack.case.relations])  # number the chronology's sources
            say("writing facts.csv, durations.csv, sources.csv")
            _write_tables(pack, out)
            say("writing brief.html")
            write_atomic(out / "brief.html", _pack_html.render(pack).encode("utf-8"))
            say("writing brief.pdf")
            write_atomic(out / "brief.pdf", _pack_pdf.render(pack))
    finally:
        import matplotlib.pyplot as plt

        for chart in pack.charts:
            plt.close(chart.figure)
    return out


def _write_tables(pack: Pack, out: Path) -> None:
    write_csv(out / "facts.csv", facts_rows(pack),
              ["when", "category", "event", "detail", "status", "sources", "incident"])
    durations = [{"incident": r.incident, "measure": r.measure, "days": r.text,
                  "from": when(r.start, "day"), "to": when(r.end, "day")}
                 for r in pack.durations.itertuples(index=False)]
    write_csv(out / "durations.csv", durations, ["incident", "measure", "days", "from", "to"])
    sources = [{"n": f"[{r.n}]", "name": r.name, "url": safe_url(r.url) or defang(r.url),
                "published": when(r.published, "day") if pd.notna(r.published) else "",
                "reliability": r.reliability, "tlp": _theme.tlp_label(r.tlp)}
               for r in pack.sources.itertuples(index=False)]
    write_csv(out / "sources.csv", sources, ["n", "name", "url", "published", "reliability", "tlp"])
