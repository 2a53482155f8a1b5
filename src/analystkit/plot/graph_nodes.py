"""Nodes of the actor → victim chart: one scatter per role, actors sized by their victims."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .graph_layout import R_IN, R_OUT

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from .. import theme as _theme

__all__ = ["actor_size", "draw_nodes"]


def actor_size(victims: np.ndarray, dense: bool) -> np.ndarray:
    """Marker area (points²) of each actor, growing with the square root of its victim count."""
    top = max(float(victims.max()) if len(victims) else 1.0, 1.0)
    return (40 if dense else 90) + (260 if dense else 420) * np.sqrt(victims / top)


def draw_nodes(ax: Axes, pos: pd.DataFrame, act: pd.DataFrame, nodes: pd.DataFrame, dense: bool,
               highlight: set, scale: float, kwargs: dict, th: _theme.Theme) -> None:
    """Scatter the laid-out nodes: victims (with ``kwargs``), suppliers, "+N more", highlights, actors.

    ``act`` holds the actors' rows of ``pos`` with their ``victims``; ``scale`` is points per data
    unit. Each scatter has gid ``nodes:<role>``.
    """
    role = pos["role"].to_numpy(dtype=object)
    x, y = pos["x"].to_numpy(dtype=float), pos["y"].to_numpy(dtype=float)
    vic = role == "victim"
    if dense:
        spacing = math.sqrt(math.pi * (R_OUT**2 - R_IN**2) / max(int(vic.sum()), 1)) * scale
        size = float(np.clip((0.8 * spacing) ** 2, 0.3, 30.0))
    else:
        size = 42.0
    sc = ax.scatter(x[vic], y[vic], **{"s": size, "c": th.roles["victim"], "linewidths": 0.0 if dense
                                       else 0.6, "edgecolors": th.background, "zorder": 3, **kwargs})
    sc.set_gid("nodes:victim")
    sup = role == "supplier"
    if sup.any():
        ax.scatter(x[sup], y[sup], s=size * 1.5, c=th.roles["supplier"], marker="s",
                   edgecolors=th.background, linewidths=0.6, zorder=3).set_gid("nodes:supplier")
    more = role == "more"
    if more.any():
        m = nodes["more"].to_numpy(dtype=float)[pos["at"].to_numpy()[more]]
        ax.scatter(x[more], y[more], s=30 + 10 * np.sqrt(m), c=th.muted, marker="o",
                   edgecolors=th.background, zorder=3).set_gid("nodes:more")
    hl = vic & pos["label"].isin(highlight).to_numpy() if highlight else np.zeros(len(pos), dtype=bool)
    if hl.any():
        ax.scatter(x[hl], y[hl], s=max(size * 3.5, 70), facecolors="none", edgecolors=th.foreground,
                   linewidths=1.3, zorder=4).set_gid("nodes:highlight")
    ax.scatter(act["x"], act["y"], s=actor_size(act["victims"].to_numpy(), dense), c=th.roles["actor"],
               edgecolors=th.background, linewidths=1.0, zorder=5).set_gid("nodes:actor")
