"""Sector and country with their origin (curated, feed, inferred) and the coverage sentence, on the
fixtures written from the feeds' documented fields and on every shared leak-site sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analystkit as ak
from analystkit.graph import metrics
from analystkit.graph.victimology import country_from_domain, coverage, enrich_victims
from analystkit.io.leaksites import read_posts

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "leaksites"


def _v2() -> pd.DataFrame:
    return read_posts(DATA / "ransomwarelive_v2.json", date="attackdate")


def test_v2_records_read_with_sector_country_and_domain():
    posts = _v2().set_index("victim")
    row = posts.loc["Harbourside Logistics Ltd"]
    assert (row["actor"], row["sector"], row["country"], row["website"]) == (
        "LockBit", "Transportation/Logistics", "GB", "harbourside-logistics.co.uk")
    assert str(row["date"]) == "2024-02-29 00:00:00+00:00"  # the attack date, as asked
    assert set(posts["feed"]) == {"ransomware.live"}


def test_ransomlook_posts_read_as_their_feed():
    posts = read_posts(DATA / "ransomlook_posts.json")
    assert set(posts["feed"]) == {"ransomlook"}
    assert sorted(posts["actor"]) == ["Akira", "LockBit", "LockBit", "Play"]  # a week apart: two claims
    with pytest.raises(ValueError, match="not a ransomlook field"):
        read_posts(DATA / "ransomlook_posts.json", date="published")


def test_each_value_says_where_it_came_from():
    entities = pd.DataFrame({"name": ["Clinica Example Sur"], "sector": ["healthcare"], "country": ["ES"]})
    got = enrich_victims(_v2(), entities=entities).set_index("victim")
    facts = got[["sector", "sector_origin", "country", "country_origin"]].to_dict("index")
    assert facts["Harbourside Logistics Ltd"] == {
        "sector": "Transportation/Logistics", "sector_origin": "feed",
        "country": "GB", "country_origin": "feed"}
    assert facts["Clinica Example Sur"]["sector_origin"] == "curated"  # the analyst's value wins
    assert facts["Clinica Example Sur"]["sector"] == "healthcare"
    # no country in the feed: the .de domain says Germany, and says it is a guess
    assert facts["Stadtwerke Beispielstadt"]["country"] == "DE"
    assert facts["Stadtwerke Beispielstadt"]["country_origin"] == "inferred"
    # "Not Found" is the feed's word for unknown; a .com says nothing of a country
    assert facts["northfield-tools.com"] == {"sector": "", "sector_origin": "", "country": "",
                                             "country_origin": ""}


def test_vanity_country_domains_are_not_countries():
    vanity = ("acme.io", "acme.ai", "acme.co", "acme.tv", "acme.eu")
    assert [country_from_domain(d) for d in vanity] == [""] * 5
    real = ("acme.co.uk", "acme.fr", "www.acme.com.au")
    assert [country_from_domain(d) for d in real] == ["GB", "FR", "AU"]


def test_breakdowns_state_their_coverage_and_the_share_inferred():
    G = ak.actor_victim_graph(enrich_victims(_v2()))
    table = metrics.breakdown(G, by="country")
    said = "country known for 60 % of 5 victims (40 % from the feed, 20 % inferred)"
    assert table.attrs["coverage"] == said
    assert metrics.breakdown(G, by="sector").attrs["coverage"] == (
        "sector known for 60 % of 5 victims (all from the feed)")
    bare = metrics.breakdown(ak.actor_victim_graph(_v2()), by="country")  # not enriched: no origin said
    assert bare.attrs["coverage"] == "country known for 40 % of 5 victims"


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*_posts_*.json")))
def test_coverage_on_every_shared_sample(name: str):
    """The shared feeds carry no sector and no country: all that is known is inferred from domains."""
    posts = read_posts(SAMPLES / name, date="discovered")
    enriched = enrich_victims(posts)
    sector, country = coverage(enriched, "sector"), coverage(enriched, "country")
    victims = posts.loc[~posts["announcement"], "victim_key"].nunique()
    assert sector.victims == country.victims == victims
    assert sector.known == 0 and sector.line() == f"sector known for 0 % of {victims:,} victims"
    assert 0.05 < country.known / victims < 0.2 and set(country.by_origin) == {"inferred"}
    assert country.line().endswith("inferred)")
    inferred = enriched[enriched["country_origin"] == "inferred"]
    assert not inferred.empty and inferred["country"].str.fullmatch(r"[A-Z]{2}").all()
