"""The per-event arrays a timeline is drawn from: lane, extents in date numbers, precision, status.

:func:`event_items` turns the events and their :func:`analystkit.timeline.extents` into one
:class:`Items` of aligned numpy arrays, so that placing and drawing never go back to the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import in_conflict

__all__ = ["Items", "event_items", "num"]


def num(stamps: pd.Series) -> np.ndarray:
    """Matplotlib date numbers of a series of UTC timestamps."""
    from matplotlib.dates import date2num

    return date2num(stamps.dt.tz_convert(None).to_numpy())


@dataclass
class Items:
    """Per event: lane, span in date numbers (``lo``/``hi`` the full uncertain extent, ``start``..
    ``start_hi`` / ``end_lo``..``end`` where its ends may fall), precision, status, colour, conflict."""

    lane_of: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    start: np.ndarray
    start_hi: np.ndarray
    end_lo: np.ndarray
    end: np.ndarray
    period: np.ndarray
    is_open: np.ndarray
    coarse_start: np.ndarray
    coarse_end: np.ndarray
    approx_start: np.ndarray
    approx_end: np.ndarray
    status: np.ndarray
    colors: np.ndarray
    conflict: np.ndarray


def event_items(events: pd.DataFrame, ex: pd.DataFrame, lanes: list, lane: str, th) -> Items:
    """The per-event arrays of ``events`` (with their :func:`analystkit.timeline.extents`)."""
    period = ex["kind"].eq("period").to_numpy()
    prec = events["precision"].astype(str).to_numpy()
    eprec = events["end_precision"].astype(str).to_numpy() if "end_precision" in events else prec
    eprec = np.where(eprec == "", prec, eprec)
    colors = events["category"].map(th.category_color).to_numpy() if "category" in events \
        else np.full(len(events), th.muted, dtype=object)
    return Items(
        lane_of=events[lane].map({v: i for i, v in enumerate(lanes)}).to_numpy(),
        lo=num(ex["lo"]), hi=num(ex["hi"]), start=num(ex["start"]),
        start_hi=num(ex["start_hi"]), end_lo=num(ex["end_lo"]), end=num(ex["end"]),
        period=period, is_open=ex["open"].to_numpy(),
        coarse_start=np.isin(prec, ("month", "year")),
        coarse_end=period & np.isin(eprec, ("month", "year")),
        approx_start=prec == "approximate", approx_end=period & (eprec == "approximate"),
        status=events["status"].astype(str).to_numpy(), colors=colors,
        conflict=in_conflict(events).to_numpy())
