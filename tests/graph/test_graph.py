"""Actor → victim graphs from the curated cases and the real leak-site posts, and their metrics."""

from __future__ import annotations

import functools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from casefiles import DATA, SAMPLES

import analystkit as ak
from analystkit import graph as g
from analystkit.graph.bulk import bulk_fill
from analystkit.graph.tables import edge_index

SAMPLE = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"


@pytest.fixture(scope="module")
def curated():
    return ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))


@pytest.fixture(scope="module")
def posts():
    return ak.read_posts(SAMPLE)


@pytest.fixture(scope="module")
def feed(posts):
    return ak.actor_victim_graph(posts)


def test_keys_roles_and_bipartite(curated):
    for node, data in curated.nodes(data=True):
        side, name = node.split(":", 1)
        assert data["label"] == name
        assert data["bipartite"] == (0 if side == "actor" else 1)
        assert (data["role"] == "actor") == (side == "actor")


def test_curated_edges_carry_status_dates_and_sources(curated):
    e = curated.edges["actor:LockBit", "victim:Royal Mail"]
    assert (e["relation"], e["status"]) == ("targets", "reported")
    assert e["first"] == pd.Timestamp("2023-01-10", tz="UTC")
    assert e["sources"] and all(isinstance(s, str) for s in e["sources"])
    assert curated.edges["actor:LockBit", "victim:Thales"]["status"] == "disputed"
    assert curated.nodes["victim:Royal Mail"]["country"] == "GB"


def test_supply_chain_and_lineage(curated):
    ba = curated.edges["actor:Cl0p", "victim:British Airways"]
    assert (ba["relation"], ba["via"]) == ("via-supplier", "Zellis")
    assert curated.nodes["victim:Zellis"]["role"] == "supplier"
    assert curated.edges["victim:Zellis", "victim:British Airways"]["relation"] == "supplier-of"
    lineage = [(u, v, d["relation"]) for u, v, d in curated.edges(data=True)
               if d["relation"] in ("rebrand-of", "affiliate-of")]
    assert lineage and all(u.startswith("actor:") and v.startswith("actor:") for u, v, _ in lineage)


def test_posts_graph_merges_aliases_and_keeps_royal_apart(feed):
    assert "actor:LockBit" in feed and "actor:lockbit2" not in feed and "actor:lockbit3" not in feed
    assert feed.out_degree("actor:LockBit") == 1977  # WARNING is news; cut names completed
    assert feed.has_edge("actor:LockBit", "victim:Royal Mail")
    assert not feed.has_edge("actor:Royal", "victim:Royal Mail")
    assert feed.nodes["actor:Royal"]["role"] == "actor"
    assert "victim:Royal" not in feed  # the group is never a victim
    # announcements are not victims
    assert not any(d["label"] == "Announcement" for _, d in feed.nodes(data=True))


def test_time_window(posts):
    jan = ak.actor_victim_graph(posts, start="2023-02-01", end="2023-02-07")
    firsts = [d["first"] for *_, d in jan.edges(data=True)]
    assert min(firsts) >= pd.Timestamp("2023-02-01", tz="UTC")
    assert max(firsts) < pd.Timestamp("2023-02-08", tz="UTC")  # end includes its whole day
    assert jan.has_edge("actor:LockBit", "victim:Royal Mail")
    assert not ak.actor_victim_graph(posts, end="2023-02-06").has_edge("actor:LockBit", "victim:Royal Mail")
    with pytest.raises(ValueError, match="before start"):
        ak.actor_victim_graph(posts, start="2023-02-01", end="2023-01-01")


def test_inputs_are_not_mutated(posts):
    before = posts.copy()
    ak.actor_victim_graph(posts, start="2023-01-01")
    pd.testing.assert_frame_equal(posts, before)


def test_actor_summary_and_first_last_seen(feed, posts):
    summary = g.actor_summary(feed).set_index("actor")
    lb = summary.loc["LockBit"]
    assert lb["victims"] == 1977 and summary.index[0] == "LockBit"
    raw = posts[(posts["actor"] == "LockBit") & ~posts["announcement"]]
    assert lb["first"] == raw["date"].min() and lb["last"] == raw["date"].max()
    assert lb["posts"] == raw["count"].sum()


def test_victims_per_actor_per_month(feed, posts):
    table = g.victims_per_actor(feed, freq="M")
    assert table.loc[pd.Period("2023-02", "M"), "LockBit"] == (
        g.edges_frame(feed).query("source == 'actor:LockBit'")["first"]
        .dt.strftime("%Y-%m").eq("2023-02").sum())
    assert table.sum().sum() == feed.number_of_edges()
    top = g.victims_per_actor(feed, freq="Q", top=3)
    assert list(top.columns) == ["LockBit", "ALPHV", "Conti", "other"]


def test_breakdowns_on_curated(curated):
    sectors = g.breakdown(curated, by="sector")
    assert sectors.loc["LockBit", "total"] == curated.out_degree("actor:LockBit")
    assert sectors.loc["LockBit", "healthcare"] >= 2
    countries = g.breakdown(curated, by="country")
    assert countries.loc["LockBit", "GB"] >= 1
    with pytest.raises(ValueError, match="sector"):
        g.breakdown(curated, by="colour")


def test_shared_victims_and_overlap(curated, feed):
    shared = g.shared_victims(curated).set_index("victim")
    assert shared.loc["City of Oakland", "actors"] == ("LockBit", "Play")
    ov = g.overlap(feed)
    assert (ov["shared"] > 0).all() and ov["jaccard"].between(0, 1).all()
    assert ov.iloc[0]["shared"] == ov["shared"].max()
    by_sector = g.overlap(curated, by="sector")
    assert set(by_sector.columns) == {"actor_a", "actor_b", "shared", "jaccard"}


def test_rollup_keeps_top_and_counts_the_rest(feed):
    R = g.rollup(feed, top=3, per_actor=10, keep=["Royal Mail"])
    actors = [d["label"] for _, d in R.nodes(data=True) if d["role"] == "actor"]
    assert actors == ["LockBit", "ALPHV", "Conti"]
    assert R.graph["more_actors"] == len(g.actors(feed)) - 3
    assert R.nodes["more:LockBit"]["more"] == 1977 - 11  # 10 + Royal Mail kept
    assert R.nodes["more:LockBit"]["label"] == "+1,966 more"
    assert R.has_edge("actor:LockBit", "victim:Royal Mail")


def test_cached_tables_equal_a_fresh_read_of_the_graph(posts):
    G = ak.actor_victim_graph(posts)
    built = g.edges_frame(G)  # the table made while building
    tables = (g.actor_summary(G), g.shared_victims(G), g.victims_per_actor(G, freq="M"))
    rows = edge_index(G)
    G.__networkx_cache__.clear()  # read everything again from the graph itself
    pd.testing.assert_frame_equal(built, g.edges_frame(G))
    for stored, fresh in zip(rows, edge_index(G), strict=True):
        assert stored.tolist() == fresh.tolist()
    for before, after in zip(tables, (g.actor_summary(G), g.shared_victims(G),
                                      g.victims_per_actor(G, freq="M")), strict=True):
        pd.testing.assert_frame_equal(before, after)
    assert list(built["source"] + ">" + built["target"]) == [f"{u}>{v}" for u, v in G.edges]


def test_cached_tables_follow_changes_to_the_graph(posts):
    G = ak.actor_victim_graph(posts)
    n = g.actor_summary(G).set_index("actor").loc["LockBit", "victims"]
    G.add_node("victim:Newco", role="victim", bipartite=1, label="Newco", sector="", country="")
    G.add_edge("actor:LockBit", "victim:Newco", count=1, relation="claimed", status="claimed")
    assert g.actor_summary(G).set_index("actor").loc["LockBit", "victims"] == n + 1
    G.remove_node("victim:Royal Mail")
    assert "Royal Mail" not in set(g.edges_frame(G)["target_label"])
    G.edges["actor:LockBit", "victim:Newco"]["status"] = "confirmed"  # in place: clear the cache
    G.__networkx_cache__.clear()
    frame = g.edges_frame(G)
    assert frame.loc[frame["target"].eq("victim:Newco"), "status"].tolist() == ["confirmed"]
    frame["count"] = 0  # a copy: the cache is not changed through it
    assert g.edges_frame(G)["count"].gt(0).all()


def test_rollup_of_a_rolled_up_graph(feed):
    R = g.rollup(feed, top=3, per_actor=10)
    R2 = g.rollup(R, per_actor=2)  # "+N more" nodes are ranked like victims, by their count
    assert list(R2.successors("actor:LockBit")) == ["more:LockBit", "victim:radium.com.tw"]
    hidden = R.out_degree("actor:LockBit") - 2
    assert R2.nodes["more:LockBit"]["more"] == R2.edges["actor:LockBit", "more:LockBit"]["count"] == hidden
    assert R2.nodes["more:LockBit"]["label"] == f"+{hidden} more"


def public_fill(keys, node_data, u, v, edge_data) -> nx.DiGraph:
    """What :func:`bulk_fill` stands for: networkx's public bulk methods."""
    H = nx.DiGraph()
    H.__networkx_cache__["stale"] = True
    H.add_nodes_from(zip(keys, node_data, strict=True))
    H.add_edges_from(zip(u, v, edge_data, strict=True))
    return H


def fast_fill(keys, node_data, u, v, edge_data) -> nx.DiGraph:
    G = nx.DiGraph()
    G.__networkx_cache__["stale"] = True  # a cache entry made before the fill must not survive
    bulk_fill(G, keys, [dict(d) for d in node_data], u, v, [dict(d) for d in edge_data])
    return G


def storage(G: nx.DiGraph) -> dict:
    """The graph's own attributes (``_node``, ``_adj``, ``_succ``, ``_pred``, ``graph``, cache...),
    without the views networkx caches on first use (``G.nodes``, ``G.edges``...)."""
    return {k: x for k, x in vars(G).items()
            if not isinstance(getattr(type(G), k, None), functools.cached_property)}


def assert_same_graph(G: nx.DiGraph, H: nx.DiGraph) -> None:
    """Same nodes, edges, attributes, order, adjacency views, degrees and storage."""
    assert type(G) is type(H)
    assert storage(G).keys() == storage(H).keys()  # networkx keeps nothing the fill leaves out
    assert storage(G) == storage(H)
    assert G.__networkx_cache__ == H.__networkx_cache__ == {}
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(data=True)) == list(H.edges(data=True))
    for view in ("adj", "succ", "pred"):
        assert [(n, list(nbrs.items())) for n, nbrs in getattr(G, view).items()] == \
               [(n, list(nbrs.items())) for n, nbrs in getattr(H, view).items()]
    assert list(G.in_degree) == list(H.in_degree) and list(G.out_degree) == list(H.out_degree)
    assert all(G.pred[b][a] is G.succ[a][b] for a, b in G.edges)  # one dict per edge, as networkx
    assert list(G.reverse().edges(data=True)) == list(H.reverse().edges(data=True))


def random_fill_args(seed: int, n_actors: int = 40, n_victims: int = 400, n_edges: int = 1500):
    """Nodes and edges in the order a posts table gives them: edges not grouped by source."""
    rng = np.random.default_rng(seed)
    actors = [f"actor:a{i}" for i in range(n_actors)]
    victims = [f"victim:v{i}" for i in rng.permutation(n_victims)]
    node_data = [{"role": "actor", "label": k[6:]} for k in actors]
    node_data += [{"role": "victim", "label": k[7:], "sector": str(rng.integers(3))} for k in victims]
    pairs = {(actors[a], victims[b]): None for a, b in zip(rng.integers(0, n_actors, n_edges),
                                                           rng.integers(0, n_victims, n_edges),
                                                           strict=True)}
    u, v = zip(*pairs, strict=True)
    edge_data = [{"count": i, "first": pd.Timestamp("2023-01-01", tz="UTC") + pd.Timedelta(i, "h")}
                 for i in range(len(u))]
    return actors + victims, node_data, list(u), list(v), edge_data


@pytest.mark.parametrize("seed", [0, 1])
def test_bulk_fill_makes_the_graph_of_the_public_methods(seed):
    """Pins the fast path over networkx's storage (``_node``, ``_succ``, ``_pred``, the cache) to
    ``add_nodes_from`` + ``add_edges_from``; run on the lowest and the highest networkx allowed."""
    args = random_fill_args(seed)
    G, H = fast_fill(*args), public_fill(*args)
    assert_same_graph(G, H)
    last = (args[2][-1], args[3][-1])
    for graph in (G, H):  # later edits see the same storage
        graph.remove_edge(*last)
        graph.remove_node(args[0][0])
        graph.add_edge("actor:a1", "victim:new", count=0)
    assert list(G.edges(data=True)) == list(H.edges(data=True))
    assert {n: list(G.pred[n]) for n in G} == {n: list(H.pred[n]) for n in H}
    assert nx.to_dict_of_dicts(G) == nx.to_dict_of_dicts(H)


def test_bulk_build_is_the_graph_networkx_would_build(posts, monkeypatch):
    calls = []

    def recorded(G, *args):
        calls.append(args)
        bulk_fill(G, *args)

    monkeypatch.setattr("analystkit.graph.posts.bulk_fill", recorded)
    G = ak.actor_victim_graph(posts)  # written straight into networkx's dict-of-dicts storage
    (args,) = calls
    G.__networkx_cache__.clear()  # the tables cached by the build
    assert_same_graph(G, public_fill(*args))
    assert G.pred["victim:Royal Mail"]["actor:LockBit"] is G.succ["actor:LockBit"]["victim:Royal Mail"]


def test_bulk_build_of_a_graph_subclass_takes_the_public_methods():
    class Tagged(nx.DiGraph):
        node_attr_dict_factory = dict

    G = nx.DiGraph()
    T = Tagged()
    full = nx.DiGraph([("actor:C", "victim:B")])
    args = (["actor:A", "victim:B"], [{"role": "actor"}, {"role": "victim"}], ["actor:A"], ["victim:B"],
            [{"count": 2}])
    for graph in (G, T, full):
        bulk_fill(graph, *args)
    assert list(G.edges(data=True)) == list(T.edges(data=True)) == [("actor:A", "victim:B", {"count": 2})]
    assert list(T.pred["victim:B"]) == ["actor:A"]
    assert list(full.pred["victim:B"]) == ["actor:C", "actor:A"]
    assert full.nodes["actor:A"] == {"role": "actor"}


def test_metrics_of_a_graph_without_shared_victims():
    G = ak.actor_victim_graph(ak.load_case(DATA / "cases" / "royal-mail-2023"))
    shared = g.shared_victims(G)
    assert shared.empty and list(shared.columns) == ["victim", "actors", "n_actors", "first", "last"]
    summary = g.actor_summary(G).set_index("actor")
    assert summary.loc["LockBit", "victims"] == sum(1 for v in G.successors("actor:LockBit")
                                                    if G.nodes[v]["role"] in ("victim", "supplier"))


def test_metrics_agree_with_plain_pandas_on_the_real_feed(feed, posts):
    claims = posts[~posts["announcement"]]
    plain = claims.groupby("actor").agg(first=("date", "min"), last=("date", "max"), posts=("count", "sum"))
    summary = g.actor_summary(feed).set_index("actor")
    pd.testing.assert_series_equal(summary["posts"].sort_index(), plain["posts"].sort_index(),
                                   check_dtype=False)
    assert (summary["first"].sort_index() == plain["first"].sort_index()).all()
    shared = g.shared_victims(feed)
    label = claims.groupby("victim_key")["victim"].transform("first")  # one node per key's first name
    by_victim = claims.groupby(label)["actor"].agg(lambda s: tuple(sorted(set(s))))
    expected = by_victim[by_victim.map(len) > 1]
    assert dict(zip(shared["victim"], shared["actors"], strict=True)) == expected.to_dict()
    assert shared["n_actors"].tolist() == shared["actors"].map(len).tolist()


def test_tables_without_networkx_give_the_same_metrics(posts):
    for window in ({}, {"start": "2023-01-01", "end": "2023-03-31"}):
        G, T = ak.actor_victim_graph(posts, **window), g.actor_victim_tables(posts, **window)
        assert isinstance(T, g.TableGraph) and len(T) == len(G) and T.graph == G.graph
        pd.testing.assert_frame_equal(g.edges_frame(T), g.edges_frame(G))
        for metric in (g.actor_summary, g.shared_victims, g.victims, g.overlap,
                       lambda x: g.victims_per_actor(x, freq="M", top=5),
                       lambda x: g.breakdown(x, by="sector"),
                       lambda x: g.actor_share(x, "LockBit", "2023-02-01")):
            pd.testing.assert_frame_equal(metric(T), metric(G))
    whole = g.actor_summary(ak.actor_victim_graph(posts))
    pd.testing.assert_frame_equal(g.actor_summary(posts), whole)  # a posts table works too
    with pytest.raises(TypeError, match="actor_victim_graph"):
        g.rollup(T, top=3)
    assert g.actor_victim_tables(posts.iloc[:0]).number_of_nodes() == 0
