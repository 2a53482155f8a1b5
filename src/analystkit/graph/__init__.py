"""Actor → victim graphs from a case or a leak-site posts table, and the metrics analysts ask for.

Node keys are strings ``"actor:<name>"`` for threat actors and ``"victim:<name>"`` for the
organisations they hit (suppliers included), so the ransomware group *Royal* (``actor:Royal``) and
the victim *Royal Mail* (``victim:Royal Mail``) can never collide. Plain strings survive every
export format (GraphML, GEXF, node-link JSON) unchanged. Node attributes follow networkx's
bipartite convention:

============  ====================================================================
``role``      ``actor`` | ``victim`` | ``supplier`` | ``more`` (a "+N more" roll-up)
``bipartite`` 0 for actors, 1 for every organisation
``label``     the display name (canonical actor name, tidied victim name)
``sector``    victim sector ("" when unknown); ``country``: ISO alpha-2 or ""
``*_origin``  ``sector_origin`` / ``country_origin``: ``curated``, ``feed`` or ``inferred``
              when the posts said (:func:`enrich_victims`), else absent or ""
============  ====================================================================

Edge attributes: ``first`` / ``last`` (UTC timestamps of the first and last claim or dated
relation, NaT when undated), ``count`` (posts or relation rows merged), ``relation`` (schema
vocabulary: ``claimed``, ``targets``, ``via-supplier``, ``supplier-of``, ``rebrand-of``,
``affiliate-of``), ``status`` (``confirmed`` | ``reported`` | ``claimed`` | ``disputed``),
``sources`` (tuple of source ids or feed names) and ``via`` (supplier of a supply-chain victim).

The metrics read a graph through tables cached on it (:mod:`analystkit.graph.tables`). They also
accept the :class:`TableGraph` of :func:`actor_victim_tables` — those tables made straight from a
posts table, without the networkx object, which is what a feed of a million posts wants — and,
for convenience, a posts table, case or relations table (its tables are made on the spot).

Every function here is pure: a new graph or DataFrame is returned, inputs are never changed.
"""

from __future__ import annotations

from .build import (
    TableGraph,
    actor_subgraph,
    actor_victim_graph,
    actor_victim_tables,
    merge,
)
from .keys import node_key
from .metrics import (
    actor_share,
    actor_summary,
    actors,
    breakdown,
    edges_frame,
    overlap,
    shared_victims,
    victims,
    victims_per_actor,
)
from .ops import rollup
from .summary import GraphSummary, summary
from .victimology import coverage, enrich_victims

__all__ = [
    "GraphSummary",
    "TableGraph",
    "actor_share",
    "actor_subgraph",
    "actor_summary",
    "actor_victim_graph",
    "actor_victim_tables",
    "actors",
    "breakdown",
    "coverage",
    "edges_frame",
    "enrich_victims",
    "merge",
    "node_key",
    "overlap",
    "rollup",
    "shared_victims",
    "summary",
    "victims",
    "victims_per_actor",
]
