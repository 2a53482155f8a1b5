"""Writing the briefing pack: charts, ``brief.html``, ``brief.pdf`` and CSV tables into a folder.

:func:`brief` prepares the pack at its TLP level (:func:`.data.prepare`), draws the charts
(:mod:`.charts`), numbers the sources of what is shown and writes the HTML page (:mod:`.html`),
the PDF (:mod:`.pdf`) and CSV copies of the tables, each file atomically.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ... import schema
from ... import theme as _theme
from ...case import Case
from ...files import write_atomic
from ...io.leaksites import read_posts
from ...text import clean, csv_cell, defang, safe_url
from ..chart import save
from .charts import draw as draw_chart
from .charts import why_not
from .data import CHARTS, Pack, prepare
from .facts import conflicts, facts_rows, when
from .folder import building, check_folder, write_manifest
from .html import render as render_html
from .pdf import render as render_pdf

__all__ = ["brief", "write_csv"]

def write_csv(path: Path, rows: list[dict[str, object]], columns: Sequence[str]) -> Path:
    """A CSV file whose every text cell is guarded against spreadsheet formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(clean(row.get(c, ""), max_len=2000)) for c in columns])
    return write_atomic(path, buffer.getvalue().encode("utf-8"))


def _read_posts(posts: pd.DataFrame | str | os.PathLike | None, charts: Sequence[str]) -> pd.DataFrame | None:
    if "activity" not in charts or posts is None:
        return None
    if isinstance(posts, pd.DataFrame):
        return posts
    return read_posts(posts)


def brief(case: Case, out_dir: str | os.PathLike, *, tlp: str = "clear",
          posts: pd.DataFrame | str | os.PathLike | None = None, related: Sequence[Case] = (),
          compare: Sequence[Case] | None = None, charts: Sequence[str] = CHARTS,
          theme: str = "briefing", dpi: int = 200, progress: Callable[[str], None] | None = None) -> Path:
    """Write the briefing pack of ``case`` at TLP ``tlp`` into ``out_dir``; return the folder.

    Parameters
    ----------
    case : the incident case.
    out_dir : folder of the pack: new, empty or holding an earlier pack, which is replaced
        whole (nothing of it survives; a failed run leaves it as it was). A folder holding
        other files is refused.
    tlp : the level the pack is shared at. Rows of ``case`` and ``related`` marked above it are
        left out of every chart, table, caption, alt text and file metadata; the pack states how
        many were withheld and carries this marking in its header and footer.
    posts : a leak-site posts table or feed file for the activity chart (none: no activity
        chart, and the pack says why).
    related : other cases whose relations with this case's actors join the graph; when
        ``compare`` is None, those about another incident with a day 0 are also compared.
    compare : exactly the cases of the day-0 comparison (their relations join the graph too);
        two sharing an incident id (this case included) are a ``ValueError`` naming both. Only
        the cases passed are used; ``data.listed_cases`` reads a case.json's lists.
    charts : which of ``timeline``, ``compare``, ``activity``, ``graph`` to draw.
    theme : theme name (see :mod:`analystkit.theme`).
    dpi : resolution of the PNG charts.
    progress : called with a short message before each step (the CLI prints them to stderr).

    Returns
    -------
    Path
        ``out_dir``, holding ``brief.html``, ``brief.pdf``, ``<chart>.png``/``.svg``/``.txt``,
        ``facts.csv``, ``conflicts.csv``, ``durations.csv`` and ``sources.csv``.

    Examples
    --------
    >>> import tempfile
    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> out = brief(case, tempfile.mkdtemp(), tlp="clear", charts=("timeline",))
    >>> sorted(p.name for p in out.iterdir())[:4]
    ['brief.html', 'brief.pdf', 'conflicts.csv', 'durations.csv']
    """
    say = progress or (lambda message: None)
    level = schema.normalise_tlp(tlp)
    if level is None:
        raise ValueError(f"unknown TLP level {tlp!r}; expected one of {', '.join(schema.TLP_LEVELS)}")
    unknown = [c for c in charts if c not in CHARTS]
    if unknown:
        raise ValueError(f"unknown chart {unknown[0]!r}; expected some of {', '.join(CHARTS)}")
    out = Path(out_dir)
    check_folder(out)
    say(f"preparing the case at {_theme.tlp_label(level)}")
    posts_table = _read_posts(posts, charts)
    pack = prepare(case, tlp=tlp, related=related, compare=compare, posts=posts_table)
    try:
        with building(out) as work:
            _write_pack(pack, work, charts=charts, theme=theme, dpi=dpi, say=say)
    finally:
        import matplotlib.pyplot as plt

        for chart in pack.charts:
            plt.close(chart.figure)
    for chart in pack.charts:  # where the files are now that the pack is in place
        chart.files = [out / p.name for p in chart.files]
    return out


def _write_pack(pack: Pack, out: Path, *, charts: Sequence[str], theme: str, dpi: int,
                say: Callable[[str], None]) -> None:
    """Every file of the pack, written into ``out`` (the folder being built), manifest last."""
    with _theme.use(theme), warnings.catch_warnings():
        # A glyph the font lacks (an emoji in a victim's name) is drawn as a box, not an error.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        for key in charts:
            say(f"drawing the {key} chart")
            chart = draw_chart(pack, key)
            if chart is None:
                say(f"  no {key} chart: {why_not(pack, key)}")
                continue
            chart.files = save(chart.figure, out / key, formats=("png", "svg"), size="slide",
                               dpi=dpi, tlp=pack.tlp, title=chart.title, subtitle=chart.subtitle,
                               as_of=pack.as_of, sources=chart.sources, alt=chart.alt)
            pack.charts.append(chart)
        ordered = pack.case.events.sort_values(["start", "event_id"], kind="stable")
        pack.cited([ordered, pack.case.relations])  # number the chronology's sources
        say("writing facts.csv, conflicts.csv, durations.csv, sources.csv")
        _write_tables(pack, out)
        say("writing brief.html")
        write_atomic(out / "brief.html", render_html(pack).encode("utf-8"))
        say("writing brief.pdf")
        write_atomic(out / "brief.pdf", render_pdf(pack))
        write_manifest(out, tlp=_theme.tlp_label(pack.tlp))


def _write_tables(pack: Pack, out: Path) -> None:
    """facts.csv (with each row's grade, and its marking above TLP:CLEAR), conflicts.csv (one
    line per account, grouped by the fact disputed), durations.csv and sources.csv."""
    mark = ["tlp"] if pack.marks_rows else []
    write_csv(out / "facts.csv", facts_rows(pack),
              ["when", "category", "event", "detail", "status", "grade", "grade_note", "sources",
               "incident", *mark])
    accounts = [{**a, "conflict": b["conflict"], "account": f"{i} of {len(b['accounts'])}"}
                for b in conflicts(pack) for i, a in enumerate(b["accounts"], start=1)]
    write_csv(out / "conflicts.csv", accounts,
              ["conflict", "account", "when", "event", "status", "grade", "sources", "notes",
               "incident", *mark])
    durations = [{"incident": r.incident, "measure": r.measure, "days": r.text,
                  "from": when(r.start, "day"), "to": when(r.end, "day"),
                  "bound": "lower: still ongoing at the as-of date" if r.open else ""}
                 for r in pack.durations.itertuples(index=False)]
    write_csv(out / "durations.csv", durations, ["incident", "measure", "days", "from", "to", "bound"])
    sources = [{"n": f"[{r.n}]", "name": r.name, "url": safe_url(r.url) or defang(r.url),
                "published": when(r.published, "day") if pd.notna(r.published) else "",
                "reliability": r.reliability, "tlp": _theme.tlp_label(r.tlp)}
               for r in pack.sources.itertuples(index=False)]
    write_csv(out / "sources.csv", sources, ["n", "name", "url", "published", "reliability", "tlp"])
