"""Any table in: a DataFrame or CSV with actor / victim / date columns goes through the same
tidying as a feed; empty feeds are empty tables; a file of Python dicts gets a hint."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import analystkit as ak
from analystkit.graph.tables import edge_table
from analystkit.io.leaksites import PostsError, read_posts
from analystkit.io.posttable import as_posts
from analystkit.schema import POSTS_COLUMNS

TABLE = pd.DataFrame({"Gang": ["lockbit3", "LockBit 3.0", "royal", "lockbit2"],
                      "Victim": ["royalmailgroup.com", "Royal Mail", "Acme Ltd", "WARNING"],
                      "Date": ["2023-02-07", "2023-02-08", "2023-03-01", "2023-03-02"]})


def test_a_plain_dataframe_is_a_graph_with_aliases_merged():
    G = ak.actor_victim_graph(TABLE)
    assert sorted(G.nodes) == ["actor:LockBit", "actor:Royal", "victim:Acme Ltd", "victim:Royal Mail"]
    assert G.edges["actor:LockBit", "victim:Royal Mail"]["count"] == 2  # the domain and the name
    edges = edge_table(ak.graph.actor_victim_tables(TABLE))
    pairs = sorted(zip(edges["source_label"], edges["target_label"], strict=True))
    assert pairs == [("LockBit", "Royal Mail"), ("Royal", "Acme Ltd")]


def test_a_plain_dataframe_is_drawn_merged_by_the_activity_chart():
    ax = ak.plot.activity(TABLE.rename(columns={"Gang": "actor", "Victim": "victim"}), freq="M")
    labels = [c.get_label() for c in ax.collections]
    assert labels == ["LockBit", "Royal"]  # never lockbit3 beside LockBit 3.0
    heights = {c.get_label(): sum(p.vertices[:, 1].max() - p.vertices[:, 1].min() for p in c.get_paths())
               for c in ax.collections}
    assert heights == {"LockBit": 2.0, "Royal": 1.0}  # Royal Mail on two days; WARNING is news
    plt.close("all")


def test_a_table_of_dates_and_actors_alone_is_merged_by_name():
    table = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-03"], utc=True),
                          "actor": ["lockbit3", "LockBit 2.0"]})
    ax = ak.plot.activity(table, freq="M")
    assert [c.get_label() for c in ax.collections] == ["LockBit"]
    plt.close("all")


def test_the_posts_table_of_a_plain_table_is_that_of_the_same_feed_file(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"group_name": g, "post_title": v, "discovered": d}
                                for g, v, d in TABLE.itertuples(index=False)]))
    from_file = read_posts(feed).drop(columns="feed")
    from_table = as_posts(TABLE).drop(columns="feed")
    pd.testing.assert_frame_equal(from_file, from_table)
    csv = tmp_path / "mine.csv"
    TABLE.to_csv(csv, index=False)
    got = read_posts(csv)
    assert list(got.columns) == list(POSTS_COLUMNS) and set(got["feed"]) == {"table"}
    pd.testing.assert_frame_equal(got.drop(columns="feed"), from_file)


def test_a_table_with_two_dates_or_no_victim_column_is_refused_naming_what_to_do():
    two = TABLE.assign(published=TABLE["Date"])
    with pytest.raises(ValueError, match="two dates, 'Date' and 'published'; pass date="):
        as_posts(two)
    assert len(as_posts(two, date="published")) == 4
    with pytest.raises(ValueError, match=r"no victim column \(looked for post_title, victim"):
        as_posts(TABLE.drop(columns="Victim"))


@pytest.mark.parametrize(("name", "text"), [
    ("array.json", "[]"), ("wrapped.json", '{"posts": []}'),
    ("header.csv", "group_name,post_title,discovered\n"), ("mine.csv", "actor,victim,date\n"),
])
def test_an_empty_feed_is_an_empty_table_in_every_format(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    posts = read_posts(path)
    assert len(posts) == 0 and list(posts.columns) == list(POSTS_COLUMNS)
    assert str(posts["date"].dtype) == "datetime64[ns, UTC]"
    assert len(as_posts(TABLE.iloc[:0])) == 0


def test_json_lines_are_read_and_python_dicts_get_a_hint(tmp_path):
    lines = tmp_path / "posts.jsonl"
    lines.write_text("\n".join(json.dumps({"group_name": "lockbit3", "post_title": t,
                                           "discovered": "2023-01-02 10:00:00"}) for t in "ab") + "\n")
    assert sorted(read_posts(lines)["victim"]) == ["a", "b"]
    dicts = tmp_path / "posts.txt"
    dicts.write_text("\n".join(str({"group_name": "lockbit3", "post_title": t, "discovered": "2023-01-02"})
                               for t in "ab"))
    with pytest.raises(PostsError, match=r"one Python dict per line .* json\.dump"):
        read_posts(dicts)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"group_name": "a", "post_title": "b", "discovered": "2023-01-02"}\n{"oops"\n')
    with pytest.raises(PostsError, match="line 2 of this JSON Lines file is not JSON"):
        read_posts(bad)
