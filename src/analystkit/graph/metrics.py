"""Metrics of an actor → victim graph as DataFrames (re-exported by :mod:`analystkit.graph`).

Every metric reads the graph through its cached tables (:mod:`analystkit.graph.tables`) and
groups on integer codes, so it takes a networkx graph, the :class:`~analystkit.graph.TableGraph`
of :func:`~analystkit.graph.actor_victim_tables`, or a posts table / case (made into tables on the
spot) alike.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .._gc import paused_gc
from ..arrays import sorted_unique
from .build import TableGraph, graph_of, window
from .tables import claim_codes, claim_table, edge_table, graph_cache
from .victimology import coverage

__all__ = ["actor_share", "actor_summary", "actors", "breakdown", "edges_frame", "overlap",
           "shared_victims", "victims", "victims_per_actor"]


def actor_share(G: nx.DiGraph, actor: str, date: object) -> pd.DataFrame:
    """The actor's share of all victims claimed before ``date`` and from ``date`` on.

    Rows ``before`` and ``after``; columns ``victims`` (the actor's), ``all`` (every actor's),
    ``share`` (0–1, NaN when nothing was claimed), ``first``, ``last`` (of all claims).
    """
    G = graph_of(G)
    stamp = window(date, None)[0]
    claims = claim_table(G)
    rows = {}
    for name, part in (("before", claims[claims["first"] < stamp]),
                       ("after", claims[claims["first"] >= stamp])):
        mine = part.loc[part["actor"] == actor, "target"].nunique()
        total = part["target"].nunique()
        rows[name] = {"victims": mine, "all": total, "share": mine / total if total else np.nan,
                      "first": part["first"].min(), "last": part["first"].max()}
    return pd.DataFrame.from_dict(rows, orient="index")


def edges_frame(G: nx.DiGraph) -> pd.DataFrame:
    """Every edge as a row: ``source``, ``target``, their labels and roles, and edge attributes.

    The table is made once per graph and cached (see :mod:`analystkit.graph.tables`); each call
    returns a copy.

    >>> G = nx.DiGraph([("actor:A", "victim:B", {"count": 2})])
    >>> nx.set_node_attributes(G, {"actor:A": "actor", "victim:B": "victim"}, "role")
    >>> edges_frame(G)[["source_label", "target_label", "count"]].to_dict("records")
    [{'source_label': 'A', 'target_label': 'B', 'count': 2}]
    """
    G = graph_of(G)
    return edge_table(G).copy()


def actors(G: nx.DiGraph) -> list[str]:
    """Actor labels, most victims first (ties by name).

    >>> actors(nx.DiGraph())
    []
    """
    return _summary(graph_of(G))["actor"].tolist()


def victims(G: nx.DiGraph) -> pd.DataFrame:
    """One row per organisation: ``victim``, ``role``, ``sector``, ``country``, ``actors`` (tuple)."""
    G = graph_of(G)
    claims = claim_table(G)
    if claims.empty:
        return pd.DataFrame(columns=["victim", "role", "sector", "country", "actors"])
    grouped = claims.groupby("target", sort=False)
    out = grouped.agg(victim=("victim", "first"), role=("target_role", "first"),
                      sector=("sector", "first"), country=("country", "first"))
    orgs, sets, _ = _actor_sets(G)
    out["actors"] = pd.Series(sets, index=claim_codes(G)["targets"][orgs], dtype=object).reindex(out.index)
    return out.sort_values("victim").reset_index(drop=True)


def _actor_sets(G: nx.DiGraph | TableGraph, *, shared_only: bool = False,
                ) -> tuple[np.ndarray, list[tuple], np.ndarray]:
    """Organisation codes (of :func:`claim_codes`), the sorted names of the actors claiming each,
    and the number of actors of every organisation; ``shared_only`` keeps those with several."""
    codes = claim_codes(G)
    names = codes["actor_names"]
    pairs = sorted_unique(codes["target"] * len(names) + codes["actor"])  # by organisation, then actor name
    who, whom = pairs % len(names), pairs // len(names)
    n_actors = np.bincount(whom, minlength=len(codes["targets"]))
    if shared_only:
        keep = n_actors[whom] > 1
        who, whom = who[keep], whom[keep]
    starts = np.flatnonzero(np.r_[True, whom[1:] != whom[:-1]][: len(whom)])
    ends = np.r_[starts[1:], len(whom)][: len(starts)].tolist()
    actor_names = names[who].tolist()
    with paused_gc():  # up to a million tuples: no collection walking the graph's objects meanwhile
        sets = [tuple(actor_names[a:b]) for a, b in zip(starts.tolist(), ends, strict=True)]
    return whom[starts], sets, n_actors


def actor_summary(G: nx.DiGraph) -> pd.DataFrame:
    """Per actor: victims, posts (summed counts), first and last seen, top sector and country.

    ``attrs["coverage"]`` says for how many victims the sector and the country are known.

    >>> G = nx.DiGraph()
    >>> G.add_node("actor:A", role="actor", label="A")
    >>> G.add_node("victim:B", role="victim", label="B", sector="healthcare", country="GB")
    >>> G.add_edge("actor:A", "victim:B", count=3, first=pd.Timestamp("2023-01-02", tz="UTC"),
    ...            last=pd.Timestamp("2023-02-01", tz="UTC"))
    >>> actor_summary(G)[["actor", "victims", "posts", "top_sector"]].to_dict("records")
    [{'actor': 'A', 'victims': 1, 'posts': 3, 'top_sector': 'healthcare'}]
    """
    G = graph_of(G)
    cache = graph_cache(G)
    if "summary_coverage" not in cache:  # the top sector and country say how much of each is known
        cache["summary_coverage"] = "; ".join(coverage(G, by).line() for by in ("sector", "country"))
    out = _summary(G).copy()
    out.attrs["coverage"] = cache["summary_coverage"]
    return out


def _summary(G: nx.DiGraph | TableGraph) -> pd.DataFrame:
    """The cached :func:`actor_summary` table, shared (never change it), for the other metrics."""
    cache = graph_cache(G)
    if "actor_summary" not in cache:  # the chart ranks actors with it too
        cache["actor_summary"] = _actor_summary(G)
    return cache["actor_summary"]


def _actor_summary(G: nx.DiGraph | TableGraph) -> pd.DataFrame:
    cols = ["actor", "victims", "posts", "first", "last", "sectors", "top_sector", "countries",
            "top_country"]
    claims = claim_table(G)
    if claims.empty:
        return pd.DataFrame(columns=cols)
    codes = claim_codes(G)
    actor, names, target = codes["actor"], codes["actor_names"], codes["target"]
    n = len(names)
    pairs = sorted_unique(actor * len(codes["targets"]) + target)  # an actor may reach a node twice
    by_actor = pd.DataFrame({"first": claims["first"].array, "last": claims["last"].array}).groupby(actor)
    out = pd.DataFrame({
        "actor": names,
        "victims": np.bincount(pairs // len(codes["targets"]), minlength=n),
        "posts": np.bincount(actor, weights=claims["count"].to_numpy(dtype=float), minlength=n).astype(int),
        "first": by_actor["first"].min().reindex(range(n)).array,
        "last": by_actor["last"].max().reindex(range(n)).array})
    out["sectors"], out["top_sector"] = _spread_of(actor, n, claims["sector"])
    out["countries"], out["top_country"] = _spread_of(actor, n, claims["country"])
    order = np.lexsort((np.arange(n), -out["victims"].to_numpy()))  # names are sorted: ties by name
    return out.take(order).reset_index(drop=True)[cols]


def _spread_of(actor: np.ndarray, n: int, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per actor code ``0 .. n-1``: distinct non-empty ``values``, and the most frequent one.

    Ties go to the value that sorts first; an actor with no known value gets 0 and ``""``.
    """
    vals = values.to_numpy(dtype=object)
    known = np.flatnonzero(pd.notna(vals) & (vals != ""))
    distinct, top = np.zeros(n, dtype=np.int64), np.full(n, "", dtype=object)
    if not len(known):
        return distinct, top
    code, uniq = pd.factorize(vals[known], sort=True)
    combo, count = np.unique(actor[known] * len(uniq) + code, return_counts=True)
    who, what = combo // len(uniq), combo % len(uniq)
    distinct += np.bincount(who, minlength=n)
    order = np.lexsort((what, -count, who))
    first = order[np.r_[True, who[order][1:] != who[order][:-1]]]
    top[who[first]] = np.asarray(uniq, dtype=object)[what[first]]
    return distinct, top


def victims_per_actor(G: nx.DiGraph, *, freq: str | None = None, top: int | None = None) -> pd.DataFrame:
    """Victims per actor, overall or per period of the edge's first date.

    Parameters
    ----------
    freq : None for one row per actor (columns ``actor, victims``); a pandas period alias
        (``'M'``, ``'Q'``, ``'Y'``) for a table indexed by period with one column per actor.
    top : keep the ``top`` actors with most victims and sum the rest into ``other``.

    >>> G = nx.DiGraph()
    >>> for v, d in (("x", "2023-01-05"), ("y", "2023-01-20"), ("z", "2023-03-01")):
    ...     G.add_edge("actor:A", f"victim:{v}", first=pd.Timestamp(d, tz="UTC"), count=1)
    >>> nx.set_node_attributes(G, {n: n.split(":")[0] for n in G}, "role")
    >>> victims_per_actor(G, freq="M")["A"].tolist()
    [2, 0, 1]
    """
    G = graph_of(G)
    if freq is None:
        return _summary(G)[["actor", "victims"]].astype({"victims": "int64"})
    claims = claim_table(G)
    dated = np.flatnonzero(claims["first"].notna().to_numpy())
    if not len(dated):
        return pd.DataFrame()
    codes = claim_codes(G)
    names = codes["actor_names"]
    period = claims["first"].take(dated).dt.tz_convert(None).dt.to_period(freq)
    p_code, periods = pd.factorize(period, sort=True)
    cells = np.bincount(p_code * len(names) + codes["actor"][dated], minlength=len(periods) * len(names))
    table = pd.DataFrame(cells.reshape(len(periods), len(names)), index=pd.PeriodIndex(periods),
                         columns=pd.Index(names, dtype=object))
    table = table.loc[:, table.to_numpy().any(axis=0)]  # actors with dated claims only
    full = pd.period_range(table.index.min(), table.index.max(), freq=table.index.freq)
    table = table.reindex(full, fill_value=0)
    order = table.sum().sort_values(ascending=False, kind="mergesort").index
    table = table[order]
    if top is not None and table.shape[1] > top:
        table = pd.concat([table.iloc[:, :top], table.iloc[:, top:].sum(axis=1).rename("other")],
                          axis=1)
    table.index.name, table.columns.name = "period", "actor"
    return table


def breakdown(G: nx.DiGraph, *, by: str = "sector", actors: list[str] | None = None) -> pd.DataFrame:
    """Victims per actor and ``by`` (``'sector'`` or ``'country'``); unknown values as ``unknown``.

    Rows are actors (most victims first), columns the values of ``by`` (most frequent first),
    cells distinct victims, plus a ``total`` column. ``attrs["coverage"]`` says for how many of
    the victims ``by`` is known and how much of that is inferred
    (:func:`analystkit.graph.victimology.coverage`).
    """
    G = graph_of(G)
    if by not in ("sector", "country"):
        raise ValueError(f"by must be 'sector' or 'country', not {by!r}")
    claims = claim_table(G)
    if actors is not None:
        claims = claims[claims["actor"].isin(actors)]
    if claims.empty:
        return pd.DataFrame()
    values = claims[by].replace("", "unknown")
    table = pd.crosstab(claims["actor"], values)
    table = table[table.sum().sort_values(ascending=False, kind="mergesort").index]
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False, kind="mergesort")
    table.columns.name = by
    table.attrs["coverage"] = coverage(G if actors is None else claims, by).line()  # how much is unknown
    return table


def shared_victims(G: nx.DiGraph) -> pd.DataFrame:
    """Organisations claimed by (or linked to) more than one actor.

    Columns ``victim``, ``actors`` (tuple), ``n_actors``, ``first``, ``last``; most actors first.
    """
    G = graph_of(G)
    claims = claim_table(G)
    cols = ["victim", "actors", "n_actors", "first", "last"]
    if claims.empty:
        return pd.DataFrame(columns=cols)
    shared, sets, n_actors = _actor_sets(G, shared_only=True)
    if not len(shared):
        return pd.DataFrame(columns=cols)
    target = claim_codes(G)["target"]
    rows = np.flatnonzero(n_actors[target] > 1)
    by_target = pd.DataFrame({"first": claims["first"].array[rows], "last": claims["last"].array[rows]}
                             ).groupby(target[rows])
    first_row = np.full(len(n_actors), -1, dtype=np.int64)
    first_row[target[rows][::-1]] = rows[::-1]  # the first claim of each organisation
    out = pd.DataFrame({
        "victim": claims["victim"].to_numpy(dtype=object)[first_row[shared]],
        "actors": sets,
        "n_actors": n_actors[shared],
        "first": by_target["first"].min().reindex(shared).array,
        "last": by_target["last"].max().reindex(shared).array})
    return out.sort_values(["n_actors", "victim"], ascending=[False, True], ignore_index=True)[cols]


def overlap(G: nx.DiGraph, *, by: str = "victims") -> pd.DataFrame:
    """Actor pairs that share victims (or sectors): ``actor_a, actor_b, shared, jaccard``.

    The weighted projection of the bipartite graph onto its actors, as a table (strongest
    first). ``by='sector'`` counts sectors both actors hit instead of shared organisations.
    """
    G = graph_of(G)
    if by not in ("victims", "sector"):
        raise ValueError(f"by must be 'victims' or 'sector', not {by!r}")
    claims = claim_table(G)
    cols = ["actor_a", "actor_b", "shared", "jaccard"]
    item = "target" if by == "victims" else "sector"
    if by == "sector":
        claims = claims[claims["sector"].ne("")]
    pairs = claims[["actor", item]].drop_duplicates()
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    sizes = pairs.groupby("actor").size()
    both = pairs.merge(pairs, on=item, suffixes=("_a", "_b"))
    both = both[both["actor_a"] < both["actor_b"]]
    if both.empty:
        return pd.DataFrame(columns=cols)
    out = both.groupby(["actor_a", "actor_b"]).size().rename("shared").reset_index()
    union = sizes.reindex(out["actor_a"]).to_numpy() + sizes.reindex(out["actor_b"]).to_numpy()
    out["jaccard"] = out["shared"] / (union - out["shared"])
    return out.sort_values(["shared", "actor_a", "actor_b"], ascending=[False, True, True],
                           ignore_index=True)
