"""GraphML, GEXF and node-link JSON: round trips that lose no attribute, deterministic bytes."""

from __future__ import annotations

import pandas as pd
import pytest
from casefiles import DATA

import analystkit as ak
from analystkit.io import graphfiles


@pytest.fixture(scope="module")
def curated():
    return ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"), start="2020-01-01")


def _same(a, b) -> bool:
    if isinstance(a, pd.Timestamp) or isinstance(b, pd.Timestamp) or a is pd.NaT:
        return (pd.isna(a) and pd.isna(b)) or a == b
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_round_trip_loses_nothing(curated, tmp_path, suffix):
    path = graphfiles.write(curated, tmp_path / f"g{suffix}")
    back = graphfiles.read(path)
    assert set(back.nodes) == set(curated.nodes)
    assert set(back.edges) == set(curated.edges)
    for n, d in curated.nodes(data=True):
        assert back.nodes[n].keys() == d.keys()
        assert all(_same(d[k], back.nodes[n][k]) for k in d), n
    for u, v, d in curated.edges(data=True):
        got = back.edges[u, v]
        assert got.keys() == d.keys()
        assert all(_same(d[k], got[k]) for k in d), (u, v, d, got)
    assert back.graph["start"] == pd.Timestamp("2020-01-01", tz="UTC")
    e = back.edges["actor:Cl0p", "victim:British Airways"]
    assert isinstance(e["sources"], tuple) and e["via"] == "Zellis"
    assert isinstance(e["first"], pd.Timestamp) and str(e["first"].tz) == "UTC"


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_same_graph_same_bytes(curated, tmp_path, suffix):
    a = graphfiles.write(curated, tmp_path / f"a{suffix}").read_bytes()
    b = graphfiles.write(curated.copy(), tmp_path / f"b{suffix}").read_bytes()
    assert a == b


def test_graphml_is_readable_by_plain_networkx(curated, tmp_path):
    import networkx as nx

    path = graphfiles.write(curated, tmp_path / "g.graphml")
    raw = nx.read_graphml(path)
    assert raw.nodes["actor:LockBit"]["role"] == "actor"
    assert raw.edges["actor:LockBit", "victim:Royal Mail"]["first"] == "2023-01-10T00:00:00Z"
    assert "Royal Mail" in path.read_text(encoding="utf-8")


def test_unknown_format_is_refused(curated, tmp_path):
    with pytest.raises(ValueError, match="unknown graph format"):
        graphfiles.write(curated, tmp_path / "g.dot")
