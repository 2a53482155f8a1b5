"""``brief.pdf``: the pack as A4 landscape pages — cover, charts, disagreements, chronology, sources.

Pages are matplotlib figures written with ``PdfPages`` and fixed metadata (no creation date), so
the same pack gives the same bytes. Every page carries the TLP banner top right and in the
footer, the as-of date and "page n of N". Text is wrapped by measuring it in the kit's font, and
every string passes through :func:`analystkit.text.label` (no mathtext, defanged, cleaned).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import theme as _theme
from ...text import clean, defang, label, safe_url, shown, source_name
from ...theme import SIZES
from ..chart import RC, Furniture, furnished, wrap
from .data import Pack
from .facts import conflicts, facts_rows, key_facts, measure_facts, when

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["render"]

_W, _H = SIZES["a4-landscape"]
_LEFT, _TOP, _BOTTOM = 0.55, 1.0, 0.75  # inches: text area of a text page
_PT = 8.0
_LINE = _PT * 1.38 / 72


@dataclass(frozen=True)
class Table:
    """A table to paginate: column headers, widths in inches, and rows of cell text."""

    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    bold_first: bool = False
    plain: tuple[int, ...] = ()  # columns already made safe (links, source names): not defanged again
    short: tuple[int, ...] = ()  # columns kept to two lines (addresses)
    groups: tuple[int, ...] = ()  # rows with one group number are kept on one page when they fit


def _cells(table: Table) -> list[list[list[str]]]:
    out = []
    for row in table.rows:
        cells = []
        for col, (text, width) in enumerate(zip(row, table.widths, strict=True)):
            cell = shown(text, max_len=700, defang_hosts=col not in table.plain)
            cells.append(wrap(cell, (width - 0.12) * 72, _PT, bold=table.bold_first and col == 0,
                              max_lines=2 if col in table.short else 8))
        out.append(cells)
    return out


def _paginate(table: Table) -> list[list[list[list[str]]]]:
    room = _H - _TOP - _BOTTOM - 0.45 - 2 * _LINE  # minus heading and header row
    cells = _cells(table)
    heights = [max(len(c) for c in row) * _LINE + 0.06 for row in cells]
    groups = table.groups or tuple(range(len(cells)))
    size: dict[int, float] = {}
    for h, g in zip(heights, groups, strict=True):
        size[g] = size.get(g, 0.0) + h
    pages, page, used = [], [], 0.0
    for i, row in enumerate(cells):
        block = size[groups[i]] if i == 0 or groups[i] != groups[i - 1] else heights[i]
        if page and used + (block if block <= room else heights[i]) > room:
            pages.append(page)
            page, used = [], 0.0
        page.append(row)
        used += heights[i]
    pages.append(page)
    return pages


def _blank() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(_W, _H))


def _text(fig: Figure, x: float, y: float, s: str, **kw) -> None:
    """Place text at ``(x, y)`` inches from the top left corner."""
    fig.text(x / _W, 1 - y / _H, label(s, max_len=None, defang_hosts=False), va="top", ha="left",
             **kw)


def _draw_table(fig: Figure, table: Table, rows: list, heading: str) -> None:
    from matplotlib.lines import Line2D

    t = _theme.current()
    y = _TOP
    _text(fig, _LEFT, y, heading, fontsize=12, fontweight="bold", color=t.foreground)
    y += 0.42
    x = _LEFT
    for head, width in zip(table.headers, table.widths, strict=True):
        _text(fig, x, y, head, fontsize=_PT, fontweight="bold", color=t.foreground)
        x += width
    y += _LINE + 0.04
    right = _LEFT + sum(table.widths)
    fig.add_artist(Line2D([_LEFT / _W, right / _W], [1 - y / _H] * 2, color=t.foreground, lw=0.8))
    y += 0.04
    for cells in rows:
        x = _LEFT
        for col, lines in enumerate(cells):
            weight = "bold" if table.bold_first and col == 0 else "normal"
            for i, line in enumerate(lines):
                _text(fig, x, y + i * _LINE, line, fontsize=_PT, fontweight=weight, color=t.foreground)
            x += table.widths[col]
        y += max(len(c) for c in cells) * _LINE + 0.06
        fig.add_artist(Line2D([_LEFT / _W, right / _W], [1 - (y - 0.03) / _H] * 2, color=t.grid, lw=0.5))


def _cover(pack: Pack) -> Figure:
    t = _theme.current()
    fig = _blank()
    y = _TOP + 0.2
    for line in wrap(clean(pack.case.title, max_len=200), (_W - 2 * _LEFT) * 72, 20, bold=True,
                     max_lines=2):
        _text(fig, _LEFT, y, line, fontsize=20, fontweight="bold", color=t.foreground)
        y += 0.36
    _text(fig, _LEFT, y, f"Briefing pack · {pack.label} · as of {pack.as_of}", fontsize=11,
          color=t.muted)
    y += 0.45
    left_w = 6.3
    summary = shown(pack.case.meta.get("summary", ""), max_len=2500)
    for line in wrap(summary, left_w * 72, 9.5, max_lines=24):
        _text(fig, _LEFT, y, line, fontsize=9.5, color=t.foreground)
        y += 9.5 * 1.45 / 72
    y += 0.2
    for line in wrap(pack.withheld_text(), left_w * 72, 9, max_lines=8):  # with its notices
        _text(fig, _LEFT, y, line, fontsize=9, color=t.foreground, fontstyle="italic")
        y += 9 * 1.45 / 72
    x, y = _LEFT + left_w + 0.45, _TOP + 1.05
    _text(fig, x, y, "Key facts", fontsize=12, fontweight="bold", color=t.foreground)
    y += 0.35
    width = _W - x - _LEFT
    facts = key_facts(pack) + measure_facts(pack)
    for key, value in facts:
        _text(fig, x, y, key, fontsize=8.5, fontweight="bold", color=t.foreground)
        y += 8.5 * 1.4 / 72
        for line in wrap(shown(value, max_len=400), width * 72, 8.5, max_lines=4):
            _text(fig, x, y, line, fontsize=8.5, color=t.foreground)
            y += 8.5 * 1.4 / 72
        y += 0.08
    disputed = ["where sources disagree"] if conflicts(pack) else []
    contents = ["Contents: " + ", ".join([*(c.title for c in pack.charts), *disputed, "chronology",
                                          "sources"])]
    y = max(y, _H - _BOTTOM - 0.6)
    for line in wrap(shown(contents[0], max_len=600), (_W - 2 * _LEFT) * 72, 8, max_lines=3):
        _text(fig, _LEFT, y, line, fontsize=8, color=t.muted)
        y += 8 * 1.4 / 72
    return fig


def _marked(pack: Pack, graded: bool, headers: tuple, widths: tuple, wide: int) -> tuple:
    """Headers and widths with the Grade column (when graded) before the last column and the TLP
    column (above TLP:CLEAR) at the end, the room they take coming out of column ``wide``."""
    widths = list(widths)
    if graded:
        headers, widths = (*headers[:-1], "Grade", headers[-1]), [*widths[:-1], 0.55, widths[-1]]
        widths[wide] -= 0.55
    if pack.marks_rows:
        headers, widths = (*headers, "TLP"), [*widths, 1.1]
        widths[wide] -= 1.1
    return headers, tuple(widths)


def _cells_of(pack: Pack, r: dict, graded: bool) -> tuple[str, ...]:
    return (r["status"], *((r["grade"],) if graded else ()), r["sources"],
            *((r["tlp"],) if pack.marks_rows else ()))


def _tables(pack: Pack) -> list[Table]:
    tables = []
    blocks = conflicts(pack)
    if blocks:
        graded = any(a["grade"] for b in blocks for a in b["accounts"])
        rows, groups = [], []
        for k, b in enumerate(blocks):
            n = len(b["accounts"])
            name = f"{b['conflict']} ({n} account{'s' if n > 1 else ''})"
            for i, a in enumerate(b["accounts"]):
                text = a["event"] + (f" — {a['notes']}" if a["notes"] else "")
                rows.append((name if i == 0 else "", a["when"], text, *_cells_of(pack, a, graded)))
                groups.append(k)
        headers, widths = _marked(pack, graded, ("Fact", "When", "Account", "Status", "Sources"),
                                  (1.7, 1.6, 5.3, 0.8, 1.1), 2)
        tables.append(Table("Where sources disagree (each account kept; none chosen)", headers,
                            widths, tuple(rows), bold_first=True, groups=tuple(groups)))
    facts = facts_rows(pack)
    graded = any(r["grade"] for r in facts)
    rows = []
    for r in facts:
        event = r["event"] + (f" — graded {r['grade']}, {r['credibility']}: {r['grade_note']}"
                              if r["grade_note"] else f" — graded {r['grade']}, {r['credibility']}"
                              if r["grade"] else "")
        rows.append((r["when"], r["category"], event, *_cells_of(pack, r, graded)))
    headers, widths = _marked(pack, graded, ("When", "Category", "Event", "Status", "Sources"),
                              (1.75, 1.15, 5.5, 0.9, 1.2), 2)
    tables.append(Table("Chronology", headers, widths, tuple(rows)))
    marks = pack.marks_rows
    sources = tuple((f"[{r.n}]", source_name(r.name), safe_url(r.url) or defang(r.url),
                     when(r.published, "day") if str(r.published) not in ("NaT", "None") else "",
                     str(r.reliability or ""), *((_theme.tlp_label(r.tlp),) if marks else ()))
                    for r in pack.sources.itertuples(index=False))
    tables.append(Table("Sources", ("No.", "Source", "Address (defanged when not a web page)",
                                    "Published", "Rel.", *(("TLP",) if marks else ())),
                        (0.5, 3.2, 4.85 - (1.1 if marks else 0), 1.15, 0.8, *((1.1,) if marks else ())),
                        sources, plain=(1, 2), short=(2,)))
    return tables


def _render_pages(pack: Pack, pdf, pages: Sequence, total: int) -> None:
    for number, (kind, payload) in enumerate(pages, start=1):
        page = f"Page {number} of {total}"
        if kind == "chart":
            chart = payload
            furniture = Furniture(pack.tlp, chart.title, chart.subtitle, pack.as_of,
                                  tuple(chart.sources.items()), page)
            with furnished(chart.figure, furniture, size="a4-landscape"):
                pdf.savefig(chart.figure)
            continue
        fig = _cover(pack) if kind == "cover" else _blank()
        if kind == "table":
            table, rows, heading = payload
            _draw_table(fig, table, rows, heading)
        title = pack.case.title if kind != "cover" else ""
        with furnished(fig, Furniture(pack.tlp, title, "", pack.as_of, (), page), size=(_W, _H)):
            pdf.savefig(fig)


def render(pack: Pack) -> bytes:
    """The PDF file as bytes."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    pages: list[tuple[str, object]] = [("cover", None)]
    pages += [("chart", c) for c in pack.charts]
    for table in _tables(pack):
        chunks = _paginate(table)
        for i, rows in enumerate(chunks):
            heading = table.title + (f" ({i + 1} of {len(chunks)})" if len(chunks) > 1 else "")
            pages.append(("table", (table, rows, heading)))
    buffer = io.BytesIO()
    meta = {"Title": clean(pack.case.title, max_len=200), "Subject": f"Briefing pack at {pack.label}",
            "Keywords": pack.label, "Creator": "analystkit", "CreationDate": None, "ModDate": None}
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        with PdfPages(buffer, metadata=meta) as pdf:
            _render_pages(pack, pdf, pages, len(pages))
    return buffer.getvalue()
