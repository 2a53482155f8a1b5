"""Graphs made from graphs: the "+N more" roll-up of a large graph for a chart."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from .build import networkx_graph
from .metrics import actors
from .tables import rollup_tables

__all__ = ["rollup"]

_NAT = pd.NaT


def rollup(G: nx.DiGraph, *, top: int | None = None, per_actor: int | None = None,
           keep: list[str] | tuple[str, ...] = ()) -> nx.DiGraph:
    """A smaller graph: the ``top`` actors, each with its ``per_actor`` largest victims.

    Victims beyond ``per_actor`` are replaced by one node per actor, key ``more:<actor>``, role
    ``more``, label ``+N more`` and attribute ``more=N``. Actors beyond ``top`` are dropped and
    counted in ``graph['more_actors']``. Victims whose label is in ``keep`` are never rolled up.

    >>> G = nx.DiGraph()
    >>> G.add_node("actor:A", role="actor", label="A")
    >>> for i in range(5):
    ...     G.add_node(f"victim:v{i}", role="victim", label=f"v{i}")
    ...     G.add_edge("actor:A", f"victim:v{i}", count=5 - i)
    >>> R = rollup(G, per_actor=2)
    >>> sorted(R.nodes), R.nodes["more:A"]["label"]
    (['actor:A', 'more:A', 'victim:v0', 'victim:v1'], '+3 more')
    """
    G = networkx_graph(G, "rollup")
    nodes, edges, more_actors = rollup_tables(G, actors(G), top=top, per_actor=per_actor, keep=keep)
    R = nx.DiGraph()
    R.graph.update(G.graph)
    R.graph["more_actors"] = more_actors
    R.add_nodes_from((n, {"role": "more", "bipartite": 1, "label": la, "sector": "", "country": "",
                          "more": m} if new else G.nodes[n])
                     for n, la, m, new in zip(nodes["node"], nodes["label"], nodes["more"], nodes["new"],
                                              strict=True))
    R.add_edges_from((u, v, G.adj[u][v] if i >= 0 else
                      {"count": c, "relation": "claimed", "status": "claimed", "first": _NAT, "last": _NAT,
                       "sources": (), "via": ""})
                     for u, v, i, c in zip(edges["source"], edges["target"], edges["row"], edges["count"],
                                           strict=True))
    return R

