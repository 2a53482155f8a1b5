"""A graph at a glance: what a notebook shows for an actor → victim graph instead of its repr."""

from __future__ import annotations

import html
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from ..display import Table, no_maths, show, when
from .build import TableGraph, graph_of
from .metrics import actor_summary
from .tables import edge_table, node_table

__all__ = ["GraphSummary", "summary"]


@dataclass(frozen=True)
class GraphSummary:
    """Counts of a graph (actors, victims, edges by status), its date span and its top actors."""

    actors: int
    victims: int
    edges: int
    by_status: dict[str, int]
    span: str
    top: pd.DataFrame
    coverage: str = ""

    def lines(self) -> list[str]:
        status = ", ".join(f"{k} {v:,}" for k, v in self.by_status.items()) or "none"
        return [f"{_n(self.actors, 'actor')}, {_n(self.victims, 'victim')}, {_n(self.edges, 'edge')} "
                f"({status})", *([f"dated {self.span}"] if self.span else []),
                *([self.coverage] if self.coverage else [])]

    def table(self) -> Table:
        return show(self.top, index="actor", caption="Top actors by victims",
                    empty="No actor in this graph.", note="")

    def __repr__(self) -> str:
        return "\n".join([*self.lines(), repr(self.table())])

    def _repr_html_(self) -> str:
        head = "".join(f'<div style="text-align:left">{html.escape(line)}</div>' for line in self.lines())
        return no_maths(head) + self.table()._repr_html_()


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary(G: nx.DiGraph | TableGraph | object, *, top: int = 10) -> GraphSummary:
    """The :class:`GraphSummary` of ``G`` (a graph, its tables, or what a graph is built from).

    >>> posts = pd.DataFrame({"date": pd.to_datetime(["2023-02-07", "2023-02-08"], utc=True),
    ...                       "actor": ["LockBit", "Royal"], "victim": ["Royal Mail", "Royal Mail"]})
    >>> print(summary(posts).lines()[0])
    2 actors, 1 victim, 2 edges (claimed 2)
    """
    G = graph_of(G)
    nodes, edges = node_table(G), edge_table(G)
    roles = nodes["role"].value_counts()
    status = edges["status"].replace("", "unstated").value_counts().sort_index()
    first, last = edges["first"].min(), edges["last"].max()
    span = f"{when(first, 'day')} – {when(last, 'day')}" if pd.notna(first) and pd.notna(last) else ""
    table = actor_summary(G)
    cols = [c for c in ("actor", "victims", "posts", "first", "last", "top_sector", "top_country")
            if c in table]
    return GraphSummary(int(roles.get("actor", 0)), int(roles.get("victim", 0) + roles.get("supplier", 0)),
                        len(edges), {str(k): int(v) for k, v in status.items()}, span,
                        table[cols].head(top), str(table.attrs.get("coverage", "")))
