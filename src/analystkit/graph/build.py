"""Building actor → victim graphs (and their tables) from a case, relations or posts.

The entry points, and the graphs made from graphs (:func:`merge`, :func:`actor_subgraph`); a posts
table is aggregated in :mod:`analystkit.graph.posts`, a relations table walked in
:mod:`analystkit.graph.relations`. See :mod:`analystkit.graph` for the node and edge attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from .._gc import paused_gc
from ..io.posttable import as_posts
from ..times import end_of_day, utc
from .keys import STATUS_RANK, node_key
from .posts import posts_graph, posts_tables
from .relations import apply_entities, relations_graph
from .tables import CACHE_KEY, edge_table, store_tables

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
    "window",
]

_NAT = pd.NaT


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
            G = posts_graph(frame, lo, hi, include_announcements)
    elif "relation" in frame.columns:
        G = relations_graph(frame, lo, hi)
    else:
        try:
            frame = as_posts(frame)  # any table of claims: actor, victim and date columns
        except ValueError as exc:
            raise ValueError("actor_victim_graph expects a Case, a relations table (with a "
                             f"'relation' column) or a table of claims, but {exc}") from None
        with paused_gc():
            G = posts_graph(frame, lo, hi, include_announcements)
    if meta is not None and len(meta):
        apply_entities(G, meta)
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
    if isinstance(data, pd.DataFrame) and "relation" not in data.columns:
        data = as_posts(data)  # a posts table as it is; any other table of claims tidied
        lo, hi = window(start, end)
        tables = posts_tables(data, lo, hi, include_announcements)
        bounds = {k: v for k, v in (("start", lo), ("end", hi)) if v is not None}
        return nx.DiGraph(**bounds) if tables is None else TableGraph(tables, bounds)
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
            if STATUS_RANK.get(d.get("status"), 9) < STATUS_RANK.get(e.get("status"), 9):
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
