"""Briefing themes: named role palettes and matplotlib settings, applied only as a context.

Colours come from the Okabe–Ito palette (safe for the common forms of colour blindness) and are
never the only code: statuses also differ by line style, marker fill and hatch, so a greyscale
print still reads. Nothing here runs at import time; plots ask :func:`current` for the active
theme and use the ``light`` theme when none is active.

>>> from analystkit import theme
>>> with theme.use("print") as t:
...     t.name, theme.current().name
('print', 'print')
>>> theme.current().name
'light'
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from .schema import TLP_COLORS, normalise_tlp

__all__ = ["MAX_SERIES", "PINNED_SERIES", "SIZES", "THEMES", "TLP_COLORS", "Theme", "current",
           "status_style", "tlp_label", "use"]

#: Figure sizes in inches: a 16:9 slide, half and full A4 text-width pages, a square tile, an A4
#: landscape page. Every chart, export and pack page takes its size from here.
SIZES: dict[str, tuple[float, float]] = {
    "slide": (13.333, 7.5),
    "a4-half": (6.69, 4.53),
    "a4-full": (6.69, 9.45),
    "square": (6.0, 6.0),
    "a4-landscape": (11.69, 8.27),
}

# Okabe & Ito (2008) colour-blind-safe palette.
_OI = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
       "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
       "grey": "#7F7F7F"}

CATEGORY_COLORS = {
    "intrusion": _OI["purple"],
    "disruption": _OI["vermillion"],
    "extortion": _OI["orange"],
    "disclosure": _OI["sky"],
    "response": _OI["blue"],
    "recovery": _OI["green"],
    "law-enforcement": _OI["black"],
    "impact": _OI["yellow"],
    "background": _OI["grey"],
}
ROLE_COLORS = {"actor": _OI["vermillion"], "victim": _OI["blue"], "supplier": _OI["orange"],
               "authority": _OI["green"], "other": _OI["grey"]}

# Hatches that extend the eight series colours to 32 distinct styles.
_HATCHES = ("", "////", "....", "xxxx")
#: Series one chart can tell apart; a chart with more folds the rest into "other".
MAX_SERIES = 8 * len(_HATCHES)
#: Actors with a style of their own (slot = colour + 8 × hatch), so the groups a briefing shows
#: most never depend on a hash: the first eight are plain colours.
#: Any other name hashes to one of the remaining 16.
PINNED_SERIES = ("LockBit", "ALPHV", "Cl0p", "Royal", "Black Basta", "Play", "Conti", "Akira",
                 "BianLian", "Hive", "Medusa", "Qilin", "RansomHub", "8Base", "Rhysida", "Vice Society")
_PINNED = {name.casefold(): i for i, name in enumerate(PINNED_SERIES)}


def _wanted_slot(name: str, n: int) -> tuple[int, int]:
    """(0, its slot) for a pinned actor, else (1, a slot past the pinned ones from a hash of the
    name, so an unknown group never takes a pinned actor's style while one is free)."""
    key = " ".join(str(name).split()).casefold()
    if key in _PINNED:
        return 0, _PINNED[key]
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    free = n - len(PINNED_SERIES)
    return 1, len(PINNED_SERIES) + int.from_bytes(digest[:4], "big") % free



# Status is drawn redundantly: colour alpha, line style, marker fill and hatch all differ.
_STATUS = {
    "confirmed": {"linestyle": "solid", "fill": True, "hatch": "", "alpha": 1.0, "marker": "o"},
    "reported": {"linestyle": "solid", "fill": True, "hatch": "", "alpha": 0.65, "marker": "s"},
    "claimed": {"linestyle": "dashed", "fill": False, "hatch": "///", "alpha": 0.9, "marker": "D"},
    "disputed": {"linestyle": "dotted", "fill": False, "hatch": "xx", "alpha": 0.9, "marker": "X"},
}
# Relation edges (graphs): confirmed / claimed / disputed / via supplier.
EDGE_STYLES = {
    "confirmed": {"linestyle": "solid", "width": 1.6},
    "reported": {"linestyle": "solid", "width": 1.0},
    "claimed": {"linestyle": "dashed", "width": 1.0},
    "disputed": {"linestyle": "dotted", "width": 1.0},
    "via-supplier": {"linestyle": "dashdot", "width": 1.0},
}


@dataclass(frozen=True)
class Theme:
    """A named look: matplotlib settings plus the role palettes every kit chart uses."""

    name: str
    background: str
    foreground: str
    muted: str
    grid: str
    rc: dict = field(default_factory=dict)
    categories: dict = field(default_factory=lambda: dict(CATEGORY_COLORS))
    roles: dict = field(default_factory=lambda: dict(ROLE_COLORS))
    tlp: dict = field(default_factory=lambda: dict(TLP_COLORS))
    statuses: dict = field(default_factory=lambda: {k: dict(v) for k, v in _STATUS.items()})
    edges: dict = field(default_factory=lambda: {k: dict(v) for k, v in EDGE_STYLES.items()})

    def category_color(self, category: str) -> str:
        """Colour of an event category (grey for one the theme does not know)."""
        return self.categories.get(category, _OI["grey"])

    def series_styles(self, names: Sequence[str]) -> list[tuple[str, str]]:
        """A ``(colour, hatch)`` per series name (at most :data:`MAX_SERIES`), by identity: a name
        gets the same style in every chart it appears in, and no two names of one call share one.

        Well-known actors have a fixed style (:data:`PINNED_SERIES`); any other name starts at the
        style its name hashes to. Up to 32 names are distinct (eight colours times four hatches);
        ``other`` is always the theme's grid grey. Only when two names of one chart want one style
        does one of them, the later in name order, move to the next free style.

        >>> th = THEMES["light"]
        >>> a = th.series_styles(["LockBit", "Royal", "ALPHV", "Play", "other"])
        >>> b = th.series_styles(["Play", "LockBit"])
        >>> a[0] == b[1] and a[3] == b[0], len(set(a)) == 5, a[-1] == (th.grid, "")
        (True, True, True)
        """
        slots = [(color, hatch) for hatch in _HATCHES for color in self._order()]
        styles: dict[str, tuple[str, str]] = {}
        taken: set[int] = set()
        wanted = {name: _wanted_slot(name, len(slots)) for name in names if name != "other"}
        first_free = len(PINNED_SERIES)
        for name in sorted(wanted, key=lambda n: (wanted[n][0], n)):  # pinned names claim first
            pinned, at = wanted[name]
            tail = range(0, len(slots)) if pinned == 0 else range(first_free, len(slots))
            order = [*range(at, tail.stop), *range(tail.start, at), *range(0, tail.start)]
            at = next((i for i in order if i not in taken), at)  # past 32 names, styles repeat
            taken.add(at)
            styles[name] = slots[at]
        grey = (self.grid if self.name != "print" else "#BBBBBB", "")
        return [grey if name == "other" else styles[name] for name in names]

    def _order(self) -> list[str]:
        order = ["blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black"]
        if self.name == "dark":
            order[-1] = "grey"
        return [_OI[c] for c in order]



def _rc(background: str, foreground: str, grid: str) -> dict:
    return {
        "figure.facecolor": background, "axes.facecolor": background,
        "savefig.facecolor": background, "axes.edgecolor": foreground,
        "axes.labelcolor": foreground, "text.color": foreground,
        "xtick.color": foreground, "ytick.color": foreground, "grid.color": grid,
        "legend.facecolor": background, "legend.edgecolor": grid,
        "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 11,
        "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
        "svg.hashsalt": "analystkit", "svg.fonttype": "path", "pdf.fonttype": 42,
        "text.usetex": False, "path.simplify": True,
    }


THEMES = {
    "light": Theme("light", "#FFFFFF", "#1A1A1A", "#6B6B6B", "#DDDDDD",
                   _rc("#FFFFFF", "#1A1A1A", "#DDDDDD")),
    "dark": Theme("dark", "#111418", "#E8E8E8", "#A0A0A0", "#3A3F45",
                  _rc("#111418", "#E8E8E8", "#3A3F45"),
                  categories={**CATEGORY_COLORS, "law-enforcement": "#E8E8E8"},
                  roles={**ROLE_COLORS}),
    "print": Theme("print", "#FFFFFF", "#000000", "#555555", "#BBBBBB",
                   {**_rc("#FFFFFF", "#000000", "#BBBBBB"), "lines.linewidth": 1.2}),
}
# "briefing" is the name the notebooks use for the default look.
THEMES["briefing"] = THEMES["light"]
# Light palettes on a see-through background, for slides with their own backdrop.
THEMES["transparent"] = Theme(
    "transparent", "none", "#1A1A1A", "#6B6B6B", "#DDDDDD",
    {**_rc("none", "#1A1A1A", "#DDDDDD"), "savefig.transparent": True})

_ACTIVE: ContextVar[Theme | None] = ContextVar("analystkit_theme", default=None)


def current() -> Theme:
    """The theme of the innermost ``with use(...)`` block, or ``light``."""
    return _ACTIVE.get() or THEMES["light"]


@contextlib.contextmanager
def use(name: str | Theme = "light") -> Iterator[Theme]:
    """Apply a theme for the body of a ``with`` block (palettes and matplotlib settings).

    Settings are restored on exit; nothing changes outside the block.
    """
    import matplotlib

    theme = name if isinstance(name, Theme) else THEMES.get(name)
    if theme is None:
        raise ValueError(f"unknown theme {name!r}; expected one of {', '.join(sorted(THEMES))}")
    token = _ACTIVE.set(theme)
    try:
        with matplotlib.rc_context(theme.rc):
            yield theme
    finally:
        _ACTIVE.reset(token)


def status_style(status: str) -> dict:
    """Line style, marker, fill, hatch and alpha that code an event or edge status.

    >>> status_style("claimed")["linestyle"], status_style("confirmed")["fill"]
    ('dashed', True)
    """
    styles = current().statuses
    return dict(styles.get(status, styles["reported"]))


def tlp_label(level: str) -> str:
    """The TLP 2.0 label as FIRST writes it (capitals, ``TLP:`` prefix).

    >>> tlp_label("amber+strict"), tlp_label("white")
    ('TLP:AMBER+STRICT', 'TLP:CLEAR')
    """
    norm = normalise_tlp(level)
    if norm is None:
        raise ValueError(f"unknown TLP label {level!r}; expected one of clear, green, amber, "
                         "amber+strict, red")
    return f"TLP:{norm.upper()}"
