"""Actor → victim graph charts that stay readable from 20 victims to 200,000.

The layout is computed, not simulated: actors sit together on an inner ring (a single actor at
the centre), each actor owns an angular wedge of the outer ring sized by its victim count, and
inside its wedge the victims are grouped by sector (or country) in contiguous runs. With few
victims every victim sits on one ring and is labelled radially, with a heading per group; with
thousands the wedge fills with rows of dots and only actors (and victims you ``highlight``) are
labelled. Everything is placed with numpy in O(n log n) and drawn with one collection per style,
so the same function draws a curated case and a whole leak-site feed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import theme as _theme
from ..graph import TableGraph, actor_victim_graph, actors
from ..graph.build import graph_of
from ..graph.tables import edge_index, edge_table, node_table, rollup_tables
from ..text import label as _safe
from .base.labels import renderer
from .graph_edges import draw_edges

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

__all__ = ["before_after", "graph", "layout"]

_R_ACTOR = 0.42          # inner ring of actors (several actors)
_R_IN, _R_OUT = 0.56, 1.0  # annulus of victims
_SMALL = 160             # at most this many ring slots: one labelled ring
_RASTER_EDGES = 50_000   # a dense chart with more edges draws them as an image
_HEADER = "header"


def _tables(G: nx.DiGraph, top: int | None = None, per_actor: int | None = None,
            keep: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Node and edge tables of ``G`` (rolled up when ``top`` / ``per_actor`` are given).

    Edges carry ``s`` / ``t``, the rows of their source and target in the node table, which is
    how the layout and the drawing find their ends (never by matching node keys).
    """
    if top is None and per_actor is None:
        edges = edge_table(G)
        src, dst = edge_index(G)
        edges = pd.DataFrame({"relation": edges["relation"].to_numpy(), "status": edges["status"].to_numpy(),
                              "s": src, "t": dst})
        return node_table(G), edges, int(G.graph.get("more_actors", 0))
    return rollup_tables(G, actors(G), top=top, per_actor=per_actor, keep=keep)


def _frames(nodes: pd.DataFrame, edges: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """The actors, with their victim counts ("+N more" included) and node rows ``at``, in wedge order."""
    n = len(nodes)
    is_actor = nodes["role"].to_numpy(dtype=object) == "actor"
    s, t = edges["s"].to_numpy(), edges["t"].to_numpy()
    s, t = s[(s >= 0) & (t >= 0)], t[(s >= 0) & (t >= 0)]
    claim = is_actor[s] & ~is_actor[t]
    s, t = s[claim], t[claim]
    pairs = pd.unique(s.astype(np.int64) * n + t)  # an actor may reach a node twice
    more = nodes["more"].to_numpy()[t]
    weight = (np.bincount(pairs // max(n, 1), minlength=n) + np.bincount(s, weights=more, minlength=n)
              - np.bincount(s, weights=more > 0, minlength=n))
    at = np.flatnonzero(is_actor)
    actors = nodes.iloc[at].assign(victims=weight[at].astype(int), at=at)
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        actors = actors.assign(rank=actors["label"].map(rank).fillna(len(rank)))
        actors = actors.sort_values(["rank", "victims", "label"], ascending=[True, False, True])
    else:
        actors = actors.sort_values(["victims", "label"], ascending=[False, True])
    return actors.drop(columns="rank", errors="ignore").reset_index(drop=True)


def _group(G: nx.DiGraph, nodes: pd.DataFrame, group_by: str | None) -> pd.Series:
    if not group_by:
        return pd.Series("", index=nodes.index, dtype=object)
    if group_by in nodes.columns and group_by in ("sector", "country"):
        return nodes[group_by].astype(str)
    if isinstance(G, TableGraph):
        raise ValueError(f"group_by={group_by!r}: the tables of actor_victim_tables hold only 'sector' "
                         "and 'country'; build the graph with actor_victim_graph for other attributes")
    attr = dict(G.nodes(data=group_by, default=""))
    return nodes["node"].map(lambda n: str(attr.get(n, "")))


def layout(G: nx.DiGraph, *, group_by: str | None = "sector", order: Sequence[str] | None = None,
           slots: int | None = None, min_span: float = 0.0, actor_gap: float = 0.0) -> pd.DataFrame:
    """Positions of every node of ``G`` in the radial actor → victim layout (pure, deterministic).

    Parameters
    ----------
    group_by : ``'sector'``, ``'country'`` or None: how victims are grouped inside a wedge.
    order : actor labels in the order their wedges go round (clockwise from the top); by
        default most victims first.
    slots : ring slots available for a single labelled ring; more victims than that are laid
        out as a dense annulus instead. On a labelled ring the victims of a group go
        alphabetically; in a dense annulus (no victim labels) in the graph's order, which for a
        leak-site feed puts each actor's first claims first.
    min_span : smallest wedge (radians) in a dense annulus, so that actor labels have room.
    actor_gap : smallest angle between two actors on the inner ring (radians).

    Returns
    -------
    DataFrame
        One row per node (and per group heading on a labelled ring, role ``header``): ``node``,
        ``role``, ``label``, ``x``, ``y``, ``angle`` (radians), ``home`` (the actor whose wedge
        holds it), ``group`` and ``dense`` (True when the annulus is dense).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("actor:A", "victim:x"), ("actor:A", "victim:y")])
    >>> nx.set_node_attributes(G, {"actor:A": "actor", "victim:x": "victim", "victim:y": "victim"}, "role")
    >>> pos = layout(G, group_by=None).set_index("node")
    >>> bool(pos.loc["actor:A", "x"] == pos.loc["actor:A", "y"] == 0)  # a lone actor: the centre
    True
    >>> round(float(np.hypot(pos.loc["victim:x", "x"], pos.loc["victim:x", "y"])), 6)  # victims: ring 1
    1.0
    """
    G = graph_of(G)
    nodes, edges, _ = _tables(G)
    pos = _layout(nodes.assign(group=_group(G, nodes, group_by)), edges, group_by=group_by, order=order,
                  slots=slots, min_span=min_span, actor_gap=actor_gap)
    return pos.drop(columns="at")


def _layout(nodes: pd.DataFrame, edges: pd.DataFrame, *, group_by: str | None,
            order: Sequence[str] | None, slots: int | None, min_span: float,
            actor_gap: float, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`layout` of the tables, plus ``at``: the node row of each position (-1: a heading)."""
    slots = _SMALL if slots is None else slots
    actors = _frames(nodes, edges, order) if actors is None else actors
    n = len(nodes)
    at = np.flatnonzero(nodes["role"].to_numpy(dtype=object) != "actor")
    label = nodes["label"]
    if pd.api.types.infer_dtype(label, skipna=False) != "string":
        label = label.astype(str)
    group = nodes["group"].to_numpy(dtype=object)[at]
    # home actor: the highest-ranked actor pointing at the node; suppliers follow their victims
    s, t = edges["s"].to_numpy(), edges["t"].to_numpy()
    s, t = s[(s >= 0) & (t >= 0)], t[(s >= 0) & (t >= 0)]
    node_rank = np.full(n, np.nan)
    node_rank[actors["at"].to_numpy()] = np.arange(len(actors))
    home = _lowest(node_rank[s], t, n)
    home = np.where(np.isnan(home), _lowest(home[t], s, n), home)
    home = np.nan_to_num(home[at], nan=len(actors)).astype(int)
    weight = np.bincount(home, minlength=len(actors) + 1)
    if weight[-1] == 0:
        weight = weight[:-1]
    grouped = bool(group_by) and bool((group != "").any())
    gsort = np.where(group == "", "\uffff", group)  # unknown group last
    is_more = nodes["more"].to_numpy()[at] > 0
    group_code = pd.factorize(gsort, sort=True)[0]
    n_codes = int(group_code.max(initial=0)) + 1
    n_groups = len(pd.unique(home * n_codes + group_code)) if grouped else 0
    dense = len(at) + n_groups > slots
    # wedge by wedge, "+N more" last, group by group, then by label on a labelled ring; in a
    # dense field (no victim labels) in graph order instead, which for a feed is first claim
    # first. The label sort is Python's (far faster than numpy's on strings), the rest one
    # stable integer sort on top of it.
    labels = label.to_numpy(dtype=object)
    by_label = (np.arange(len(at)) if dense else
                np.array(sorted(range(len(at)), key=labels[at].tolist().__getitem__), dtype=np.int64))
    sort = by_label[np.argsort(((home * 2 + is_more) * n_codes + group_code)[by_label], kind="stable")]
    rows, home, is_more = at[sort], home[sort], is_more[sort]
    n_wedges = len(weight)
    cuts = np.searchsorted(home, np.arange(n_wedges + 1)).tolist()
    if not dense:
        others = pd.DataFrame({"node": nodes["node"].to_numpy(dtype=object)[rows],
                               "role": nodes["role"].to_numpy(dtype=object)[rows], "label": labels[rows],
                               "group": group[sort], "gsort": gsort[sort], "is_more": is_more,
                               "home": home, "at": rows})
    if n_wedges == 0:
        angles_a = spans = starts = np.zeros(0)
    else:
        counts = weight.astype(float)
        if not dense and grouped:
            counts = counts + others.groupby("home")["group"].nunique().reindex(range(n_wedges),
                                                                                fill_value=0).to_numpy()
        share = counts / max(counts.sum(), 1)
        if dense and min_span > 0 and n_wedges * min_span < 1.5 * math.pi:
            floor = min_span / (2 * math.pi)
            small = share < floor
            rest = share[~small].sum()
            if rest > 0:
                share = np.where(small, floor, share * (1 - floor * small.sum()) / rest)
        spans = 2 * math.pi * share / share.sum()
        starts = np.concatenate([[0.0], np.cumsum(spans)[:-1]])
        # clockwise from the top; on a labelled ring actors are kept apart for their labels
        angles_a = math.pi / 2 - _spread(starts + spans / 2, 0.0 if dense else actor_gap)
    r_a = 0.0 if len(actors) == 1 else _R_ACTOR
    act_angle = angles_a[: len(actors)] if len(angles_a) else np.zeros(len(actors))
    if len(actors) and len(angles_a) < len(actors):
        act_angle = math.pi / 2 - 2 * math.pi * (np.arange(len(actors)) + 0.5) / len(actors)
    act_at = actors["at"].to_numpy()
    columns = ["node", "role", "label", "x", "y", "angle", "home", "group", "dense", "at"]
    if dense:  # one frame, every column gathered once from the node table
        angle, x, y = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
        for h, (lo, hi) in enumerate(pairwise(cuts)):
            if hi > lo:
                angle[lo:hi], x[lo:hi], y[lo:hi] = _dense_block(is_more[lo:hi], starts[h], spans[h],
                                                                len(rows))
        where = np.concatenate([act_at, rows])
        label_col = labels[where]
        label_col[: len(act_at)] = nodes["label"].to_numpy(dtype=object)[act_at]  # actors' as given
        return pd.DataFrame({"node": nodes["node"].to_numpy(dtype=object)[where],
                             "role": nodes["role"].to_numpy(dtype=object)[where], "label": label_col,
                             "x": np.concatenate([r_a * np.cos(act_angle), x]),
                             "y": np.concatenate([r_a * np.sin(act_angle), y]),
                             "angle": np.concatenate([act_angle, angle]),
                             "home": np.concatenate([np.arange(len(act_at)), home]),
                             "group": np.concatenate([np.full(len(act_at), "", dtype=object), gsort[sort]]),
                             "dense": True, "at": where}, columns=columns)
    out = [_place_block(others.iloc[cuts[h]:cuts[h + 1]], h, start, span, grouped)
           for h, span, start in zip(range(n_wedges), spans, starts, strict=True) if cuts[h + 1] > cuts[h]]
    placed = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns[:-2])
    act = pd.DataFrame({"node": actors["node"], "role": "actor", "label": actors["label"], "angle": act_angle,
                        "home": np.arange(len(actors)), "group": "", "at": act_at})
    act["x"] = r_a * np.cos(act["angle"])
    act["y"] = r_a * np.sin(act["angle"])
    res = pd.concat([act, placed], ignore_index=True)
    res["dense"] = False
    return res[columns]


def _lowest(values: np.ndarray, by: np.ndarray, n: int) -> np.ndarray:
    """The smallest of ``values`` per ``by`` in ``range(n)`` (NaN values skipped; NaN where none)."""
    out = np.full(n, np.inf)
    ok = ~np.isnan(values)
    np.minimum.at(out, by[ok], values[ok])
    return np.where(np.isinf(out), np.nan, out)


def _spread(offsets: np.ndarray, gap: float) -> np.ndarray:
    """Clockwise offsets moved apart to at least ``gap`` radians, order kept, centred."""
    if gap <= 0 or len(offsets) < 2:
        return offsets
    if gap * len(offsets) >= 2 * math.pi:
        return 2 * math.pi * (np.arange(len(offsets)) + 0.5) / len(offsets)
    out = offsets.astype(float).copy()
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    return out - float(np.mean(out - offsets))


def _place_block(block: pd.DataFrame, home: int, start: float, span: float, grouped: bool) -> pd.DataFrame:
    """One wedge of a labelled ring: its victims, each group after a heading, evenly spaced."""
    rows = []
    for grp, members in block.groupby("gsort", sort=False):
        if grouped and not members["is_more"].all():
            rows.append({"node": f"{_HEADER}:{home}:{grp}", "role": _HEADER,
                         "label": members["group"].iat[0] or "unknown", "group": grp, "at": -1})
        rows += [{"node": n, "role": r, "label": la, "group": grp, "at": at}
                 for n, r, la, at in zip(members["node"], members["role"], members["label"],
                                         members["at"], strict=True)]
    frame = pd.DataFrame(rows)
    k = len(frame)
    theta = math.pi / 2 - (start + span * (np.arange(k) + 0.5) / k)
    frame["angle"] = theta
    frame["x"], frame["y"] = _R_OUT * np.cos(theta), _R_OUT * np.sin(theta)
    frame["home"] = home
    return frame


def _dense_block(is_more: np.ndarray, start: float, span: float, total: int) -> tuple[np.ndarray, ...]:
    """Angle, x and y of one wedge of a dense annulus: rows of dots, "+N more" just outside."""
    n = len(is_more)
    width = _R_OUT - _R_IN
    layers = max(1, round(math.sqrt(width * total / (2 * math.pi * (_R_IN + width / 2)))))
    layers = min(layers, n)
    cols = math.ceil(n / layers)
    i = np.arange(n)
    col, lay = i // layers, i % layers
    pad = 0.08 * span if span > 0.02 else 0.0
    theta = math.pi / 2 - (start + pad / 2 + (span - pad) * (col + 0.5) / cols)
    radius = _R_IN + width * (lay + 0.5) / layers if layers > 1 else np.full(n, _R_IN + width / 2)
    radius = np.where(is_more, _R_OUT + 0.04, radius)
    return theta, radius * np.cos(theta), radius * np.sin(theta)


_LEGEND_NAMES = {"confirmed": "confirmed", "reported": "reported", "claimed": "claimed (unconfirmed)",
                 "disputed": "disputed by victim", "via-supplier": "via a supplier",
                 "lineage": "rebrand / affiliate", "supplier": "supplier of"}



def graph(G: nx.DiGraph, *, top: int | None = None, per_actor: int | None = None,
          group_by: str | None = "sector", order: Sequence[str] | None = None,
          highlight: Sequence[str] = (), labels: bool | None = None, max_labels: int = 150,
          arrows: bool | None = None, legend: bool = True, title: str | None = None,
          ax: Axes | None = None, edge_kws: dict | None = None, label_kws: dict | None = None,
          **kwargs: Any) -> Axes:
    """Draw an actor → victim graph as a structured radial chart.

    Actors sit on an inner ring (a lone actor at the centre), each with a wedge of the outer ring
    sized by its victims; inside a wedge victims are grouped by ``group_by``. Edge line style
    codes the status (theme ``edges``: solid confirmed / reported, dashed claimed, dotted
    disputed, dash-dot via a supplier); node colours come from the theme's ``roles``; actor
    size grows with victim count. Up to ``max_labels`` ring slots every victim is labelled
    radially (labels cannot overlap: the font shrinks to the slot spacing); beyond that the
    wedge becomes a dense field of dots and only actors and ``highlight`` are labelled.

    Parameters
    ----------
    G : graph from :func:`analystkit.actor_victim_graph`, or the faster
        :func:`~analystkit.graph.actor_victim_tables` of a big feed (a posts table or case is
        made into those tables on the spot).
    top : draw only the ``top`` actors with most victims (the rest are counted in a note).
    per_actor : show at most this many victims per actor; the rest become a "+N more" node.
    group_by : ``'sector'``, ``'country'`` or None: victims of one actor are grouped by it.
    order : actor labels in wedge order (clockwise from the top); e.g. to keep two panels alike.
    highlight : victim labels drawn with a ring and always labelled (e.g. ``["Royal Mail"]``).
    labels : label every victim; None does so when they fit on one ring.
    max_labels : most ring slots (victims plus group headings) drawn as a labelled ring.
    arrows : draw arrowheads; None draws them when there are at most 2,000 edges.
    legend : draw a legend of node roles and of the edge styles present.
    title : Axes title.
    ax : Axes to draw on; a new 11 × 11 inch figure when None.
    edge_kws : extra properties for every edge ``LineCollection`` (e.g. ``alpha``, ``colors``). A
        dense chart of more than 50,000 edges draws each edge style as one image composited
        like the lines would be (only ``alpha``, ``colors`` and ``linewidths`` apply there).
    label_kws : extra properties for every label ``Text`` (e.g. ``fontfamily``).
    **kwargs : passed to the one ``Axes.scatter`` call that draws the victim nodes.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import analystkit as ak
    >>> G = ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))
    >>> ax = graph(G, title="Curated victims")
    >>> sorted(t.get_text() for t in ax.texts if t.get_text() in ("LockBit", "Royal Mail"))
    ['LockBit', 'Royal Mail']
    """
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(11, 11))
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.95)
    G = graph_of(G)
    if not (node_table(G)["role"].to_numpy(dtype=object) == "actor").any():
        return ax
    th = _theme.current()
    nodes, edges, more_actors = _tables(G, top, per_actor, tuple(highlight))
    nodes = nodes.assign(group=_group(G, nodes, group_by))
    fig = ax.figure
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.45)
    rend = renderer(fig)
    ax.apply_aspect()
    box = ax.get_window_extent(rend)
    half_px = min(box.width, box.height) / 2
    px_per_pt = fig.dpi / 72
    scale = half_px / px_per_pt / 1.45  # points per data unit (first estimate)
    actors = _frames(nodes, edges, order)
    pos = _layout(nodes, edges, group_by=group_by, order=order, slots=max_labels,
                  min_span=1.9 * 7.5 / (1.1 * scale), actor_gap=1.9 * 9.5 / (_R_ACTOR * scale),
                  actors=actors)
    dense = bool(pos["dense"].iat[0])
    act = pos.iloc[: len(actors)].assign(victims=actors["victims"].to_numpy())  # actors come first
    show_victims = (not dense) if labels is None else labels
    lkws = dict(label_kws or {})
    lim, texts = 1.45, []
    for _ in range(4):  # fit the labels: measure them, then set the limits so they all show
        scale = half_px / px_per_pt / lim
        texts = _labels(ax, pos, act, dense, show_victims, set(highlight), scale, lkws, th)
        new = _fit(ax, texts, pos, half_px, lim, rend)
        if abs(new - lim) < 0.01 * lim:
            break
        for t in texts:
            t.remove()
        lim, texts = new, []
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    if not texts:
        texts = _labels(ax, pos, act, dense, show_victims, set(highlight), scale, lkws, th)
    n_victims = int(pos["role"].isin(["victim", "supplier"]).sum())
    present, drawn = draw_edges(ax, pos, edges, len(nodes), dense=dense, arrows=arrows, scale=scale,
                                edge_kws=edge_kws, th=th, raster_above=_RASTER_EDGES)
    _draw_nodes(ax, pos, act, nodes, dense, set(highlight), scale, kwargs, th)
    if legend:
        _legend(ax, present, pos, th)
    note = f"{len(act):,} actor{'s' * (len(act) != 1)}, {n_victims:,} victim{'s' * (n_victims != 1)}"
    if more_actors:
        note += f"; {more_actors:,} smaller actor{'s' * (more_actors != 1)} not shown"
    if dense and not drawn:
        note += "\nedges run from each actor (inner ring) to its victims"
    ax.text(1.0, 0.0, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            color=th.muted).set_gid("note")
    if title:
        ax.set_title(_safe(title, max_len=120, defang_hosts=False))
    return ax


def _fit(ax: Axes, texts: list, pos: pd.DataFrame, half_px: float, lim: float, rend) -> float:
    """The axis half-width that makes every label fit inside the Axes (a few pixels spare)."""
    centre = ax.transData.transform((0.0, 0.0))
    s_px = half_px / lim
    best = s_px * 1.6
    for t in texts:
        r = getattr(t, "_ak_r", 0.0)
        if r <= 0:
            continue
        b = t.get_window_extent(rend)
        corners = np.array([[b.x0, b.y0], [b.x0, b.y1], [b.x1, b.y0], [b.x1, b.y1]]) - centre
        far = float(np.abs(corners).max()) if getattr(t, "_ak_square", True) else 0.0
        best = min(best, (half_px - 6 - (far - r * s_px)) / r)
    best = max(best, half_px / 4)
    return float(max(half_px / best, 1.08))


def _offset(ax: Axes, angle: float, points: float):
    from matplotlib.transforms import ScaledTranslation

    return ax.transData + ScaledTranslation(points * math.cos(angle) / 72,
                                            points * math.sin(angle) / 72, ax.figure.dpi_scale_trans)


def _radial_text(ax: Axes, x: float, y: float, angle: float, text: str, pad: float, **kws: Any):
    deg = math.degrees(angle) % 360
    flip = 90 < deg < 270
    t = ax.text(x, y, text, rotation=deg - 180 if flip else deg, rotation_mode="anchor",
                ha="right" if flip else "left", va="center", transform=_offset(ax, angle, pad), **kws)
    t._ak_r = math.hypot(x, y)
    return t


def _victim_fontsize(pos: pd.DataFrame, scale: float) -> float:
    n_slots = max(int((~pos["role"].eq("actor")).sum()), 1)
    return float(np.clip(2 * math.pi * _R_OUT * scale / n_slots / 1.5, 4.5, 8.5))


def _labels(ax: Axes, pos: pd.DataFrame, act: pd.DataFrame, dense: bool, show_victims: bool,
            highlight: set, scale: float, lkws: dict, th: _theme.Theme) -> list:
    texts = []
    fs = 7.5 if dense else _victim_fontsize(pos, scale)
    if show_victims and not dense:
        ring = pos[~pos["role"].eq("actor")]
        for row in ring.itertuples(index=False):
            if row.role == _HEADER:
                kws = {"fontsize": fs, "fontstyle": "italic", "color": th.muted, "fontweight": "bold"}
                text = _safe(row.label.replace("-", " ").upper(), max_len=28, defang_hosts=False)
            else:
                kws = {"fontsize": fs, "color": th.foreground,
                       "fontweight": "bold" if row.label in highlight else "normal"}
                text = _safe(row.label, max_len=30)
            t = _radial_text(ax, row.x, row.y, row.angle, text, 7.0 + fs * 0.3, **{**kws, **lkws})
            t.set_gid(f"label:{row.role}")
            texts.append(t)
    elif highlight:
        for row in pos[pos["label"].isin(highlight) & pos["role"].eq("victim")].itertuples(index=False):
            t = ax.annotate(_safe(row.label, max_len=30), (row.x, row.y),
                            xytext=(-34 * math.cos(row.angle), -34 * math.sin(row.angle)),
                            textcoords="offset points", ha="center", va="center", zorder=7,
                            arrowprops={"arrowstyle": "-", "color": th.foreground, "lw": 0.8,
                                        "shrinkB": 3},
                            **{"fontsize": 8, "fontweight": "bold", "color": th.foreground,
                               "bbox": {"boxstyle": "round,pad=0.2", "fc": th.background,
                                        "ec": th.muted, "lw": 0.6}, **lkws})
            t.set_gid("label:highlight")
            texts.append(t)
    single = len(act) == 1
    radii = np.sqrt(_actor_size(act["victims"].to_numpy(), dense)) / 2
    for row, radius in zip(act.itertuples(index=False), radii, strict=True):
        name = _safe(row.label, max_len=24)
        if dense or not show_victims:
            x, y = _R_OUT * math.cos(row.angle), _R_OUT * math.sin(row.angle)
            t = _radial_text(ax, x, y, row.angle, f"{name}  {row.victims:,}", 10.0,
                             **{"fontsize": fs, "fontweight": "bold", "color": th.roles["actor"], **lkws})
        elif single:
            t = ax.text(row.x, row.y, name, ha="center", va="center", zorder=6,
                        **{"fontsize": 10, "fontweight": "bold", "color": th.foreground,
                           "bbox": {"boxstyle": "round,pad=0.3", "fc": th.background,
                                    "ec": th.roles["actor"], "lw": 1.2}, **lkws})
            t._ak_r = 0.0
        else:  # on the inner ring, written outwards along the actor's fan, with a halo
            from matplotlib import patheffects

            halo = [patheffects.withStroke(linewidth=3, foreground=th.background)]
            t = _radial_text(ax, row.x, row.y, row.angle, name, float(radius) + 3, zorder=6,
                             **{"fontsize": 9, "fontweight": "bold", "color": th.foreground,
                                "path_effects": halo, **lkws})
            t._ak_r = 0.0
        t.set_gid("label:actor")
        texts.append(t)
    return texts


def _draw_nodes(ax: Axes, pos: pd.DataFrame, act: pd.DataFrame, nodes: pd.DataFrame, dense: bool,
                highlight: set, scale: float, kwargs: dict, th: _theme.Theme) -> None:
    role = pos["role"].to_numpy(dtype=object)
    x, y = pos["x"].to_numpy(dtype=float), pos["y"].to_numpy(dtype=float)
    vic = role == "victim"
    if dense:
        spacing = math.sqrt(math.pi * (_R_OUT**2 - _R_IN**2) / max(int(vic.sum()), 1)) * scale
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
    ax.scatter(act["x"], act["y"], s=_actor_size(act["victims"].to_numpy(), dense), c=th.roles["actor"],
               edgecolors=th.background, linewidths=1.0, zorder=5).set_gid("nodes:actor")


def _actor_size(victims: np.ndarray, dense: bool) -> np.ndarray:
    top = max(float(victims.max()) if len(victims) else 1.0, 1.0)
    return (40 if dense else 90) + (260 if dense else 420) * np.sqrt(victims / top)


def _legend(ax: Axes, present: list[str], pos: pd.DataFrame, th: _theme.Theme) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="none", color=th.roles["actor"], ms=8, label="actor"),
               Line2D([], [], marker="o", ls="none", color=th.roles["victim"], ms=5, label="victim")]
    if pos["role"].eq("supplier").any():
        handles.append(Line2D([], [], marker="s", ls="none", color=th.roles["supplier"], ms=5,
                              label="supplier"))
    if pos["role"].eq("more").any():
        handles.append(Line2D([], [], marker="o", ls="none", color=th.muted, ms=6,
                              label="+N more (rolled up)"))
    for key in present:
        if key == "more":
            continue
        style = th.edges.get(key, th.edges["reported"])
        color = {"supplier": th.roles["supplier"], "lineage": th.roles["actor"]}.get(key, th.foreground)
        handles.append(Line2D([], [], color=color, ls=style.get("linestyle", "solid"),
                              lw=style.get("width", 1.0), label=_LEGEND_NAMES.get(key, key)))
    leg = ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, handlelength=2.6,
                    borderaxespad=0.0)
    leg.set_gid("legend")


def before_after(data: Any, date: object, *, axes: Sequence[Axes] | None = None,
                 titles: tuple[str, str] | None = None, **graph_kws: Any) -> tuple[Axes, Axes]:
    """Two panels of the same actors: the graph of ``data`` before ``date`` and from ``date`` on.

    ``data`` is anything :func:`analystkit.actor_victim_graph` accepts; ``graph_kws`` go to
    :func:`graph` for both panels, which share one actor order (so wedges line up). With
    ``axes=None`` a new 1 × 2 figure is made. For other windows, build the graphs with
    ``actor_victim_graph(data, start=..., end=...)`` and call :func:`graph` on your own axes.

    Examples
    --------
    >>> import analystkit as ak
    >>> posts = ak.read_posts(DATA / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> a, b = before_after(posts, "2023-01-01", top=5, per_actor=10)
    >>> a.get_title(), b.get_title()
    ('Before 1 Jan 2023', 'From 1 Jan 2023')
    """
    stamp = pd.Timestamp(date)
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(17, 8.5))
    first, second = axes[0], axes[1]
    day = f"{stamp.day} {stamp:%b %Y}"
    names = titles or (f"Before {day}", f"From {day}")
    before = actor_victim_graph(data, end=stamp - pd.Timedelta(1, "ns"))
    after = actor_victim_graph(data, start=stamp)
    order = graph_kws.pop("order", None)
    if order is None:
        order = list(dict.fromkeys([*actors(before), *actors(after)]))
    graph(before, order=order, title=names[0], ax=first, **graph_kws)
    graph(after, order=order, title=names[1], ax=second, **graph_kws)
    return first, second
