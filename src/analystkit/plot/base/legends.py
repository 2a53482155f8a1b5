"""The furniture around a row chart: its title, the status legend above it, a note below it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ... import text as _text
from ... import theme as _theme
from . import marks as _marks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend

__all__ = ["chart_title", "footnote", "status_legend"]


def status_legend(ax: Axes, statuses: Sequence[str], *, notes: Sequence[str] = (),
                  categories: Sequence[str] = (), max_columns: int = 8) -> Legend:
    """One row of legend entries above the Axes: statuses (bar swatch + marker), the precision
    notes drawn and category colours (see :func:`analystkit.plot.base.marks.legend_handles`)."""
    from matplotlib.legend_handler import HandlerTuple

    handles = _marks.legend_handles(statuses, notes=notes, categories=categories)
    return ax.legend([h for h, _ in handles], [lbl for _, lbl in handles], loc="lower left",
                     bbox_to_anchor=(0.0, 1.0), ncol=min(len(handles), max_columns), frameon=False,
                     fontsize=8.5, handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)},
                     handlelength=3.2, borderaxespad=0.3, columnspacing=1.4)


def chart_title(ax: Axes, title: str | None, *, legend: bool) -> None:
    """The Axes title at the left, escaped and shortened, clear of a legend above the plot."""
    if title:
        ax.set_title(_text.label(title, max_len=120), loc="left", pad=34 if legend else 8)


def footnote(ax: Axes, note: str, *, right: bool = False):
    """A small muted note just under the x axis, at its left (or right) end (gid ``footnote``)."""
    return ax.text(1 if right else 0, -0.075, note, transform=ax.transAxes,
                   ha="right" if right else "left", va="top", fontsize=8,
                   color=_theme.current().muted, gid="footnote")
