"""One victim, many posts, many feeds: cross-feed victim links that say why and can be undone,
each post counted once with every feed that saw it, and the claim flags."""

from __future__ import annotations

import pandas as pd
import pytest
from casefiles import SAMPLES

import analystkit as ak
from analystkit.io.feedmerge import MERGE_COLUMNS, apply_merges, claim_flags, combine_feeds, link_victims

LEAKS = SAMPLES / "leaksites"


@pytest.fixture(scope="module")
def feeds():
    return {"ransomwatch": ak.read_posts(LEAKS / "ransomwatch_posts_2023-08-19.json"),
            "ransomware.live": ak.read_posts(LEAKS / "ransomwarelive_posts_2023-06-04.json",
                                             date="discovered"),
            "ransomfeed": ak.read_posts(LEAKS / "ransomfeed_posts_2023-03-13.json", date="discovered")}


@pytest.fixture(scope="module")
def combined(feeds):
    return combine_feeds(feeds)


def test_two_feeds_count_a_post_once_and_keep_both(feeds):
    stacked = pd.concat([feeds["ransomwatch"], feeds["ransomware.live"]], ignore_index=True)
    assert ak.actor_victim_graph(stacked).edges["actor:LockBit", "victim:Royal Mail"]["count"] == 2
    posts, _ = combine_feeds({k: feeds[k] for k in ("ransomwatch", "ransomware.live")})
    assert ak.actor_victim_graph(posts).edges["actor:LockBit", "victim:Royal Mail"]["count"] == 1
    royal_mail = posts[posts["victim"].eq("Royal Mail")]
    assert royal_mail["feeds"].tolist() == [("ransomware.live", "ransomwatch")]
    both = posts[posts["feeds"].map(len).eq(2)]
    assert len(both) > 5000 and len(posts) < len(stacked) - 5000


def test_the_same_feed_twice_is_the_same_posts(feeds):
    once = feeds["ransomwatch"]
    posts, _ = combine_feeds({"a": once, "b": once}, merges=link_victims(once))
    assert len(posts) == len(combine_feeds({"a": once}, merges=link_victims(once))[0])
    assert set(posts["feeds"]) == {("a", "b")}
    assert posts["count"].sum() == once["count"].sum()


def test_every_merge_says_why_and_an_edited_table_undoes_it(combined, feeds):
    posts, merges = combined
    assert list(merges.columns) == MERGE_COLUMNS and len(merges) > 100
    assert set(merges["rule"]) <= {"website", "name", "domain-name", "fuzzy", "chain"}
    assert merges["score"].between(0.96, 1.0).all()
    assert not merges["victim_key"].str.contains(r"\*").any()  # redacted names are never linked
    assert not merges["into"].isin(merges["victim_key"]).any()  # every chain followed to its end
    # mwcomponents.com is linked to the name ransomware.live's website field gives it
    row = merges.set_index("victim_key").loc["mwcomponents.com"]
    assert (row["into_victim"], row["rule"]) == ("MW Components", "website")
    # the analyst drops that row and applies the table again: the domain stands on its own
    kept = merges[merges["victim_key"].ne("mwcomponents.com")]
    again, _ = combine_feeds(feeds, merges=kept)
    assert "mwcomponents.com" in set(again["victim"]) and "mwcomponents.com" not in set(posts["victim"])
    same, _ = combine_feeds(feeds, merges=merges)
    pd.testing.assert_frame_equal(same, posts)


def test_no_merges_when_the_table_is_empty(feeds):
    posts, merges = combine_feeds(feeds, merges=pd.DataFrame(columns=MERGE_COLUMNS))
    assert len(merges) == 0 and "mwcomponents.com" in set(posts["victim"])


def test_apply_merges_follows_chains():
    posts = pd.DataFrame({"victim_key": ["a", "b", "c"], "victim": ["A", "B", "C"]})
    merges = pd.DataFrame([{"victim_key": "a", "into": "b", "into_victim": "B"},
                           {"victim_key": "b", "into": "c", "into_victim": "C"}])
    assert apply_merges(posts, merges)["victim"].tolist() == ["C", "C", "C"]


def test_claim_flags_first_repost_co_claimed_recycled():
    posts = pd.DataFrame({
        "date": pd.to_datetime(["2023-01-01", "2023-01-20", "2023-02-01", "2023-03-01", "2023-03-05"],
                               utc=True),
        "actor": ["LockBit", "LockBit", "Royal", "Royal", "Play"],
        "victim_key": ["acme", "acme", "acme", "other", "solo"]})
    flags = claim_flags(posts).set_index(["actor", "victim_key", "date"])
    got = flags[["claim", "co_claimed", "recycled"]].values.tolist()
    assert got == [["first", True, False], ["re-post", True, False], ["first", True, True],
                   ["first", False, False], ["first", False, False]]


def test_the_real_feeds_have_each_kind_of_claim(combined):
    posts, _ = combined
    assert set(posts["claim"]) == {"first", "re-post"}
    assert posts["co_claimed"].any() and posts["recycled"].any()
    assert (posts["recycled"] <= posts["co_claimed"]).all()  # recycled only where co-claimed
