"""Briefing-ready chart files: size presets, TLP banner, caption, deterministic bytes.

:func:`save` dresses a figure for a briefing — title, subtitle, a TLP 2.0 banner (FIRST colours:
the label's colour on black) top right and in the footer, the "as of" date and a numbered source
caption — writes it as PNG, SVG and/or PDF, and puts a plain-language alt text beside the images
(``<name>.txt``) and inside the SVG (``<title>``/``<desc>``). The same figure always gives the
same bytes: no timestamps, no software version in PNG, a fixed SVG hash salt.

The caller's figure is dressed only for the time of the save: its size, layout and artists are
restored afterwards. :func:`analystkit.export.brief` turns a whole case into a briefing pack (see
:mod:`analystkit.export.pack`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from .. import theme as _theme
from ..files import write_atomic
from ..text import clean, label, shown, source_name
from ..theme import SIZES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FORMATS", "RC", "SIZES", "Furniture", "caption", "furnished", "save", "text_width", "wrap"]

FORMATS = ("png", "svg", "pdf")
_MARGIN = 0.22  # inches around the furniture
_TITLE_PT, _SUB_PT, _SMALL_PT = 14.0, 10.0, 7.5
#: rc settings of every written file: a fixed SVG hash salt, fonts as paths (SVG) or TrueType (PDF).
RC = {"svg.hashsalt": "analystkit", "svg.fonttype": "path", "pdf.fonttype": 42, "text.usetex": False}


@dataclass(frozen=True)
class Furniture:
    """What a briefing chart carries besides the chart itself."""

    tlp: str = "clear"
    title: str = ""
    subtitle: str = ""
    as_of: str = ""
    sources: tuple[tuple[int, str], ...] = ()
    page: str = ""


def _numbered(sources: Sequence[str] | Mapping[int, str] | None) -> tuple[tuple[int, str], ...]:
    if not sources:
        return ()
    if isinstance(sources, Mapping):
        return tuple(sorted((int(k), str(v)) for k, v in sources.items()))
    return tuple((i, str(s)) for i, s in enumerate(sources, start=1))


@functools.lru_cache(maxsize=1)
def _measurer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, 72)


@functools.lru_cache(maxsize=8)
def _font(size: float, bold: bool = False) -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width of ``text`` in points in the kit's font (measured, not guessed)."""
    width, _, _ = _measurer().get_text_width_height_descent(text, _font(size, bold), ismath=False)
    return float(width)


def wrap(text: str, width_pt: float, size: float, *, bold: bool = False,
         max_lines: int | None = None) -> list[str]:
    """Split ``text`` into lines no wider than ``width_pt`` (long words are cut).

    >>> wrap("Royal Mail international exports halted", 80, 9)
    ['Royal Mail', 'international', 'exports halted']
    """
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while text_width(word, size, bold=bold) > width_pt and len(word) > 1:
            cut = max(1, int(len(word) * width_pt / text_width(word, size, bold=bold)) - 1)
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{line} {word}" if line else word
        if line and text_width(trial, size, bold=bold) > width_pt:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[:-1].rstrip() + "…"]
    return lines


def _ranges(numbers: Sequence[int]) -> str:
    out, run = [], [numbers[0]]
    for n in numbers[1:]:
        if n == run[-1] + 1:
            run.append(n)
        else:
            out.append(run)
            run = [n]
    out.append(run)
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in out)


def caption(sources: Sequence[str] | Mapping[int, str] | None, *, width_in: float = 9.5,
            max_lines: int = 3) -> list[str]:
    """The source caption as lines that fit ``width_in`` inches at 7 pt.

    Sources are numbered as in the pack's source list (a mapping gives the numbers, a sequence is
    numbered from 1). When the names do not fit in ``max_lines``, only the numbers are given.

    >>> caption({2: "The Record", 5: "TechCrunch"})
    ['Sources: [2] The Record; [5] TechCrunch']
    >>> caption([f"Outlet {i}" for i in range(40)], width_in=3)
    ['Sources: [1–40], listed in the source list']
    """
    items = _numbered(sources)
    if not items:
        return []
    width_pt = width_in * 72
    names = "; ".join(f"[{n}] {source_name(s, max_len=60)}" for n, s in items)
    lines = wrap(f"Sources: {names}", width_pt, _SMALL_PT)
    if len(lines) <= max_lines:
        return lines
    return wrap(f"Sources: [{_ranges([n for n, _ in items])}], listed in the source list",
                 width_pt, _SMALL_PT)


def _fig_fraction(fig: Figure, inches: float, axis: int) -> float:
    return inches / fig.get_size_inches()[axis]


@contextlib.contextmanager
def furnished(fig: Figure, furniture: Furniture, *,
              size: str | tuple[float, float] = "slide") -> Iterator[Figure]:
    """Dress ``fig`` with the briefing furniture for the body of a ``with`` block.

    The figure is resized to ``size``, its axes are laid out in the space left between header
    and footer, and title, banners, date and caption are added as figure texts. On exit every
    added artist is removed and the size, layout engine and axes positions are put back.
    """
    import matplotlib
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    width, height = SIZES[size] if isinstance(size, str) else size
    old_size = tuple(fig.get_size_inches())
    old_engine = fig.get_layout_engine()
    positions = [(ax, ax.get_position(original=True).frozen(), ax.get_in_layout()) for ax in fig.axes]
    fig.set_size_inches(width, height)
    added: list = []
    try:
        top, bottom = _draw_furniture(fig, furniture, added)
        side = _fig_fraction(fig, _MARGIN * 0.5, 0)
        rect = (side, bottom, 1 - 2 * side, top - bottom)
        settings = old_engine.get() if old_engine is not None else {}
        if "rect" in settings:
            old_engine.set(rect=rect)
        else:
            fig.set_layout_engine(ConstrainedLayoutEngine(rect=rect))
        for ax, pos, _ in positions:
            if ax.get_subplotspec() is None:  # placed by hand: squeeze into the free band
                ax.set_position([pos.x0, bottom + pos.y0 * (top - bottom), pos.width,
                                 pos.height * (top - bottom)], which="both")
        yield fig
    finally:
        for artist in added:
            artist.remove()
        if old_engine is not None and "rect" in old_engine.get():
            old_engine.set(rect=settings["rect"])
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(old_engine)  # None puts back "no engine"
        for ax, pos, in_layout in positions:
            ax.set_position(pos, which="both")
            ax.set_in_layout(in_layout)
        fig.set_size_inches(*old_size)


def _draw_furniture(fig: Figure, f: Furniture, added: list) -> tuple[float, float]:
    """Add the header and footer texts; return the (top, bottom) of the free band."""
    t = _theme.current()
    width, height = fig.get_size_inches()
    fx = _fig_fraction(fig, _MARGIN, 0)
    fy = lambda inches: inches / height  # noqa: E731
    fg, muted = t.foreground, t.muted
    text_colour, back = t.tlp.get(f.tlp, t.tlp["red"])
    tlp_text = _theme.tlp_label(f.tlp)
    banner = {"color": text_colour, "fontsize": 9, "fontweight": "bold", "family": "DejaVu Sans",
              "bbox": {"boxstyle": "square,pad=0.35", "facecolor": back, "edgecolor": back}}

    def text(x: float, y: float, s: str, **kw: Any) -> None:
        added.append(fig.text(x, y, s, **kw))

    y = 1 - fy(_MARGIN)
    text(1 - fx, y, tlp_text, ha="right", va="top", **banner)
    room_pt = (width - 2 * _MARGIN - 1.6) * 72
    if f.title:
        title = _fit(f.title, room_pt, _TITLE_PT, bold=True)
        text(fx, y, title, ha="left", va="top", fontsize=_TITLE_PT, fontweight="bold", color=fg)
        y -= fy(_TITLE_PT / 72 * 1.45)
    if f.subtitle:
        text(fx, y, _fit(f.subtitle, room_pt, _SUB_PT), ha="left", va="top", fontsize=_SUB_PT,
             color=muted)
        y -= fy(_SUB_PT / 72 * 1.45)
    top = y - fy(0.12 if (f.title or f.subtitle) else 0.32)

    y = fy(_MARGIN)
    text(1 - fx, y, tlp_text, ha="right", va="bottom", **banner)
    footer = "   ·   ".join(p for p in (f"As of {f.as_of}" if f.as_of else "", f.page) if p)
    if footer:
        text(fx, y, label(footer, max_len=120), ha="left", va="bottom", fontsize=_SMALL_PT + 1,
             color=muted)
    y += fy(0.28)
    for line in reversed(caption(dict(f.sources), width_in=width - 2 * _MARGIN)):
        # source names are defanged where they hold an address (source_name), not as a whole
        text(fx, y, label(line, max_len=None, defang_hosts=False), ha="left", va="bottom",
             fontsize=_SMALL_PT, color=muted)
        y += fy(_SMALL_PT / 72 * 1.4)
    return top, y + fy(0.16)


def _fit(text: str, width_pt: float, size: float, *, bold: bool = False) -> str:
    """One safe display line no wider than ``width_pt`` (shortened with an ellipsis)."""
    s = shown(text, max_len=200)
    while len(s) > 4 and text_width(s, size, bold=bold) > width_pt:
        s = clean(s[:-1], max_len=len(s) - 1)
    return label(s, max_len=None, defang_hosts=False)


def _render(fig: Figure, fmt: str, *, dpi: int, title: str, alt: str, tlp: str) -> bytes:
    buffer = io.BytesIO()
    tlp_text = _theme.tlp_label(tlp)
    meta: dict[str, dict[str, Any]] = {
        "png": {"Software": None, "Title": title, "Description": alt, "Comment": tlp_text},
        "svg": {"Date": None, "Description": alt, "Keywords": [tlp_text]},
        "pdf": {"CreationDate": None, "ModDate": None, "Title": title, "Subject": alt,
                "Keywords": tlp_text, "Creator": "analystkit"},
    }
    with warnings.catch_warnings():
        # Glyphs DejaVu Sans lacks (emoji in a victim's name) render as boxes, not as an error.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=meta[fmt])
    data = buffer.getvalue()
    return _svg_accessible(data, title, alt) if fmt == "svg" else data


def _svg_accessible(data: bytes, title: str, alt: str) -> bytes:
    """Give the SVG root ``role="img"`` and a ``<title>``/``<desc>`` screen readers announce."""
    text = data.decode("utf-8")
    start = text.index("<svg")
    end = text.index(">", start)
    head = text[start:end].replace("<svg", '<svg role="img" aria-labelledby="ak-title ak-desc"', 1)
    inner = (f'\n <title id="ak-title">{xml_escape(clean(title))}</title>'
             f'\n <desc id="ak-desc">{xml_escape(clean(alt))}</desc>')
    return (text[:start] + head + ">" + inner + text[end + 1:]).encode("utf-8")


def _formats(path: Path, formats: Sequence[str] | None) -> tuple[list[str], Path]:
    suffix = path.suffix.lower().lstrip(".")
    if formats is None:
        formats = [suffix] if suffix in FORMATS else list(FORMATS)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"cannot write format {', '.join(bad) or '(none)'}; expected some of "
                         f"{', '.join(FORMATS)}")
    stem = path.with_suffix("") if suffix in FORMATS else path
    return list(dict.fromkeys(formats)), stem


def save(fig: Figure, path: str | os.PathLike, *, formats: Sequence[str] | None = None,
         size: str | tuple[float, float] = "slide", dpi: int = 200, tlp: str = "clear",
         title: str = "", subtitle: str = "", as_of: object = "",
         sources: Sequence[str] | Mapping[int, str] | None = None, alt: str = "") -> list[Path]:
    """Write a briefing chart as PNG/SVG/PDF with its TLP banner, caption and alt text.

    Parameters
    ----------
    fig : the matplotlib figure. It is dressed only while saving; afterwards its size, layout,
        axes positions and artists are as before.
    path : target file. A ``.png``/``.svg``/``.pdf`` suffix picks that one format when
        ``formats`` is None; otherwise the suffix is replaced by each format's.
    formats : any of ``"png"``, ``"svg"``, ``"pdf"`` (default: from the suffix, else all three).
    size : ``"slide"`` (16:9), ``"a4-half"``, ``"a4-full"``, ``"square"``, ``"a4-landscape"`` or
        ``(width, height)`` in inches.
    dpi : resolution of the PNG (and of rasterised parts of SVG/PDF).
    tlp : TLP 2.0 label drawn top right and in the footer, and written into the file metadata.
    title, subtitle : header lines (shortened to fit; never parsed as mathtext).
    as_of : the date the picture is true at (a date or ``YYYY-MM-DD`` text).
    sources : source names numbered as in the pack's source list: a mapping ``{number: name}``,
        or a sequence numbered from 1.
    alt : plain-language description of the chart, written to ``<stem>.txt`` and into the SVG.
        Defaults to the title, subtitle and marking.

    Returns
    -------
    list of Path
        The image files written, in the order of ``formats`` (the alt-text file is beside them).

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> out = tempfile.mkdtemp()
    >>> paths = save(fig, f"{out}/demo", formats=["png", "svg"], tlp="amber", title="Demo",
    ...              as_of="2024-12-31", sources={3: "The Record"}, alt="A rising line.")
    >>> [p.name for p in paths], (Path(out) / "demo.txt").read_text().strip()
    (['demo.png', 'demo.svg'], 'A rising line.')
    >>> plt.close(fig)
    """
    import matplotlib

    target = Path(path)
    fmts, stem = _formats(target, formats)
    stamp = _date_text(as_of)
    title_text = clean(title, max_len=200)
    alt_text = clean(alt, max_len=2000) or ". ".join(
        p for p in (title_text, clean(subtitle, max_len=200),
                    f"Marked {_theme.tlp_label(tlp)}" + (f", as of {stamp}" if stamp else "")) if p)
    furniture = Furniture(tlp=tlp, title=title, subtitle=subtitle, as_of=stamp,
                          sources=_numbered(sources))
    rendered: dict[str, bytes] = {}
    with matplotlib.rc_context(RC), furnished(fig, furniture, size=size):
        for fmt in fmts:
            rendered[fmt] = _render(fig, fmt, dpi=dpi, title=title_text, alt=alt_text, tlp=tlp)
    written = [write_atomic(stem.with_name(f"{stem.name}.{fmt}"), data) for fmt, data in rendered.items()]
    write_atomic(stem.with_name(f"{stem.name}.txt"), (alt_text + "\n").encode("utf-8"))
    return written


def _date_text(value: object) -> str:
    if value is None or value == "":
        return ""
    import pandas as pd

    try:
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    except (ValueError, TypeError):
        return clean(value, max_len=40)
