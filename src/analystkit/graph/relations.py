"""The actor → victim graph of a relations table (schema ``relations``), row by row.

A curated case has a few hundred relations: each row adds its nodes and merges its edge.
See :mod:`analystkit.graph` for the node and edge attributes.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from ..aliases import canonical_actor, canonical_victim
from .keys import STATUS_RANK, in_window, node_key

__all__ = ["apply_entities", "relations_graph"]

_VICTIM_RELATIONS = ("targets", "claimed", "via-supplier")
_LINEAGE = ("rebrand-of", "affiliate-of")
_NAT = pd.NaT


def relations_graph(relations: pd.DataFrame, lo, hi) -> nx.DiGraph:
    """The graph of the relations dated in ``[lo, hi]`` (every relation when both are None)."""
    G = nx.DiGraph()
    rows = relations[in_window(relations["date"], lo, hi)] if "date" in relations else relations
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
    if STATUS_RANK.get(status, 9) < STATUS_RANK.get(e["status"], 9):
        e["status"] = status
    if relation == "via-supplier":
        e["relation"], e["via"] = relation, via or e["via"]
    e["sources"] = tuple(dict.fromkeys((*e["sources"], *sources)))


def apply_entities(G: nx.DiGraph, entities: pd.DataFrame) -> None:
    """Give the named nodes of ``G`` the sector, country and supplier role of ``entities`` (in place).

    Attributes change in place: the caller clears the tables cached on ``G``.
    """
    for ent in entities.itertuples(index=False):
        for role in ("actor", "victim"):
            key = node_key(role, ent.name)
            if key in G and (G.nodes[key]["role"] == "actor") == (role == "actor"):
                node = G.nodes[key]
                node["sector"] = str(getattr(ent, "sector", "") or node["sector"])
                node["country"] = str(getattr(ent, "country", "") or node["country"])
                if ent.kind == "supplier" and role != "actor":
                    node["role"] = "supplier"
