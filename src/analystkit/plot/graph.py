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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import theme as _theme
from .._graphtables import edge_table, node_table, rollup_tables
from ..graph import actor_victim_graph, actors
from ..text import label as _safe

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
    """Node and edge tables of ``G`` (rolled up when ``top`` / ``per_actor`` are given)."""
    if top is None and per_actor is None:
        return node_table(G), edge_table(G), int(G.graph.get("more_actors", 0))
    return rollup_tables(G, actors(G), top=top, per_actor=per_actor, keep=keep)


def _frames(nodes: pd.DataFrame, edges: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """The actors, with their victim counts ("+N more" included), in wedge order."""
    is_actor = nodes["role"].eq("actor")
    actor_nodes = nodes.loc[is_actor, "node"]
    claims = edges[edges["source"].isin(actor_nodes) & ~edges["target"].isin(actor_nodes)]
    weight = claims.groupby("source")["target"].nunique()
    more = claims["target"].map(nodes.set_index("node")["more"])
    weight = weight.add(more.groupby(claims["source"]).sum()
                        .sub(more.gt(0).groupby(claims["source"]).sum()), fill_value=0)
    actors = nodes[is_actor].assign(victims=lambda d: d["node"].map(weight).fillna(0).astype(int))
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
        out as a dense annulus instead.
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
    nodes, edges = node_table(G), edge_table(G)
    return _layout(nodes.assign(group=_group(G, nodes, group_by)), edges, group_by=group_by, order=order,
                   slots=slots, min_span=min_span, actor_gap=actor_gap)


def _layout(nodes: pd.DataFrame, edges: pd.DataFrame, *, group_by: str | None,
            order: Sequence[str] | None, slots: int | None, min_span: float,
            actor_gap: float, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    slots = _SMALL if slots is None else slots
    actors = _frames(nodes, edges, order) if actors is None else actors
    nodes = nodes[["node", "role", "label", "group", "more"]].astype({"label": str})
    others = nodes[~nodes["role"].eq("actor")].copy()
    # home actor: the highest-ranked actor pointing at the node; suppliers follow their victims
    where = pd.Index(nodes["node"])
    s_idx, t_idx = where.get_indexer(edges["source"]), where.get_indexer(edges["target"])
    valid = (s_idx >= 0) & (t_idx >= 0)
    s_idx, t_idx = s_idx[valid], t_idx[valid]
    node_rank = np.full(len(nodes), np.nan)
    node_rank[where.get_indexer(actors["node"])] = np.arange(len(actors))

    def lowest(values: np.ndarray, by: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(values)
        return pd.Series(values[ok]).groupby(by[ok]).min().reindex(range(len(nodes))).to_numpy()

    home = lowest(node_rank[s_idx], t_idx)
    home = np.where(np.isnan(home), lowest(home[t_idx], s_idx), home)
    at = where.get_indexer(others["node"])
    others["home"] = np.nan_to_num(home[at], nan=len(actors)).astype(int)
    weight = others.groupby("home").size().reindex(range(len(actors) + 1), fill_value=0)
    if weight.iloc[-1] == 0:
        weight = weight.iloc[:-1]
    grouped = bool(group_by) and others["group"].ne("").any()
    others["gsort"] = others["group"].replace("", "\uffff")  # unknown group last
    others = others.assign(is_more=others["more"].gt(0))
    labels = others["label"].to_numpy(dtype=object)
    by_label = np.empty(len(labels), dtype=np.int64)  # Python's string sort: far faster than numpy's
    by_label[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(labels))
    group_code = pd.factorize(others["gsort"], sort=True)[0]
    others = others.iloc[np.lexsort((by_label, group_code, others["is_more"].to_numpy(),
                                     others["home"].to_numpy()))]
    dense = len(others) + (others.groupby(["home", "group"]).ngroups if grouped else 0) > slots
    n_wedges = len(weight)
    out = []
    if n_wedges == 0:
        angles_a = np.zeros(0)
    else:
        counts = weight.to_numpy(dtype=float)
        if not dense and grouped:
            counts = counts + others.groupby("home")["group"].nunique().reindex(weight.index,
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
        for h, span, start in zip(weight.index, spans, starts, strict=True):
            block = others[others["home"] == h]
            if len(block):
                out.append(_place_block(block, h, start, span, dense, grouped, len(others)))
    placed = pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["node", "role", "label", "x", "y", "angle", "home", "group"])
    single = len(actors) == 1
    r_a = 0.0 if single else _R_ACTOR
    act = pd.DataFrame({"node": actors["node"], "role": "actor", "label": actors["label"],
                        "angle": angles_a[: len(actors)] if len(angles_a) else np.zeros(len(actors)),
                        "home": np.arange(len(actors)), "group": ""})
    if len(act) and len(angles_a) < len(actors):
        act["angle"] = math.pi / 2 - 2 * math.pi * (np.arange(len(actors)) + 0.5) / len(actors)
    act["x"] = r_a * np.cos(act["angle"])
    act["y"] = r_a * np.sin(act["angle"])
    res = pd.concat([act, placed], ignore_index=True)
    res["dense"] = dense
    return res[["node", "role", "label", "x", "y", "angle", "home", "group", "dense"]]


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


def _place_block(block: pd.DataFrame, home: int, start: float, span: float, dense: bool,
                 grouped: bool, total: int) -> pd.DataFrame:
    if not dense:
        rows = []
        for grp, members in block.groupby("gsort", sort=False):
            if grouped and not members["is_more"].all():
                rows.append({"node": f"{_HEADER}:{home}:{grp}", "role": _HEADER,
                             "label": members["group"].iat[0] or "unknown", "group": grp})
            rows += [{"node": n, "role": r, "label": la, "group": grp}
                     for n, r, la in zip(members["node"], members["role"], members["label"], strict=True)]
        frame = pd.DataFrame(rows)
        k = len(frame)
        theta = math.pi / 2 - (start + span * (np.arange(k) + 0.5) / k)
        frame["angle"] = theta
        frame["x"], frame["y"] = _R_OUT * np.cos(theta), _R_OUT * np.sin(theta)
        frame["home"] = home
        return frame
    n = len(block)
    width = _R_OUT - _R_IN
    layers = max(1, round(math.sqrt(width * total / (2 * math.pi * (_R_IN + width / 2)))))
    layers = min(layers, n)
    cols = math.ceil(n / layers)
    i = np.arange(n)
    col, lay = i // layers, i % layers
    pad = 0.08 * span if span > 0.02 else 0.0
    theta = math.pi / 2 - (start + pad / 2 + (span - pad) * (col + 0.5) / cols)
    radius = _R_IN + width * (lay + 0.5) / layers if layers > 1 else np.full(n, _R_IN + width / 2)
    more = block["is_more"].to_numpy()
    radius = np.where(more, _R_OUT + 0.04, radius)
    return pd.DataFrame({"node": block["node"].to_numpy(), "role": block["role"].to_numpy(),
                         "label": block["label"].to_numpy(), "group": block["gsort"].to_numpy(),
                         "angle": theta, "x": radius * np.cos(theta), "y": radius * np.sin(theta),
                         "home": home})


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
    G : graph from :func:`analystkit.actor_victim_graph`.
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
    if not any(d.get("role") == "actor" for _, d in G.nodes(data=True)):
        return ax
    from ._labels import renderer

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
    act = pos[pos["role"].eq("actor")].merge(actors[["node", "victims"]], on="node")
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
    present, drawn = _draw_edges(ax, pos, edges, dense, arrows, scale, edge_kws, th)
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


def _draw_edges(ax: Axes, pos: pd.DataFrame, edges: pd.DataFrame, dense: bool, arrows: bool | None,
                scale: float, edge_kws: dict | None, th: _theme.Theme) -> tuple[list[str], bool]:
    from matplotlib.collections import LineCollection, PolyCollection

    placed = pos.drop_duplicates("node")
    where = pd.Index(placed["node"])
    i_src, i_dst = where.get_indexer(edges["source"]), where.get_indexer(edges["target"])
    ok = (i_src >= 0) & (i_dst >= 0)
    edges, i_src, i_dst = edges[ok], i_src[ok], i_dst[ok]
    xy = placed[["x", "y"]].to_numpy(dtype=float)
    src, dst = xy[i_src], xy[i_dst]
    relation, status = edges["relation"], edges["status"]
    keys = status.where(status.isin(["confirmed", "reported", "claimed", "disputed"]), "reported")
    keys = keys.where(~relation.isin(["rebrand-of", "affiliate-of"]), "lineage")
    keys = keys.where(relation.ne("via-supplier"), "via-supplier")
    keys = keys.where(relation.ne("supplier-of"), "supplier").to_numpy(dtype=object)
    keys = np.where(placed["role"].to_numpy()[i_dst] == "more", "more", keys)
    vec = dst - src
    unit = vec / np.maximum(np.hypot(vec[:, 0], vec[:, 1]), 1e-12)[:, None]
    tip = dst - unit * ((1.5 if dense else 5.5) / scale)
    n = len(edges)
    draw_arrows = (n <= 2000) if arrows is None else bool(arrows)
    ekws = dict(edge_kws or {})
    alpha = ekws.pop("alpha", float(np.clip(6 / math.sqrt(max(n, 1)), 0.02, 0.3)) if dense else 0.8)
    present = []
    for key in ("confirmed", "reported", "claimed", "disputed", "via-supplier", "supplier", "lineage",
                "more"):
        mask = keys == key
        if not mask.any():
            continue
        present.append(key)
        style = th.edges.get("claimed" if key == "more" else key, th.edges["reported"])
        color = {"supplier": th.roles["supplier"], "lineage": th.roles["actor"],
                 "more": th.muted}.get(key, th.foreground)
        lw = style.get("width", 1.0) * (0.4 if dense else 1.0)
        a = alpha if key not in ("lineage", "supplier") else max(alpha, 0.85)
        if dense and n > _RASTER_EDGES and not draw_arrows:
            _raster_lines(ax, src[mask], tip[mask], ekws.get("colors", color),
                          ekws.get("linewidths", lw), a).set_gid(f"edges:{key}")
            continue
        lc = LineCollection(np.stack([src[mask], tip[mask]], axis=1),
                            **{"colors": color, "linestyles": style.get("linestyle", "solid"),
                               "linewidths": lw, "alpha": a, "zorder": 1, **ekws})
        lc.set_gid(f"edges:{key}")
        ax.add_collection(lc)
        if draw_arrows:
            head = _arrowheads(tip[mask], unit[mask], (3.0 if dense else 7.0) / scale)
            pc = PolyCollection(head, facecolors=color, edgecolors="none", alpha=min(1.0, a + 0.15),
                                zorder=2)
            pc.set_gid(f"arrows:{key}")
            ax.add_collection(pc)
    return present, draw_arrows


def _raster_lines(ax: Axes, start: np.ndarray, end: np.ndarray, color: Any, width: float,
                  alpha: float):
    """Many thin translucent lines as one image that composites like the lines would.

    Each line is sampled once per pixel of its length on a grid the size of the Axes in pixels; a pixel's
    opacity is ``1 - (1 - alpha) ** coverage``, where ``coverage`` is the summed length (px) times
    width (px) of the lines crossing it, as Agg blends overlapping translucent strokes. Used for
    dense fields of tens of thousands of edges, where a ``LineCollection`` would take minutes to
    draw and looks the same (dashes are invisible at that width and alpha).
    """
    from matplotlib.colors import to_rgb
    from matplotlib.image import AxesImage

    box = ax.get_window_extent()
    size = max(round(min(box.width, box.height)), 16)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width_px = float(width) * ax.figure.dpi / 72
    origin = np.array([x0, y0])
    span = np.array([x1 - x0, y1 - y0])
    p = ((start - origin) / span * size).astype(np.float32)
    d = ((end - origin) / span * size).astype(np.float32) - p
    length = np.hypot(d[:, 0], d[:, 1])
    steps = np.maximum(np.ceil(length).astype(np.int64), 1)  # one sample per pixel of length
    d /= steps[:, None]
    weight = (length / steps).astype(np.float32)
    cover = np.zeros(size * size, dtype=np.float64)
    total = np.cumsum(steps)
    cuts = np.searchsorted(total, np.arange(2_000_000, total[-1], 2_000_000)) + 1
    bounds = np.unique(np.r_[0, cuts, len(steps)])  # chunks of about 2 million samples
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        m = steps[lo:hi]
        seg = np.repeat(np.arange(lo, hi, dtype=np.int32), m)
        k = np.arange(len(seg), dtype=np.float32)
        k -= np.repeat((np.cumsum(m) - m).astype(np.float32), m)
        k += 0.5
        x = (p[seg, 0] + d[seg, 0] * k).astype(np.int32)
        y = (p[seg, 1] + d[seg, 1] * k).astype(np.int32)
        ok = (x >= 0) & (x < size) & (y >= 0) & (y < size)
        cover += np.bincount((y * size + x)[ok], weights=weight[seg][ok], minlength=size * size)
    image = np.zeros((size, size, 4))
    image[..., :3] = to_rgb(color)
    image[..., 3] = 1 - (1 - alpha) ** (cover.reshape(size, size) * min(width_px, 1.0))
    im = AxesImage(ax, extent=(x0, x1, y0, y1), origin="lower", interpolation="antialiased", zorder=1)
    im.set_data(image)
    ax.add_image(im)
    return im


def _draw_nodes(ax: Axes, pos: pd.DataFrame, act: pd.DataFrame, nodes: pd.DataFrame, dense: bool,
                highlight: set, scale: float, kwargs: dict, th: _theme.Theme) -> None:
    vic = pos[pos["role"].eq("victim")]
    if dense:
        spacing = math.sqrt(math.pi * (_R_OUT**2 - _R_IN**2) / max(len(vic), 1)) * scale
        size = float(np.clip((0.8 * spacing) ** 2, 0.3, 30.0))
    else:
        size = 42.0
    sc = ax.scatter(vic["x"], vic["y"], **{"s": size, "c": th.roles["victim"], "linewidths": 0.0 if dense
                                           else 0.6, "edgecolors": th.background, "zorder": 3, **kwargs})
    sc.set_gid("nodes:victim")
    sup = pos[pos["role"].eq("supplier")]
    if len(sup):
        ax.scatter(sup["x"], sup["y"], s=size * 1.5, c=th.roles["supplier"], marker="s",
                   edgecolors=th.background, linewidths=0.6, zorder=3).set_gid("nodes:supplier")
    more = pos[pos["role"].eq("more")]
    if len(more):
        m = more["node"].map(nodes.set_index("node")["more"]).fillna(1).to_numpy(dtype=float)
        ax.scatter(more["x"], more["y"], s=30 + 10 * np.sqrt(m), c=th.muted, marker="o",
                   edgecolors=th.background, zorder=3).set_gid("nodes:more")
    hl = vic[vic["label"].isin(highlight)]
    if len(hl):
        ax.scatter(hl["x"], hl["y"], s=max(size * 3.5, 70), facecolors="none", edgecolors=th.foreground,
                   linewidths=1.3, zorder=4).set_gid("nodes:highlight")
    ax.scatter(act["x"], act["y"], s=_actor_size(act["victims"].to_numpy(), dense), c=th.roles["actor"],
               edgecolors=th.background, linewidths=1.0, zorder=5).set_gid("nodes:actor")


def _actor_size(victims: np.ndarray, dense: bool) -> np.ndarray:
    top = max(float(victims.max()) if len(victims) else 1.0, 1.0)
    return (40 if dense else 90) + (260 if dense else 420) * np.sqrt(victims / top)


def _arrowheads(tip: np.ndarray, unit: np.ndarray, length: float) -> np.ndarray:
    normal = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    back = tip - unit * length
    return np.stack([tip, back + normal * length * 0.42, back - normal * length * 0.42], axis=1)


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
    from ..graph import actors as _actors

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
        order = list(dict.fromkeys([*_actors(before), *_actors(after)]))
    graph(before, order=order, title=names[0], ax=first, **graph_kws)
    graph(after, order=order, title=names[1], ax=second, **graph_kws)
    return first, second
