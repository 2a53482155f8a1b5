"""The radial actor → victim layout of :func:`analystkit.plot.graph`, computed on tables.

Actors sit together on an inner ring (a single actor at the centre), each actor owns an angular
wedge of the outer ring sized by its victim count, and inside its wedge the victims are grouped
by sector (or country) in contiguous runs. With few victims every victim sits on one ring, with a
heading per group; with thousands the wedge fills with rows of dots. Everything is placed with
numpy in O(n log n).

The chart reads a graph once, as tables (:func:`graph_tables`: nodes, edges with the integer rows
``s`` / ``t`` of their ends, and the count of actors left out); :func:`place` works on those
tables only. :func:`layout` is the same placement for a graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..graph import TableGraph, actors
from ..graph.build import graph_of
from ..graph.tables import edge_index, edge_table, node_table, rollup_tables

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["HEADER", "R_ACTOR", "R_IN", "R_OUT", "actor_frame", "graph_tables", "has_actors", "layout",
           "node_groups", "place"]

R_ACTOR = 0.42           # inner ring of actors (several actors)
R_IN, R_OUT = 0.56, 1.0  # annulus of victims
HEADER = "header"        # role of a group heading on a labelled ring
_SMALL = 160             # at most this many ring slots: one labelled ring
_COLUMNS = ["node", "role", "label", "x", "y", "angle", "home", "group", "dense", "at"]


def has_actors(G: nx.DiGraph | TableGraph) -> bool:
    """Whether the graph (or its tables) holds any actor node."""
    return bool((node_table(G)["role"].to_numpy(dtype=object) == "actor").any())


def graph_tables(G: nx.DiGraph, top: int | None = None, per_actor: int | None = None,
                 keep: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Node and edge tables of ``G`` (rolled up when ``top`` / ``per_actor`` are given).

    Edges carry ``s`` / ``t``, the rows of their source and target in the node table, which is
    how the layout and the drawing find their ends (never by matching node keys). The third
    item is the number of actors left out.
    """
    if top is None and per_actor is None:
        edges = edge_table(G)
        src, dst = edge_index(G)
        edges = pd.DataFrame({"relation": edges["relation"].to_numpy(), "status": edges["status"].to_numpy(),
                              "s": src, "t": dst})
        return node_table(G), edges, int(G.graph.get("more_actors", 0))
    return rollup_tables(G, actors(G), top=top, per_actor=per_actor, keep=keep)


def node_groups(G: nx.DiGraph | TableGraph, nodes: pd.DataFrame, group_by: str | None) -> pd.Series:
    """The ``group_by`` value of every row of ``nodes`` as text ("" everywhere when None)."""
    if not group_by:
        return pd.Series("", index=nodes.index, dtype=object)
    if group_by in nodes.columns and group_by in ("sector", "country"):
        return nodes[group_by].astype(str)
    if isinstance(G, TableGraph):
        raise ValueError(f"group_by={group_by!r}: the tables of actor_victim_tables hold only 'sector' "
                         "and 'country'; build the graph with actor_victim_graph for other attributes")
    attr = dict(G.nodes(data=group_by, default=""))
    return nodes["node"].map(lambda n: str(attr.get(n, "")))


def actor_frame(nodes: pd.DataFrame, edges: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
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
    found = nodes.iloc[at].assign(victims=weight[at].astype(int), at=at)
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        found = found.assign(rank=found["label"].map(rank).fillna(len(rank)))
        found = found.sort_values(["rank", "victims", "label"], ascending=[True, False, True])
    else:
        found = found.sort_values(["victims", "label"], ascending=[False, True])
    return found.drop(columns="rank", errors="ignore").reset_index(drop=True)


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
    nodes, edges, _ = graph_tables(G)
    pos = place(nodes.assign(group=node_groups(G, nodes, group_by)), edges, group_by=group_by, order=order,
                slots=slots, min_span=min_span, actor_gap=actor_gap)
    return pos.drop(columns="at")


def place(nodes: pd.DataFrame, edges: pd.DataFrame, *, group_by: str | None,
          order: Sequence[str] | None, slots: int | None, min_span: float,
          actor_gap: float, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`layout` of the tables (``nodes`` with a ``group`` column), plus ``at``.

    ``at`` is the node row of each position (-1: a group heading). ``actors`` is the
    :func:`actor_frame` of the tables, when already made.
    """
    slots = _SMALL if slots is None else slots
    actors = actor_frame(nodes, edges, order) if actors is None else actors
    ring = _ring(nodes, edges, actors, group_by, slots)
    others = None if ring.dense else _ring_table(nodes, ring)
    spans, starts, angles = _wedges(ring, others, min_span, actor_gap)
    act_angle = _actor_angles(len(actors), angles)
    r_a = 0.0 if len(actors) == 1 else R_ACTOR
    if ring.dense:
        return _dense_frame(nodes, ring, actors, act_angle, r_a, spans, starts)
    return _ring_frame(others, ring, actors, act_angle, r_a, spans, starts)


@dataclass
class _Ring:
    """The non-actor nodes in placing order: wedge by wedge, "+N more" last, group by group."""

    rows: np.ndarray     # node row of each
    home: np.ndarray     # wedge of each
    is_more: np.ndarray  # a "+N more" node
    group: np.ndarray    # group ("" unknown)
    gsort: np.ndarray    # group, unknown as "\uffff" (sorts last)
    labels: np.ndarray   # the label of every node row, as text
    weight: np.ndarray   # nodes per wedge
    cuts: list[int]      # where each wedge starts in the order, and the end
    grouped: bool
    dense: bool


def _ring(nodes: pd.DataFrame, edges: pd.DataFrame, actors: pd.DataFrame, group_by: str | None,
          slots: int) -> _Ring:
    """The victims (and suppliers, "+N more") of the tables, homed and in placing order."""
    at = np.flatnonzero(nodes["role"].to_numpy(dtype=object) != "actor")
    label = nodes["label"]
    if pd.api.types.infer_dtype(label, skipna=False) != "string":
        label = label.astype(str)
    group = nodes["group"].to_numpy(dtype=object)[at]
    home = _homes(edges, actors, len(nodes))[at]
    home = np.nan_to_num(home, nan=len(actors)).astype(int)
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
    home = home[sort]
    cuts = np.searchsorted(home, np.arange(len(weight) + 1)).tolist()
    return _Ring(rows=at[sort], home=home, is_more=is_more[sort], group=group[sort], gsort=gsort[sort],
                 labels=labels, weight=weight, cuts=cuts, grouped=grouped, dense=dense)


def _homes(edges: pd.DataFrame, actors: pd.DataFrame, n: int) -> np.ndarray:
    """Per node row, the wedge of the highest-ranked actor pointing at it (NaN: none).

    Suppliers follow their victims.
    """
    s, t = edges["s"].to_numpy(), edges["t"].to_numpy()
    s, t = s[(s >= 0) & (t >= 0)], t[(s >= 0) & (t >= 0)]
    node_rank = np.full(n, np.nan)
    node_rank[actors["at"].to_numpy()] = np.arange(len(actors))
    home = _lowest(node_rank[s], t, n)
    return np.where(np.isnan(home), _lowest(home[t], s, n), home)


def _ring_table(nodes: pd.DataFrame, ring: _Ring) -> pd.DataFrame:
    """The ring nodes of a labelled ring as a frame, in placing order."""
    rows = ring.rows
    return pd.DataFrame({"node": nodes["node"].to_numpy(dtype=object)[rows],
                         "role": nodes["role"].to_numpy(dtype=object)[rows], "label": ring.labels[rows],
                         "group": ring.group, "gsort": ring.gsort, "is_more": ring.is_more,
                         "home": ring.home, "at": rows})


def _wedges(ring: _Ring, others: pd.DataFrame | None, min_span: float,
            actor_gap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Span and start (clockwise from the top) of each wedge, and the angle of its actor."""
    n_wedges = len(ring.weight)
    if n_wedges == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    counts = ring.weight.astype(float)
    if not ring.dense and ring.grouped:  # each group heading takes a slot
        counts = counts + others.groupby("home")["group"].nunique().reindex(range(n_wedges),
                                                                            fill_value=0).to_numpy()
    share = counts / max(counts.sum(), 1)
    if ring.dense and min_span > 0 and n_wedges * min_span < 1.5 * math.pi:
        floor = min_span / (2 * math.pi)
        small = share < floor
        rest = share[~small].sum()
        if rest > 0:
            share = np.where(small, floor, share * (1 - floor * small.sum()) / rest)
    spans = 2 * math.pi * share / share.sum()
    starts = np.concatenate([[0.0], np.cumsum(spans)[:-1]])
    # clockwise from the top; on a labelled ring actors are kept apart for their labels
    angles = math.pi / 2 - _spread(starts + spans / 2, 0.0 if ring.dense else actor_gap)
    return spans, starts, angles


def _actor_angles(n_actors: int, angles: np.ndarray) -> np.ndarray:
    """The angle of each actor: its wedge's, or evenly round when actors outnumber wedges."""
    act_angle = angles[:n_actors] if len(angles) else np.zeros(n_actors)
    if n_actors and len(angles) < n_actors:
        act_angle = math.pi / 2 - 2 * math.pi * (np.arange(n_actors) + 0.5) / n_actors
    return act_angle


def _dense_frame(nodes: pd.DataFrame, ring: _Ring, actors: pd.DataFrame, act_angle: np.ndarray,
                 r_a: float, spans: np.ndarray, starts: np.ndarray) -> pd.DataFrame:
    """Positions of a dense annulus: one frame, every column gathered once from the node table."""
    rows, is_more = ring.rows, ring.is_more
    angle, x, y = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    for h, (lo, hi) in enumerate(pairwise(ring.cuts)):
        if hi > lo:
            angle[lo:hi], x[lo:hi], y[lo:hi] = _dense_block(is_more[lo:hi], starts[h], spans[h], len(rows))
    act_at = actors["at"].to_numpy()
    where = np.concatenate([act_at, rows])
    label_col = ring.labels[where]
    label_col[: len(act_at)] = nodes["label"].to_numpy(dtype=object)[act_at]  # actors' as given
    return pd.DataFrame({"node": nodes["node"].to_numpy(dtype=object)[where],
                         "role": nodes["role"].to_numpy(dtype=object)[where], "label": label_col,
                         "x": np.concatenate([r_a * np.cos(act_angle), x]),
                         "y": np.concatenate([r_a * np.sin(act_angle), y]),
                         "angle": np.concatenate([act_angle, angle]),
                         "home": np.concatenate([np.arange(len(act_at)), ring.home]),
                         "group": np.concatenate([np.full(len(act_at), "", dtype=object), ring.gsort]),
                         "dense": True, "at": where}, columns=_COLUMNS)


def _ring_frame(others: pd.DataFrame, ring: _Ring, actors: pd.DataFrame, act_angle: np.ndarray,
                r_a: float, spans: np.ndarray, starts: np.ndarray) -> pd.DataFrame:
    """Positions of a labelled ring: the actors, then wedge by wedge its victims and headings."""
    cuts = ring.cuts
    out = [_place_block(others.iloc[cuts[h]:cuts[h + 1]], h, start, span, ring.grouped)
           for h, span, start in zip(range(len(ring.weight)), spans, starts, strict=True)
           if cuts[h + 1] > cuts[h]]
    placed = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=_COLUMNS[:-2])
    act = pd.DataFrame({"node": actors["node"], "role": "actor", "label": actors["label"], "angle": act_angle,
                        "home": np.arange(len(actors)), "group": "", "at": actors["at"].to_numpy()})
    act["x"] = r_a * np.cos(act["angle"])
    act["y"] = r_a * np.sin(act["angle"])
    res = pd.concat([act, placed], ignore_index=True)
    res["dense"] = False
    return res[_COLUMNS]


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
            rows.append({"node": f"{HEADER}:{home}:{grp}", "role": HEADER,
                         "label": members["group"].iat[0] or "unknown", "group": grp, "at": -1})
        rows += [{"node": n, "role": r, "label": la, "group": grp, "at": at}
                 for n, r, la, at in zip(members["node"], members["role"], members["label"],
                                         members["at"], strict=True)]
    frame = pd.DataFrame(rows)
    k = len(frame)
    theta = math.pi / 2 - (start + span * (np.arange(k) + 0.5) / k)
    frame["angle"] = theta
    frame["x"], frame["y"] = R_OUT * np.cos(theta), R_OUT * np.sin(theta)
    frame["home"] = home
    return frame


def _dense_block(is_more: np.ndarray, start: float, span: float, total: int) -> tuple[np.ndarray, ...]:
    """Angle, x and y of one wedge of a dense annulus: rows of dots, "+N more" just outside."""
    n = len(is_more)
    width = R_OUT - R_IN
    layers = max(1, round(math.sqrt(width * total / (2 * math.pi * (R_IN + width / 2)))))
    layers = min(layers, n)
    cols = math.ceil(n / layers)
    i = np.arange(n)
    col, lay = i // layers, i % layers
    pad = 0.08 * span if span > 0.02 else 0.0
    theta = math.pi / 2 - (start + pad / 2 + (span - pad) * (col + 0.5) / cols)
    radius = R_IN + width * (lay + 0.5) / layers if layers > 1 else np.full(n, R_IN + width / 2)
    radius = np.where(is_more, R_OUT + 0.04, radius)
    return theta, radius * np.cos(theta), radius * np.sin(theta)
