"""How the kit shows its data in a notebook: text that prints, tidy tables, dates as people write them.

:class:`Text` is a ``str`` that a notebook shows as its lines rather than as a quoted repr with
``\\n``. :func:`show` turns a DataFrame into a :class:`Table` that displays as HTML: dates in the
precision they have (exact times in the display zone), lists joined, whole numbers without ``.0``,
shares as percentages, text left-aligned and wrapped, ids as the index, every cell escaped and the
table marked so that a notebook's maths renderer leaves a ``$`` alone (no global pandas option is
touched). An empty table says so in one line. :func:`when` writes a date or period the way a
briefing does; the packs and the tables share it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .schema import TLP_COLORS

__all__ = ["Table", "Text", "badge_html", "no_maths", "show", "when"]

#: CSS classes that JupyterLab's and the classic notebook's MathJax skip: ``$`` stays a dollar sign.
NO_MATHS = "tex2jax_ignore mathjax_ignore"
_SHARE = re.compile(r"(share|ratio|pct|percent|fraction)$", re.IGNORECASE)


class Text(str):
    """A string that a notebook displays as its lines, not as a quoted repr.

    >>> t = Text("two\\nlines")
    >>> t == "two\\nlines", t._repr_html_()
    (True, '<pre class="tex2jax_ignore mathjax_ignore">two\\nlines</pre>')
    """

    __slots__ = ()

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        return f'<pre class="{NO_MATHS}">{html.escape(str(self), quote=False)}</pre>'


def no_maths(markup: str) -> str:
    """Wrap HTML so that a notebook's maths renderer leaves it alone.

    >>> no_maths("<b>$5m</b>")
    '<div class="tex2jax_ignore mathjax_ignore"><b>$5m</b></div>'
    """
    return f'<div class="{NO_MATHS}">{markup}</div>'


def badge_html(level: str) -> str:
    """A TLP 2.0 label as a coloured HTML badge (FIRST's colours, text on black).

    >>> badge_html("amber")[-17:]
    '>TLP:AMBER</span>'
    """
    level = str(level or "clear").lower()
    fg, bg = TLP_COLORS.get(level, ("#FFFFFF", "#000000"))
    return (f'<span class="ak-tlp" style="background:{bg};color:{fg};font-family:monospace;'
            f'font-weight:bold;padding:1px 6px;border-radius:3px">TLP:{html.escape(level.upper())}</span>')


def _one_date(stamp: object, precision: str, tz: object) -> str:
    if stamp is None or pd.isna(stamp):
        return ""
    t = pd.Timestamp(stamp)
    if precision == "exact":
        if t.tzinfo is None:
            t = t.tz_localize("UTC")
        t = t.tz_convert(tz or "UTC")
        return t.strftime("%d %b %Y %H:%M ") + (t.tzname() or "UTC")
    text = t.strftime({"month": "%b %Y", "year": "%Y"}.get(precision, "%d %b %Y"))
    return f"c. {text}" if precision == "approximate" else text


def when(start: object, precision: str, end: object = None, end_precision: str = "",
         ongoing: bool = False, *, tz: object = None) -> str:
    """A date or period as a briefing writes it: ``10 Jan 2023``, ``Jan 2023``, ``c. 10 Jan 2023``.

    Only an exact time moves to the display zone ``tz`` (a day is a calendar day wherever it is
    read); an open period says ``ongoing``, never an end it does not have.

    >>> when(pd.Timestamp("2023-01-10", tz="UTC"), "day", pd.Timestamp("2023-02-21", tz="UTC"), "day")
    '10 Jan 2023 – 21 Feb 2023'
    >>> when(pd.Timestamp("2023-07-12 13:44", tz="UTC"), "exact", tz="Europe/London")
    '12 Jul 2023 14:44 BST'
    >>> when(pd.Timestamp("2023-01-10", tz="UTC"), "day", ongoing=True)
    '10 Jan 2023 – ongoing'
    """
    first = _one_date(start, precision, tz)
    if ongoing:
        return f"{first} – ongoing"
    last = _one_date(end, end_precision or precision, tz)
    return f"{first} – {last}" if last else first


@dataclass(frozen=True)
class Table:
    """A table ready to read: cells as text, which columns are numbers, a caption and a note."""

    cells: pd.DataFrame
    numeric: tuple[str, ...] = ()
    caption: str = ""
    note: str = ""
    more: int = 0  # rows left out of the display
    empty: str = "No rows."

    def __repr__(self) -> str:
        head = [self.caption] if self.caption else []
        if self.cells.empty:
            return "\n".join([*head, self.empty])
        body = self.cells.to_string()
        tail = [f"... {self.more:,} more rows"] if self.more else []
        return "\n".join([*head, body, *tail, *([self.note] if self.note else [])])

    def _repr_html_(self) -> str:
        esc = html.escape
        cap = (f'<div style="font-weight:bold;text-align:left;margin:2px 0">{esc(self.caption)}</div>'
               if self.caption else "")
        if self.cells.empty:
            return no_maths(f'{cap}<p class="ak-empty" style="text-align:left">{esc(self.empty)}</p>')
        cell = 'style="text-align:{};vertical-align:top;white-space:normal;max-width:36em;padding:2px 8px"'
        left, right = cell.format("left"), cell.format("right")
        name = self.cells.index.name or ""
        head = f"<th {left}>{esc(str(name))}</th>" + "".join(
            f"<th {right if c in self.numeric else left}>{esc(str(c))}</th>" for c in self.cells.columns)
        rows = []
        for key, values in zip(self.cells.index, self.cells.itertuples(index=False), strict=True):
            tds = "".join(f"<td {right if c in self.numeric else left}>{esc(v)}</td>"
                          for c, v in zip(self.cells.columns, values, strict=True))
            rows.append(f"<tr><th {left}>{esc(str(key))}</th>{tds}</tr>")
        more = (f'<p style="text-align:left">… {self.more:,} more rows</p>' if self.more else "")
        note = (f'<p class="ak-note" style="text-align:left;font-style:italic">{esc(self.note)}</p>'
                if self.note else "")
        return no_maths(f'{cap}<table class="ak-table" style="border-collapse:collapse">'
                        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
                        f"{more}{note}")


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def _column_text(df: pd.DataFrame, name: str, tz: object, percent: Sequence[str]) -> tuple[pd.Series, bool]:
    """One column as text, and whether it is a number column."""
    col = df[name]
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        prec_name = "precision" if name == "start" else f"{name}_precision"
        if name == "end" and "end_precision" in df:
            prec_name = "end_precision"
        if prec_name in df:
            precisions = df[prec_name].astype(str)
            if name == "end" and "precision" in df:
                precisions = precisions.where(precisions.ne(""), df["precision"].astype(str))
        else:
            ok = col.dropna()
            plain = ok.empty or bool((ok.dt.normalize() == ok).all())
            precisions = pd.Series("day" if plain else "exact", index=df.index)
        text = pd.Series([_one_date(v, p, tz) for v, p in zip(col, precisions, strict=True)], index=df.index)
        if name == "end" and "ongoing" in df:
            text = text.where(~df["ongoing"].fillna(False).astype(bool), "ongoing")
        return text, False
    if pd.api.types.is_bool_dtype(col):
        return col.map({True: "yes", False: "no"}).fillna(""), False
    if pd.api.types.is_integer_dtype(col):
        return col.map(lambda v: "" if pd.isna(v) else f"{int(v):,}"), True
    if pd.api.types.is_float_dtype(col):
        ok = col.dropna()
        if name in percent or (_SHARE.search(str(name)) and ok.between(0, 1).all()):
            return col.map(lambda v: "" if pd.isna(v) else f"{v:.1%}"), True
        if (ok == ok.round()).all():
            return col.map(lambda v: "" if pd.isna(v) else f"{int(v):,}"), True
        return col.map(lambda v: "" if pd.isna(v) else f"{v:,.2f}"), True
    return col.map(lambda v: "; ".join(map(str, v)) if _is_list(v)
                   else "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)), False


def show(df: pd.DataFrame, *, tz: object = None, index: str | bool | None = None, caption: str = "",
         note: str | None = None, percent: Sequence[str] = (), max_rows: int = 60,
         empty: str = "No rows.") -> Table:
    """``df`` as a tidy :class:`Table` for a notebook (``df.pipe(show)`` works too).

    Parameters
    ----------
    tz : the display zone for exact times (a case's ``meta["timezone"]``); UTC when None.
    index : the column to use as the index; by default the first ``*_id`` column, when the frame
        has a plain range index; ``False`` keeps the frame's own index.
    caption, note : a line above and one below; ``note`` defaults to ``df.attrs["coverage"]``.
    percent : float columns shown as percentages (columns named ``...share`` / ``...ratio`` with
        values in 0..1 are, without being named).
    max_rows : rows shown; the rest are counted.
    empty : what an empty table says.

    Examples
    --------
    >>> df = pd.DataFrame({"event_id": ["e-1"], "start": [pd.Timestamp("2023-01-12", tz="UTC")],
    ...                    "precision": ["month"], "sources": [("s1", "s2")], "posts": [3.0],
    ...                    "share": [0.061069], "note": ["cost $5m, then $1m"]})
    >>> print(repr(show(df)))
                 start precision sources posts  share                note
    event_id
    e-1       Jan 2023     month  s1; s2     3   6.1%  cost $5m, then $1m
    >>> "mathjax_ignore" in show(df)._repr_html_(), repr(show(df.iloc[:0], empty="No claims."))
    (True, 'No claims.')
    """
    frame = df
    if index is None and isinstance(df.index, pd.RangeIndex):
        index = next((c for c in df.columns if str(c).endswith("_id") or c == "id"), False)
    if index:
        frame = df.set_index(index, drop=False)
    cells, numeric = {}, []
    for name in frame.columns:
        if index and name == index:
            continue
        cells[name], is_number = _column_text(frame, name, tz, percent)
        if is_number:
            numeric.append(name)
    shown = pd.DataFrame(cells, index=frame.index).astype(str) if cells else pd.DataFrame(index=frame.index)
    if isinstance(shown.index, pd.DatetimeIndex):
        shown.index = [_one_date(v, "day", tz) for v in shown.index]
    more = max(len(shown) - max_rows, 0)
    if note is None:
        note = str(df.attrs.get("coverage", "") or "")
    return Table(shown.head(max_rows), tuple(numeric), caption, note, more, empty)


def _counts(values: pd.Series) -> str:
    counts = values[values.ne("")].value_counts().sort_index()
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"


def case_html(case) -> str:
    """A case as a notebook shows it: title, TLP badge, date span, counts, conflicts, withheld rows.

    >>> from analystkit import load_case
    >>> page = case_html(load_case(DATA / "cases" / "royal-mail-2023"))
    >>> "TLP:AMBER" in page, "by status" in page, "<script" in page
    (True, True, False)
    """
    esc = html.escape
    ev = case.events
    lines = [f'<div style="font-size:1.15em;font-weight:bold">{esc(case.title or "(untitled case)")} '
             f'{badge_html(case.tlp)}</div>']
    facts = [("as of", str(case.meta.get("as_of", "unknown")))]
    if case.meta.get("day0"):
        facts.append(("day 0", str(case.meta["day0"])))
    if len(ev):
        first, last = ev.loc[ev["start"].idxmin()], ev.loc[ev["start"].idxmax()]
        facts.append(("events", f"{len(ev):,}, {when(first['start'], first['precision'])} – "
                                f"{when(last['start'], last['precision'])}"))
        facts.append(("by category", _counts(ev["category"])))
        facts.append(("by status", _counts(ev["status"])))
        conflicts = ev.loc[ev["conflict"].ne(""), "conflict"].nunique()
        if conflicts:
            facts.append(("conflicts", f"{conflicts} facts with rival accounts kept side by side"))
    else:
        facts.append(("events", "none yet"))
    facts.append(("other tables", f"{len(case.relations):,} relations, {len(case.entities):,} entities, "
                                  f"{len(case.sources):,} sources"))
    withheld = getattr(case, "withheld", None)
    if withheld:
        gone = [f"{n:,} {k}" for k, n in withheld.items() if n]
        facts.append(("withheld", (", ".join(gone) or "nothing")
                      + " (marked above the level it was shared at)"))
    rows = "".join(f'<tr><th style="text-align:left;padding:1px 8px 1px 0">{esc(k)}</th>'
                   f'<td style="text-align:left">{esc(v)}</td></tr>' for k, v in facts)
    return no_maths("".join(lines) + f'<table class="ak-case">{rows}</table>')
