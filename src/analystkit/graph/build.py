"""Building actor → victim graphs (and their tables) from a case, relations or posts.

See :mod:`analystkit.graph` for the node and edge attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

from .._gc import paused_gc
from ..aliases import canonical_actor, canonical_victim
from ..times import end_of_day, utc
from .tables import CACHE_KEY, EDGE_COLUMNS, edge_table, store_tables

if TYPE_CHECKING:
    from ..case import Case

__all__ = [
    "TableGraph",
    "actor_subgraph",
    "actor_victim_graph",
    "actor_victim_tables",
    "graph_of",
    "merge",
    "networkx_graph",
    "node_key",
    "window",
]

_VICTIM_RELATIONS = ("targets", "claimed", "via-supplier")
_LINEAGE = ("rebrand-of", "affiliate-of")
_STATUS_RANK = {"confirmed": 0, "reported": 1, "claimed": 2, "disputed": 3}
_NAT = pd.NaT


def node_key(role: str, name: str) -> str:
    """The node key of ``name``: ``actor:<name>`` for actors, ``victim:<name>`` otherwise.

    >>> node_key("actor", "Royal"), node_key("victim", "Royal Mail"), node_key("supplier", "Zellis")
    ('actor:Royal', 'victim:Royal Mail', 'victim:Zellis')
    """
    return f"{'actor' if role == 'actor' else 'victim'}:{name}"


def actor_victim_graph(data: Case | pd.DataFrame, *, start: object = None, end: object = None,
                       entities: pd.DataFrame | None = None,
                       include_announcements: bool = False) -> nx.DiGraph:
    """Build the directed actor → victim graph of a case, a relations table or a posts table.

    Parameters
    ----------
    data : a :class:`~analystkit.case.Case` (its relations and entities are used), a relations
        table (schema ``relations``), a posts table (:func:`analystkit.read_posts`), or a list
        of these (their graphs are merged with :func:`merge`).
    start, end : optional time window (anything :class:`pandas.Timestamp` accepts; UTC when
        naive). Posts and dated relations outside ``[start, end]`` are left out, and so are
        undated relations when a window is given. ``end`` is inclusive to the day.
    entities : an entities table giving sector and country of named organisations (taken from
        the case when ``data`` is one).
    include_announcements : keep posts flagged as group announcements (left out by default).

    Returns
    -------
    networkx.DiGraph
        Keys, node and edge attributes as described in the module docstring. Actor → actor
        edges carry lineage (``rebrand-of``, ``affiliate-of``); a victim hit through a supplier
        gets an ``actor → victim`` edge with ``relation='via-supplier'`` and ``via`` set, plus a
        ``supplier → victim`` edge (``supplier-of``).

    Examples
    --------
    >>> posts = pd.DataFrame({
    ...     "date": pd.to_datetime(["2023-02-07", "2023-02-08", "2023-03-01"], utc=True),
    ...     "actor": ["LockBit", "LockBit", "Royal"], "victim": ["Royal Mail"] * 2 + ["Acme"],
    ...     "victim_key": ["royal mail"] * 2 + ["acme"], "count": [1, 2, 1],
    ...     "announcement": [False] * 3, "country": ["GB", "", ""], "sector": [""] * 3,
    ...     "feed": ["ransomwatch"] * 3, "post_title": ["royalmailgroup.com", "Royal Mail", "Acme"]})
    >>> G = actor_victim_graph(posts)
    >>> sorted(G.nodes)
    ['actor:LockBit', 'actor:Royal', 'victim:Acme', 'victim:Royal Mail']
    >>> e = G.edges["actor:LockBit", "victim:Royal Mail"]
    >>> e["count"], e["status"], str(e["first"].date()), str(e["last"].date())
    (3, 'claimed', '2023-02-07', '2023-02-08')
    """
    lo, hi = window(start, end)
    if isinstance(data, (list, tuple)):
        return merge(*(actor_victim_graph(d, start=start, end=end, entities=entities,
                                          include_announcements=include_announcements) for d in data))
    meta = None
    if hasattr(data, "relations") and hasattr(data, "entities"):
        frame, meta = data.relations, data.entities if entities is None else entities
    else:
        frame, meta = data, entities
    if "victim_key" in frame.columns:
        with paused_gc():  # millions of small dicts: the cyclic collector would rescan them all
            G = _from_posts(frame, lo, hi, include_announcements)
    elif "relation" in frame.columns:
        G = _from_relations(frame, lo, hi)
    else:
        raise ValueError("actor_victim_graph expects a Case, a relations table (with a 'relation' "
                         "column) or a posts table (with 'victim_key'); got columns "
                         f"{', '.join(map(str, frame.columns)) or 'none'}")
    if meta is not None and len(meta):
        _apply_entities(G, meta)
        G.__networkx_cache__.pop(CACHE_KEY, None)  # node facts changed after the tables were made
    G.graph.update({k: v for k, v in (("start", lo), ("end", hi)) if v is not None})
    return G


def actor_victim_tables(data: Case | pd.DataFrame, *, start: object = None, end: object = None,
                        include_announcements: bool = False) -> nx.DiGraph | TableGraph:
    """What the metrics and :func:`analystkit.plot.graph` read of :func:`actor_victim_graph`, fast.

    For a posts table the graph's node, edge and claim tables are made without the networkx
    object, several times faster for a feed of a million posts; the result is a
    :class:`TableGraph` that every metric here and the chart accept in place of the graph. Any
    other ``data`` (a case, a relations table, a graph) gives the networkx graph itself.

    >>> posts = pd.DataFrame({
    ...     "date": pd.to_datetime(["2023-02-07", "2023-02-08", "2023-03-01"], utc=True),
    ...     "actor": ["LockBit", "Royal", "Royal"], "victim": ["Royal Mail", "Royal Mail", "Acme"],
    ...     "victim_key": ["royal mail", "royal mail", "acme"], "count": [1, 2, 1],
    ...     "announcement": [False] * 3})
    >>> from analystkit.graph import actor_summary, shared_victims
    >>> T = actor_victim_tables(posts)
    >>> len(T), actor_summary(T)[["actor", "victims", "posts"]].values.tolist()
    (4, [['Royal', 2, 3], ['LockBit', 1, 1]])
    >>> shared_victims(T)["actors"].tolist() == shared_victims(actor_victim_graph(posts))["actors"].tolist()
    True
    """
    if isinstance(data, (nx.Graph, TableGraph)):
        return data
    if isinstance(data, pd.DataFrame) and "victim_key" in data.columns:
        lo, hi = window(start, end)
        parts = _posts_parts(data, lo, hi, include_announcements)
        bounds = {k: v for k, v in (("start", lo), ("end", hi)) if v is not None}
        return nx.DiGraph(**bounds) if parts is None else TableGraph(parts["tables"], bounds)
    return actor_victim_graph(data, start=start, end=end, include_announcements=include_announcements)


class TableGraph:
    """The tables of an actor → victim graph without its networkx object.

    Made by :func:`actor_victim_tables`; accepted wherever the metrics and the chart take a graph
    (they read graphs only through these tables). ``len()`` is the node count and ``graph`` the
    graph attributes, as on a networkx graph; functions that return or walk a networkx graph
    (:func:`rollup`, :func:`actor_subgraph`, :func:`merge`) need :func:`actor_victim_graph`.
    """

    def __init__(self, tables: dict, graph: dict | None = None) -> None:
        self.graph = dict(graph or {})
        self._n = len(tables["nodes"])
        self.__networkx_cache__: dict = {}
        store_tables(self, **tables)

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return f"TableGraph({self._n:,} nodes, {len(edge_table(self)):,} edges)"


def graph_of(G: object) -> nx.DiGraph | TableGraph:
    """``G`` itself, or the tables of the graph of a posts table / case / relations table."""
    return G if isinstance(G, (nx.Graph, TableGraph)) else actor_victim_tables(G)


def networkx_graph(G: object, what: str) -> nx.DiGraph:
    """``G`` as a networkx graph (built when it is a table); a :class:`TableGraph` is refused."""
    if isinstance(G, TableGraph):
        raise TypeError(f"{what} needs the networkx graph: build it with actor_victim_graph(posts)")
    return G if isinstance(G, nx.Graph) else actor_victim_graph(G)


def window(start: object, end: object) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The UTC bounds of a date window; ``None`` for an open side, an end date covering its day."""
    lo = None if start is None else utc(start)
    hi = None if end is None else end_of_day(end)
    if lo is not None and hi is not None and hi < lo:
        raise ValueError(f"end {end!r} is before start {start!r}")
    return lo, hi


def _in_window(dates: pd.Series, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> pd.Series:
    keep = pd.Series(True, index=dates.index)
    if lo is not None:
        keep &= dates >= lo
    if hi is not None:
        keep &= dates <= hi
    if lo is not None or hi is not None:
        keep &= dates.notna()
    return keep


def _from_posts(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> nx.DiGraph:
    G = nx.DiGraph()
    parts = _posts_parts(posts, lo, hi, include_announcements)
    if parts is None:
        return G
    actor_names, labels, v_sector, v_country = (parts[k] for k in ("actor_names", "labels", "sector",
                                                                    "country"))
    firsts, lasts = parts["firsts"], parts["lasts"]
    same = firsts.array.asi8 == lasts.array.asi8
    first_ts = firsts.tolist()
    last_ts = [f if eq else la for f, la, eq in zip(first_ts, _boxed(lasts, ~same), same, strict=True)]
    node_data = [{"role": "actor", "bipartite": 0, "label": a, "sector": "", "country": ""}
                 for a in actor_names]
    node_data += [{"role": "victim", "bipartite": 1, "label": la, "sector": s, "country": c}
                  for la, s, c in zip(labels, v_sector, v_country, strict=True)]
    edge_data = [{"first": f, "last": la, "count": c, "relation": "claimed", "status": "claimed",
                  "sources": s, "via": ""}
                 for f, la, c, s in zip(first_ts, last_ts, parts["counts"].tolist(), parts["feeds"],
                                        strict=True)]
    tables = parts["tables"]
    _fill(G, tables["nodes"]["node"].tolist(), node_data, parts["u"].tolist(), parts["v"].tolist(),
          edge_data)
    store_tables(G, **tables)
    return G


def _posts_parts(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> dict | None:
    """Nodes, edges and the cached tables of the graph of a posts table (None when it is empty).

    Everything is aggregated on integer codes; edges come in pair order (``u``, ``v``), the tables
    in the order networkx will iterate them.
    """
    keep = _in_window(posts["date"], lo, hi).to_numpy()
    if not include_announcements and "announcement" in posts.columns:
        keep &= ~posts["announcement"].to_numpy(dtype=bool)
    if not keep.any():
        return None
    cols = [c for c in ("date", "actor", "victim", "victim_key", "count", "feed", "sector", "country")
            if c in posts.columns]
    rows = posts if keep.all() else posts.loc[keep, cols]  # columns are only read: no copy
    vk, _ = pd.factorize(rows["victim_key"])
    n_keys = int(vk.max()) + 1
    first_row = _first_index(vk, n_keys)  # one display name per victim key: the first one seen
    names = rows["victim"].to_numpy(dtype=object)[first_row]
    sector, country = (_first_filled(rows[c], vk, n_keys) if c in rows.columns
                       else np.full(n_keys, "", dtype=object) for c in ("sector", "country"))
    label_code, labels = pd.factorize(names)  # two keys can share a display name (one node)
    actor_code, actor_names = pd.factorize(rows["actor"])
    pair, _ = pd.factorize(actor_code.astype(np.int64) * len(labels) + label_code[vk])
    by_pair = rows[["date", "count"]].groupby(pair, sort=True)
    firsts, lasts = by_pair["date"].min(), by_pair["date"].max()
    counts = by_pair["count"].sum().to_numpy(dtype=np.int64)
    # a later victim key with the same display name wins the node's attributes (as networkx does)
    last_key = pd.Series(np.arange(n_keys)).groupby(label_code).last().to_numpy()
    pair_row = _first_index(pair, len(counts))
    src_code, dst_code = actor_code[pair_row], label_code[vk[pair_row]]
    if "feed" in rows.columns and rows["feed"].nunique() > 1:
        feeds = rows["feed"].groupby(pair).agg(lambda s: tuple(sorted(set(s)))).tolist()
    else:
        only = tuple(rows["feed"].iloc[:1]) if "feed" in rows.columns else ()
        feeds = [only] * len(counts)
    actor_keys = np.array([f"actor:{a}" for a in actor_names], dtype=object)  # as node_key() writes them
    victim_keys = np.array([f"victim:{v}" for v in labels], dtype=object)
    v_sector, v_country = sector[last_key], country[last_key]
    u, v = actor_keys[src_code], victim_keys[dst_code]
    nodes = pd.DataFrame({
        "node": np.concatenate([actor_keys, victim_keys]),
        "role": np.repeat(np.array(["actor", "victim"], dtype=object), [len(actor_keys), len(victim_keys)]),
        "label": np.concatenate([np.asarray(actor_names, dtype=object), np.asarray(labels, dtype=object)]),
        "sector": np.concatenate([np.full(len(actor_keys), "", dtype=object), v_sector]),
        "country": np.concatenate([np.full(len(actor_keys), "", dtype=object), v_country]),
        "more": 0}, copy=False)
    order = np.argsort(src_code, kind="stable")  # the order of G.edges: by source, then insertion
    sources = np.fromiter(feeds, dtype=object, count=len(feeds))  # tuples stay tuples
    edges = pd.DataFrame({
        "source": u[order], "target": v[order],
        "source_label": np.asarray(actor_names, dtype=object)[src_code[order]],
        "target_label": np.asarray(labels, dtype=object)[dst_code[order]], "source_role": "actor",
        "target_role": "victim", "first": _utc(firsts).array.take(order),
        "last": _utc(lasts).array.take(order), "count": counts[order], "relation": "claimed",
        "status": "claimed", "sources": sources[order], "via": ""}, columns=EDGE_COLUMNS,
        copy=False)  # no consolidation copy of a million-row object block
    claims = edges.copy(deep=False)  # shares the edge table's columns (never changed in place)
    claims.columns = [{"source_label": "actor", "target_label": "victim"}.get(c, c) for c in claims.columns]
    claims["sector"], claims["country"] = v_sector[dst_code[order]], v_country[dst_code[order]]
    by_name = sorted(range(len(actor_names)), key=list(actor_names).__getitem__)
    rank = np.empty(len(actor_names), dtype=np.int64)
    rank[by_name] = np.arange(len(actor_names))
    codes = {"actor": rank[src_code[order]], "actor_names": np.asarray(actor_names, dtype=object)[by_name],
             "target": dst_code[order].astype(np.int64), "targets": victim_keys}
    return {"actor_names": actor_names, "labels": labels, "sector": v_sector, "country": v_country,
            "u": u, "v": v, "firsts": firsts, "lasts": lasts, "counts": counts, "feeds": feeds,
            "tables": {"nodes": nodes, "edges": edges, "claims": claims, "claim_codes": codes,
                       "edge_index": (src_code[order].astype(np.intp),
                                      len(actor_keys) + dst_code[order].astype(np.intp))}}


def _fill(G: nx.DiGraph, keys: list, node_data: list[dict], u: list, v: list,
          edge_data: list[dict]) -> None:
    """Add nodes, then edges ``u[i] → v[i]`` with ``edge_data[i]``, to the empty graph ``G``.

    The same graph as ``G.add_nodes_from(zip(keys, node_data))`` followed by
    ``G.add_edges_from(zip(u, v, edge_data))`` (same node, neighbour and edge order), written
    straight into networkx's documented dict-of-dicts storage (``_node``, ``_succ`` = ``_adj``,
    ``_pred``): for a million edges the per-edge checks of ``add_edges_from`` cost more than the
    rest of the build. Every endpoint must be in ``keys``. A graph class with its own dict
    factories, or a non-empty graph, takes the public methods instead.
    """
    plain = (type(G) is nx.DiGraph and not len(G) and G._adj is G._succ
             and all(type(getattr(G, name)) is dict for name in ("_node", "_succ", "_pred")))
    if not plain:
        G.add_nodes_from(zip(keys, node_data, strict=True))
        G.add_edges_from(zip(u, v, edge_data, strict=True))
        return
    succ = {k: {} for k in keys}
    pred = {k: {} for k in keys}
    for a, b, d in zip(u, v, edge_data, strict=True):
        succ[a][b] = d
        pred[b][a] = d
    G._node.update(zip(keys, node_data, strict=True))
    G._succ.update(succ)
    G._pred.update(pred)
    G.__networkx_cache__.clear()


def _first_index(codes: np.ndarray, n: int) -> np.ndarray:
    """Row of the first occurrence of each code ``0 .. n-1`` (every code occurs)."""
    return np.unique(codes, return_index=True)[1][:n]


def _first_filled(values: pd.Series, codes: np.ndarray, n: int) -> np.ndarray:
    """First non-empty value of ``values`` per code (``""`` when none is)."""
    out = np.full(n, "", dtype=object)
    arr = values.to_numpy(dtype=object)
    filled = np.flatnonzero(pd.notna(arr) & (arr != ""))
    if len(filled):
        c = codes[filled]
        got, at = np.unique(c, return_index=True)
        out[got] = arr[filled[at]]
    return out


def _boxed(dates: pd.Series, mask: np.ndarray) -> list:
    """Timestamps of ``dates`` where ``mask`` (None elsewhere), boxing only what is needed."""
    out = [None] * len(dates)
    idx = np.flatnonzero(mask)
    for i, t in zip(idx.tolist(), dates.iloc[idx].tolist(), strict=True):
        out[i] = t
    return out


def _utc(dates: pd.Series) -> np.ndarray | pd.Series:
    values = dates.reset_index(drop=True)
    return values if str(values.dtype) == "datetime64[ns, UTC]" else pd.to_datetime(values, utc=True)


def _from_relations(relations: pd.DataFrame, lo, hi) -> nx.DiGraph:
    G = nx.DiGraph()
    rows = relations[_in_window(relations["date"], lo, hi)] if "date" in relations else relations
    for rel in rows.itertuples(index=False):
        kind = rel.relation
        date = getattr(rel, "date", _NAT)
        status = getattr(rel, "status", "") or "reported"
        sources = tuple(getattr(rel, "sources", ()) or ())
        via = str(getattr(rel, "via", "") or "")
        if kind in _LINEAGE:
            a, b = canonical_actor(rel.source), canonical_actor(rel.target)
            _add_node(G, "actor", a)
            _add_node(G, "actor", b)
            _merge_edge(G, node_key("actor", a), node_key("actor", b), kind, status, date, sources)
        elif kind in _VICTIM_RELATIONS:
            actor, victim = canonical_actor(rel.source), canonical_victim(rel.target)
            _add_node(G, "actor", actor)
            _add_node(G, "victim", victim)
            relation = "via-supplier" if kind == "via-supplier" or via else kind
            _merge_edge(G, node_key("actor", actor), node_key("victim", victim), relation, status,
                        date, sources, via=canonical_victim(via) if via else "")
            if via:
                supplier = canonical_victim(via)
                _add_node(G, "supplier", supplier)
                _merge_edge(G, node_key("supplier", supplier), node_key("victim", victim),
                            "supplier-of", status, date, sources)
        elif kind == "supplier-of":
            supplier, victim = canonical_victim(rel.source), canonical_victim(rel.target)
            _add_node(G, "supplier", supplier)
            _add_node(G, "victim", victim)
            _merge_edge(G, node_key("supplier", supplier), node_key("victim", victim), kind, status,
                        date, sources)
    return G


def _add_node(G: nx.DiGraph, role: str, name: str) -> None:
    key = node_key(role, name)
    if key in G:
        if role == "supplier":
            G.nodes[key]["role"] = "supplier"
        return
    G.add_node(key, role=role, bipartite=0 if role == "actor" else 1, label=name, sector="",
               country="")


def _merge_edge(G: nx.DiGraph, u: str, v: str, relation: str, status: str, date, sources,
                via: str = "") -> None:
    if not G.has_edge(u, v):
        G.add_edge(u, v, first=date, last=date, count=1, relation=relation, status=status,
                   sources=tuple(sources), via=via)
        return
    e = G.edges[u, v]
    e["count"] += 1
    dates = [d for d in (e["first"], e["last"], date) if pd.notna(d)]
    e["first"], e["last"] = (min(dates), max(dates)) if dates else (_NAT, _NAT)
    if _STATUS_RANK.get(status, 9) < _STATUS_RANK.get(e["status"], 9):
        e["status"] = status
    if relation == "via-supplier":
        e["relation"], e["via"] = relation, via or e["via"]
    e["sources"] = tuple(dict.fromkeys((*e["sources"], *sources)))


def _apply_entities(G: nx.DiGraph, entities: pd.DataFrame) -> None:
    for ent in entities.itertuples(index=False):
        for role in ("actor", "victim"):
            key = node_key(role, ent.name)
            if key in G and (G.nodes[key]["role"] == "actor") == (role == "actor"):
                node = G.nodes[key]
                node["sector"] = str(getattr(ent, "sector", "") or node["sector"])
                node["country"] = str(getattr(ent, "country", "") or node["country"])
                if ent.kind == "supplier" and role != "actor":
                    node["role"] = "supplier"


def merge(*graphs: nx.DiGraph) -> nx.DiGraph:
    """One graph from several: shared edges add their counts, widen their dates, join sources.

    A node keeps the first non-empty ``sector`` / ``country`` seen; the strongest status wins
    (confirmed > reported > claimed > disputed).

    >>> a = nx.DiGraph([("actor:A", "victim:B", {"count": 1, "status": "claimed", "sources": ("x",)})])
    >>> b = nx.DiGraph([("actor:A", "victim:B", {"count": 2, "status": "reported", "sources": ("y",)})])
    >>> e = merge(a, b).edges["actor:A", "victim:B"]
    >>> e["count"], e["status"], e["sources"]
    (3, 'reported', ('x', 'y'))
    """
    out = nx.DiGraph()
    for G in graphs:
        for n, d in G.nodes(data=True):
            if n not in out:
                out.add_node(n, **d)
                continue
            node = out.nodes[n]
            for key in ("sector", "country"):
                if not node.get(key) and d.get(key):
                    node[key] = d[key]
            if d.get("role") == "supplier":
                node["role"] = "supplier"
        for u, v, d in G.edges(data=True):
            if not out.has_edge(u, v):
                out.add_edge(u, v, **{**d, "sources": tuple(d.get("sources", ()))})
                continue
            e = out.edges[u, v]
            e["count"] = int(e.get("count", 1)) + int(d.get("count", 1))
            dates = [x for x in (e.get("first"), e.get("last"), d.get("first"), d.get("last"))
                     if x is not None and pd.notna(x)]
            e["first"], e["last"] = (min(dates), max(dates)) if dates else (_NAT, _NAT)
            if _STATUS_RANK.get(d.get("status"), 9) < _STATUS_RANK.get(e.get("status"), 9):
                e["status"] = d["status"]
            if d.get("relation") == "via-supplier":
                e["relation"], e["via"] = "via-supplier", d.get("via", e.get("via", ""))
            e["sources"] = tuple(dict.fromkeys((*e.get("sources", ()), *d.get("sources", ()))))
        out.graph.update(G.graph)
    return out


def actor_subgraph(G: nx.DiGraph, actor: str) -> nx.DiGraph:
    """The actor, its victims and suppliers, the suppliers' links, and its lineage (a copy).

    >>> G = nx.DiGraph([("actor:A", "victim:x"), ("actor:B", "victim:y"), ("actor:A", "actor:C")])
    >>> sorted(actor_subgraph(G, "A"))
    ['actor:A', 'actor:C', 'victim:x']
    """
    G = networkx_graph(G, "actor_subgraph")
    key = actor if actor.startswith("actor:") else node_key("actor", actor)
    if key not in G:
        raise KeyError(f"no actor {actor!r} in the graph")
    keep = {key, *G.successors(key)}
    keep |= {p for v in list(keep) for p in G.predecessors(v) if not p.startswith("actor:")}
    keep |= {p for p in G.predecessors(key) if p.startswith("actor:")}
    return G.subgraph(keep).copy()
