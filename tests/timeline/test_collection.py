"""Collection, not events: a crawler's first-pass back-fill and partial first and last periods
found per feed and per actor, drawn as such, and the date the chart counts by named on its axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from casefiles import SAMPLES

import analystkit as ak
from analystkit.timeline.collection import collection_notes, date_meaning

LEAKS = SAMPLES / "leaksites"


@pytest.fixture(scope="module")
def posts():
    return ak.read_posts(LEAKS / "ransomwatch_posts_2023-08-19.json")


def test_the_first_crawl_and_the_partial_last_month_of_a_real_feed(posts):
    notes = collection_notes(posts, actors=False).set_index("kind")
    fill = notes.loc["back-fill"]
    assert fill["period"] == pd.Timestamp("2021-09-01", tz="UTC") and fill["posts"] > 800
    assert "first pass" in fill["text"] and "not a surge" in fill["text"]
    last = notes.loc["partial-last"]
    assert last["period"] == pd.Timestamp("2023-08-01", tz="UTC")
    assert last["covered"] == pytest.approx(19 / 31, abs=0.01) and "not a fall" in last["text"]
    assert "partial-first" not in notes.index  # January 2020 holds one stray post: it misleads no one


def test_actor_back_fills_are_found_but_not_the_feeds_own_first_pass(posts):
    notes = collection_notes(posts)
    actors = notes[notes["scope"].eq("actor")]
    assert not actors["period"].eq(pd.Timestamp("2021-09-01", tz="UTC")).any()
    assert "Vice Society" in set(actors["name"])
    assert actors["text"].str.contains("likely a back-fill").all()


def test_a_group_added_later_is_a_back_fill_and_a_steady_one_is_not():
    days = pd.date_range("2022-01-01", "2022-12-31", freq="D", tz="UTC")
    steady = pd.DataFrame({"date": days, "actor": "Steady"})
    dumped = pd.DataFrame({"date": [pd.Timestamp("2022-06-02", tz="UTC")] * 40
                           + list(pd.date_range("2022-07-01", "2022-12-31", freq="7D", tz="UTC")),
                           "actor": "Newcomer"})
    notes = collection_notes(pd.concat([steady, dumped], ignore_index=True).assign(feed="feed"))
    found = notes[notes["kind"].eq("back-fill")]
    assert found[["scope", "name", "period", "posts"]].values.tolist() == [
        ["actor", "Newcomer", pd.Timestamp("2022-06-01", tz="UTC"), 40]]


def test_the_chart_marks_collection_and_names_its_date(posts):
    ax = ak.plot.activity(posts, freq="M", top=5)
    boxes = {p.get_gid(): p for p in ax.patches if str(p.get_gid()).startswith("collection-")}
    assert set(boxes) == {"collection-back-fill", "collection-partial-last"}
    from matplotlib.dates import num2date

    assert num2date(boxes["collection-back-fill"].get_x()).strftime("%Y-%m") == "2021-09"
    labels = {t.get_gid(): t.get_text() for t in ax.texts if str(t.get_gid()).startswith("collection-label")}
    assert labels == {"collection-label-back-fill": "first crawl", "collection-label-partial-last": "partial"}
    assert ax.get_xlabel() == "Date the crawler found the post (UTC)"
    assert len(ax._analystkit_collection) == 2
    plain = ak.plot.activity(posts, freq="M", top=5, collection=False)
    assert not [p for p in plain.patches if str(p.get_gid()).startswith("collection-")]
    plt.close("all")


def test_the_axis_says_which_date_a_ransomware_live_feed_is_counted_by():
    for date, said in (("published", "Date the group posted"), ("discovered", "Date the crawler found")):
        feed = ak.read_posts(LEAKS / "ransomwarelive_posts_2023-06-04.json", date=date)
        assert date_meaning(feed) == date
        assert ak.plot.activity(feed, freq="M").get_xlabel().startswith(said)
    plt.close("all")
