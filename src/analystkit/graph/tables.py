"""Tables behind the graph metrics and charts, cached on the graph they describe.

The metrics in :mod:`analystkit.graph` and the chart :func:`analystkit.plot.graph` read a graph as
pandas tables (nodes, edges, actor → organisation claims) rather than walking networkx dicts; the
tables are made once per graph and kept in networkx's own per-graph cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["CACHE_KEY", "EDGE_COLUMNS", "NODE_COLUMNS", "claim_codes", "claim_table", "edge_index",
           "edge_table", "graph_cache", "node_table", "rollup_tables", "sort_by", "store_tables"]

_NAT = pd.NaT

# ---------------------------------------------------------------------------------------------
# per-graph cache of the tables the metrics and the chart read
#
# The tables live in networkx's own per-graph cache (``G.__networkx_cache__``), which networkx
# empties whenever nodes or edges are added or removed (and they are checked against the node
# count). After editing attributes in place, call ``G.__networkx_cache__.clear()``
# (networkx asks the same for its own cached conversions).

CACHE_KEY = "analystkit"
EDGE_COLUMNS = ["source", "target", "source_label", "target_label", "source_role", "target_role",
                 "first", "last", "count", "relation", "status", "sources", "via"]


def graph_cache(G: nx.DiGraph) -> dict:
    store = getattr(G, "__networkx_cache__", None)
    if store is None:
        return {}
    sig = len(G)
    entry = store.get(CACHE_KEY)
    if entry is None or entry.get("sig") != sig:
        entry = store[CACHE_KEY] = {"sig": sig}
    return entry


def store_tables(G: nx.DiGraph, **tables: pd.DataFrame) -> None:
    graph_cache(G).update(tables)


def edge_table(G: nx.DiGraph) -> pd.DataFrame:
    cache = graph_cache(G)
    if "edges" in cache:
        return cache["edges"]
    nodes = node_table(G).set_index("node")
    u, v, d = [], [], []
    for a, nbrs in G.adj.items():
        for b, data in nbrs.items():
            u.append(a)
            v.append(b)
            d.append(data)

    def col(name, default):
        return [e.get(name, default) for e in d]

    out = pd.DataFrame({
        "source": u, "target": v,
        "source_label": nodes["label"].reindex(u).to_numpy(),
        "target_label": nodes["label"].reindex(v).to_numpy(),
        "source_role": nodes["role"].reindex(u).to_numpy(),
        "target_role": nodes["role"].reindex(v).to_numpy(),
        "first": pd.to_datetime(col("first", _NAT), utc=True),
        "last": pd.to_datetime(col("last", _NAT), utc=True),
        "count": np.array([int(c) for c in col("count", 1)], dtype="int64"),
        "relation": col("relation", ""), "status": col("status", ""),
        "sources": [tuple(s) for s in col("sources", ())], "via": col("via", "")}, columns=EDGE_COLUMNS)
    cache["edges"] = out
    return out


#: Columns of :func:`node_table`; the origins say where a victim's sector and country came from
#: (``curated``, ``feed``, ``inferred``; ``""`` when nothing says).
NODE_COLUMNS = ["node", "role", "label", "sector", "country", "more", "sector_origin", "country_origin"]


def node_table(G: nx.DiGraph) -> pd.DataFrame:
    """Every node as a row: :data:`NODE_COLUMNS` (cached)."""
    cache = graph_cache(G)
    if "nodes" in cache:
        return cache["nodes"]
    out = pd.DataFrame([(n, d.get("role", ""), d.get("label", n.split(":", 1)[-1]),
                         _text(d.get("sector")), _text(d.get("country")), int(d.get("more", 0)),
                         _text(d.get("sector_origin")), _text(d.get("country_origin")))
                        for n, d in G.nodes(data=True)], columns=NODE_COLUMNS)
    cache["nodes"] = out
    return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None or pd.isna(value) else str(value)


def claim_table(G: nx.DiGraph) -> pd.DataFrame:
    """Actor → organisation edges (not lineage, not supplier links), with victim facts (cached).

    The cached table is shared: callers derive new frames from it and never change it.
    """
    cache = graph_cache(G)
    if "claims" in cache:
        return cache["claims"]
    df = edge_table(G)
    df = df[(df["source_role"] == "actor") & (df["target_role"].isin(["victim", "supplier"]))]
    nodes = node_table(G).set_index("node")
    df = df.assign(**{c: nodes[c].reindex(df["target"]).fillna("").to_numpy()
                      for c in ("sector", "country", "sector_origin", "country_origin")})
    out = df.rename(columns={"source_label": "actor", "target_label": "victim"}).reset_index(drop=True)
    cache["claims"] = out
    return out


def claim_codes(G: nx.DiGraph) -> dict[str, np.ndarray]:
    """Integer codes of :func:`claim_table` rows (cached, shared; never change them in place).

    ``actor``: index into ``actor_names`` (sorted by name); ``target``: index into ``targets``
    (organisation node keys). Grouping on these is what makes the metrics fast on big feeds.
    """
    cache = graph_cache(G)
    if "claim_codes" not in cache:
        claims = claim_table(G)
        actor, names = pd.factorize(claims["actor"], sort=True)
        target, targets = pd.factorize(claims["target"])
        cache["claim_codes"] = {"actor": actor.astype(np.int64),
                                "actor_names": np.asarray(names, dtype=object),
                                "target": target.astype(np.int64),
                                "targets": np.asarray(targets, dtype=object)}
    return cache["claim_codes"]


class _Shown(NamedTuple):
    """The claims a roll-up shows: edge ``rows`` (by actor, largest first), the ``pos`` of their
    actor among the kept ones, and the number of claims ``hidden`` behind each kept actor."""

    rows: np.ndarray
    pos: np.ndarray
    hidden: np.ndarray


class _More(NamedTuple):
    """The "+N more" nodes: their rows, which kept actors have one (``owner``), their node ids."""

    nodes: pd.DataFrame
    owner: np.ndarray
    ids: np.ndarray
    again: bool  # some are in the graph already (a graph rolled up before)


def rollup_tables(G: nx.DiGraph, ranked: list[str], *, top: int | None, per_actor: int | None,
                  keep: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """:func:`~analystkit.graph.rollup` as tables, in the graph's node and edge order.

    Nodes as ``_nodes`` plus ``new`` (a "+N more" node); edges with ``source``, ``target``,
    ``relation``, ``status``, ``count``, ``row`` (the edge's row in ``edge_table(G)``, -1 for a
    "+N more" edge) and ``s`` / ``t`` (the rows of its source and target in the returned nodes,
    so that no caller has to match node keys again); and the number of actors left out.
    """
    chosen = ranked if top is None else ranked[:top]
    nodes, edges = node_table(G), edge_table(G)
    src, dst = edge_index(G)
    find = _finder(nodes)
    more_actors = len(ranked) - len(chosen) + int(G.graph.get("more_actors", 0))
    kept, kept_at = _kept_actors(nodes, ranked, chosen, find, lineage=top is None)
    shown = _shown_claims(nodes, edges, src, dst, kept_at, per_actor, keep)
    more = _more_nodes(nodes, kept_at, shown.hidden, find)
    r_nodes, ids = _rollup_nodes(nodes, kept_at, dst[shown.rows], shown.pos, more)
    at = np.full(len(nodes) + len(more.owner), -1, dtype=np.int64)  # row in r_nodes of each node
    at[ids] = np.arange(len(ids))
    r_edges = _rollup_edges(edges, src, dst, at, shown, more, kept, kept_at, len(r_nodes))
    return r_nodes, r_edges, more_actors


def _finder(nodes: pd.DataFrame) -> Callable[[list[str]], np.ndarray]:
    """Rows in ``nodes`` of actor and "+N more" keys (-1 when absent).

    Those keys are looked up among those nodes only (keys never collide across roles).
    """
    role = nodes["role"].to_numpy(dtype=object)
    special = np.flatnonzero((role == "actor") | (role == "more"))
    where = pd.Index(nodes["node"].to_numpy(dtype=object)[special])

    def find(keys: list[str]) -> np.ndarray:
        at = where.get_indexer(keys)
        out = np.full(len(at), -1, dtype=np.int64)
        out[at >= 0] = special[at[at >= 0]]
        return out

    return find


def _kept_actors(nodes: pd.DataFrame, ranked: list[str], chosen: list[str],
                 find: Callable[[list[str]], np.ndarray], *, lineage: bool) -> tuple[np.ndarray, np.ndarray]:
    """Keys and node rows of the actors kept: ``chosen``, then (``lineage``) those not ``ranked``."""
    kept = [f"actor:{a}" for a in chosen]
    if lineage:  # actors seen only in lineage links are kept as well
        actor_at = np.flatnonzero(nodes["role"].to_numpy(dtype=object) == "actor")
        unranked = ~nodes["label"].take(actor_at).isin(ranked).to_numpy()
        kept += nodes["node"].to_numpy(dtype=object)[actor_at[unranked]].tolist()
    kept_at = find(kept)
    return np.asarray(kept, dtype=object)[kept_at >= 0], kept_at[kept_at >= 0]


def _shown_claims(nodes: pd.DataFrame, edges: pd.DataFrame, src: np.ndarray, dst: np.ndarray,
                  kept_at: np.ndarray, per_actor: int | None, keep: Sequence[str]) -> _Shown:
    """The kept actors' claims, by actor, largest count first, then oldest, then by label.

    With ``per_actor``, the ``per_actor`` largest of each actor and every victim in ``keep``.
    """
    role = nodes["role"].to_numpy(dtype=object)
    position = np.full(len(nodes), -1, dtype=np.int64)
    position[kept_at] = np.arange(len(kept_at))
    to_org = (role == "victim") | (role == "supplier") | (role == "more")
    rows = np.flatnonzero((position[src] >= 0) & to_org[dst])
    first_ns = edges["first"].array.asi8[rows]
    keys = pd.DataFrame({"pos": position[src[rows]], "neg": -edges["count"].to_numpy()[rows],
                         "first_ns": np.where(first_ns == _NAT.value, np.iinfo(np.int64).max, first_ns),
                         "label": edges["target_label"].to_numpy(dtype=object)[rows]})
    order = sort_by(keys, ["pos", "neg", "first_ns"], "label").index.to_numpy()
    rows, pos = rows[order], keys["pos"].to_numpy()[order]
    if per_actor is None:
        return _Shown(rows, pos, np.zeros(len(kept_at)).astype(np.int64))
    rank = np.arange(len(pos)) - np.searchsorted(pos, pos)
    show = (rank < per_actor) | pd.Index(keys["label"].to_numpy()[order]).isin(list(keep))
    hidden = np.bincount(pos, weights=(~show).astype(np.int64), minlength=len(kept_at))
    return _Shown(rows[show], pos[show], hidden.astype(np.int64))


def _more_nodes(nodes: pd.DataFrame, kept_at: np.ndarray, hidden: np.ndarray,
                find: Callable[[list[str]], np.ndarray]) -> _More:
    """One "+N more" node per kept actor with hidden claims; new ones get ids from ``len(nodes)``."""
    owner = np.flatnonzero(hidden > 0)
    labels = nodes["label"].to_numpy(dtype=object)[kept_at]
    more_nodes = pd.DataFrame({"node": [f"more:{labels[i]}" for i in owner], "role": "more",
                               "label": [f"+{hidden[i]:,} more" for i in owner], "sector": "",
                               "country": "", "more": hidden[owner], "sector_origin": "",
                               "country_origin": "", "new": True})
    ids = find(more_nodes["node"].tolist())  # a graph rolled up before has such nodes
    again = bool((ids >= 0).any())
    return _More(more_nodes, owner, np.where(ids >= 0, ids, len(nodes) + np.arange(len(owner))), again)


def _rollup_nodes(nodes: pd.DataFrame, kept_at: np.ndarray, targets: np.ndarray, pos: np.ndarray,
                  more: _More) -> tuple[pd.DataFrame, np.ndarray]:
    """The roll-up's nodes in the order rollup adds them: each actor, its shown victims, its
    "+N more"; and their node ids (rows of ``nodes``, then of the new "+N more" nodes)."""
    n = len(nodes)
    ids = np.concatenate([kept_at, targets, more.ids])
    seq = np.concatenate([np.arange(len(kept_at)), pos, more.owner]) * 3 + np.repeat(
        [0, 1, 2], [len(kept_at), len(targets), len(more.owner)])
    ids = pd.unique(ids[np.argsort(seq, kind="stable")])  # first appearance of each node
    new = ids >= n
    if new.any():
        parts = pd.concat([nodes.take(ids[~new]).assign(new=False), more.nodes.take(ids[new] - n)],
                          ignore_index=True)
        r_nodes = parts.take(np.argsort(np.r_[np.flatnonzero(~new), np.flatnonzero(new)]))
    else:
        r_nodes = nodes.take(ids)
        r_nodes["new"] = False
    r_nodes.index = pd.RangeIndex(len(r_nodes))  # a new frame: no copy to renumber it
    if more.again:  # a node is added again: it keeps its place, takes new facts
        r_nodes = r_nodes.set_index("node")
        r_nodes.loc[more.nodes["node"]] = more.nodes.set_index("node")[r_nodes.columns].to_numpy()
        r_nodes = r_nodes.reset_index()
    return r_nodes, ids


def _rollup_edges(edges: pd.DataFrame, src: np.ndarray, dst: np.ndarray, at: np.ndarray,
                  shown: _Shown, more: _More, kept: np.ndarray, kept_at: np.ndarray,
                  n_nodes: int) -> pd.DataFrame:
    """The roll-up's edges by source: shown claims and "+N more" edges, then the links (lineage,
    supplier) between kept nodes. ``at`` is the row in the roll-up's nodes of every node id."""
    shown_mask = np.zeros(len(edges), dtype=bool)
    shown_mask[shown.rows] = True
    more_pairs = kept_at[more.owner].astype(np.int64) * len(at) + more.ids
    shown_mask |= np.isin(src.astype(np.int64) * len(at) + dst, more_pairs)  # already in R
    extra = np.flatnonzero((at[src] >= 0) & (at[dst] >= 0) & ~shown_mask)
    cols = ["source", "target", "relation", "status", "count"]

    def pick(which: np.ndarray, **columns: object) -> pd.DataFrame:
        return pd.DataFrame({**{c: edges[c].to_numpy()[which] for c in cols}, "row": which,
                             "s": at[src[which]], "t": at[dst[which]], **columns})

    main = pick(shown.rows, pos=shown.pos, sub=0)
    if len(more.owner):
        more_edges = pd.DataFrame({
            "source": kept[more.owner], "target": more.nodes["node"].to_numpy(), "relation": "claimed",
            "status": "claimed", "count": shown.hidden[more.owner], "row": -1,
            "s": at[kept_at[more.owner]], "t": at[more.ids], "pos": more.owner, "sub": 1})
        main = pd.concat([main, more_edges], ignore_index=True)
        main = main.take(np.argsort(main["pos"].to_numpy() * 2 + main["sub"].to_numpy(), kind="stable"))
    if more.again:  # an edge added again keeps its place, takes new attributes
        pair = main["s"].to_numpy() * n_nodes + main["t"].to_numpy()
        main = main.iloc[pd.Series(np.arange(len(main))).groupby(pair, sort=False).last().to_numpy()]
    r_edges = pd.concat([main, pick(extra)], ignore_index=True) if len(extra) else main
    by_source = np.argsort(r_edges["s"].to_numpy(), kind="stable")
    whole = {"count": np.int64, "row": np.int64}
    return pd.DataFrame({c: r_edges[c].to_numpy(dtype=whole.get(c))[by_source]
                         for c in [*cols, "row", "s", "t"]})


def edge_index(G: nx.DiGraph) -> tuple[np.ndarray, np.ndarray]:
    """Rows in ``node_table(G)`` of the source and target of every edge of ``edge_table(G)`` (cached)."""
    cache = graph_cache(G)
    if "edge_index" not in cache:
        where, edges = pd.Index(node_table(G)["node"]), edge_table(G)
        codes, sources = pd.factorize(edges["source"])  # few distinct sources: look each up once
        src = where.get_indexer(sources)[codes]
        if (codes < 0).any():  # a missing key
            src[codes < 0] = where.get_indexer(edges["source"][codes < 0])
        cache["edge_index"] = (src, where.get_indexer(edges["target"]))
    return cache["edge_index"]


def sort_by(frame: pd.DataFrame, numeric: list[str], text: str) -> pd.DataFrame:
    """``frame.sort_values([*numeric, text], kind="mergesort")``, comparing text only on ties."""
    keys = frame[numeric].to_numpy(dtype=np.int64)
    order = np.lexsort(keys.T[::-1])
    keys = keys[order]
    same = (keys[1:] == keys[:-1]).all(axis=1)
    tie = np.r_[same, False] | np.r_[False, same]
    if tie.any():  # tied rows are contiguous: order them among themselves by the text column
        at = np.flatnonzero(tie)
        part = frame.iloc[order[at]].reset_index(drop=True)
        order[at] = order[at][part.sort_values([*numeric, text], kind="mergesort").index]
    return frame.iloc[order]
