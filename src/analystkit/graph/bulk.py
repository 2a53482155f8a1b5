"""Filling an empty networkx graph with a million nodes and edges at once.

The one place in the kit that writes networkx's storage directly. The graph it makes is pinned, in
``tests/test_graph.py``, to the one ``add_nodes_from`` + ``add_edges_from`` make (same nodes,
edges, attributes, order, adjacency views and cache); going through those public methods instead
makes a million-post build 1.7-1.9x slower (3.7 s → 6.1-7.0 s).
"""

from __future__ import annotations

import networkx as nx

__all__ = ["bulk_fill"]

_STORAGE = ("_node", "_succ", "_pred")


def bulk_fill(G: nx.DiGraph, keys: list, node_data: list[dict], u: list, v: list,
              edge_data: list[dict]) -> None:
    """Add nodes, then edges ``u[i] → v[i]`` with ``edge_data[i]``, to the empty graph ``G``.

    The same graph as ``G.add_nodes_from(zip(keys, node_data))`` followed by
    ``G.add_edges_from(zip(u, v, edge_data))`` (same node, neighbour and edge order), written
    straight into networkx's documented dict-of-dicts storage (``_node``, ``_succ`` = ``_adj``,
    ``_pred``): for a million edges the per-edge checks of ``add_edges_from`` cost more than the
    rest of the build. Every endpoint must be in ``keys``; the dicts given become the graph's.
    A graph class with its own dict factories, or a non-empty graph, takes the public methods.

    >>> G = nx.DiGraph()
    >>> bulk_fill(G, ["actor:A", "victim:B"], [{"role": "actor"}, {"role": "victim"}],
    ...           ["actor:A"], ["victim:B"], [{"count": 2}])
    >>> list(G.edges(data=True)), list(G.pred["victim:B"])
    ([('actor:A', 'victim:B', {'count': 2})], ['actor:A'])
    """
    plain = (type(G) is nx.DiGraph and not len(G) and G._adj is G._succ
             and all(type(getattr(G, name)) is dict for name in _STORAGE))
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
