"""The leak-site activity chart: stacked counts per actor, aliases merged, annotations."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from casefiles import SAMPLES

from analystkit import timeline as tl
from analystkit.io.leaksites import read_posts
from analystkit.plot import activity
from analystkit.plot.base.labels import overlapping, renderer
from analystkit.theme import SIZES

POSTS = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"
CRONOS = ("2024-02-19", "2024-02-21", "Operation Cronos")


@pytest.fixture(scope="module")
def posts():
    return read_posts(POSTS)


def series(ax) -> list:
    return [c for c in ax.collections if (c.get_gid() or "").startswith("series-")]


def spans(ax, actor) -> np.ndarray:
    """(bottom, top) of each bar of one actor's series, in data units."""
    (coll,) = [c for c in series(ax) if c.get_label() == actor]
    return np.array([(p.vertices[:, 1].min(), p.vertices[:, 1].max()) for p in coll.get_paths()])


def heights(ax, actor) -> np.ndarray:
    s = spans(ax, actor)
    return s[:, 1] - s[:, 0]


def test_stacked_bars_match_counts(posts):
    ax = activity(posts, freq="M", top=5, start="2022-01-01")
    expected = tl.counts(posts, freq="M", top=5, start="2022-01-01")
    assert [c.get_label() for c in series(ax)] == list(expected.columns)
    assert np.array_equal(heights(ax, "LockBit"), expected["LockBit"].to_numpy())
    assert np.array_equal(spans(ax, "LockBit")[:, 0], np.zeros(len(expected)))  # at the bottom
    tops = np.max([spans(ax, c)[:, 1] for c in expected.columns], axis=0)
    assert np.array_equal(tops, expected.sum(axis=1).to_numpy())
    assert ax.get_ylabel() == "Victims posted per month"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(expected.columns)


def test_aliases_merged(posts):
    ax = activity(posts, freq="M", top=None, start="2023-01-01")
    labels = [c.get_label() for c in series(ax)]
    assert "LockBit" in labels and not {"lockbit2", "lockbit3"} & set(labels)
    feb = posts[(posts["date"] >= "2023-02-01") & (posts["date"] < "2023-03-01") & ~posts["announcement"]]
    assert heights(ax, "LockBit")[1] == feb["group_name"].isin(["lockbit2", "lockbit3"]).sum()


def test_annotations_inside_drawn_outside_listed(posts):
    fig, ax = plt.subplots(figsize=SIZES["slide"])
    activity(posts, ax=ax, freq="W", start="2022-06-01",
             annotations=[("2023-02-07", "Royal Mail listed"), ("2022-09-21", "Builder leaked"),
                          CRONOS])
    inside = [t.get_text().strip() for t in ax.texts if t.get_gid() == "annotation"]
    assert sorted(inside) == ["Builder leaked", "Royal Mail listed"]
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "annotations-outside"]
    assert "Operation Cronos (19–20 Feb 2024)" in note
    fig.canvas.draw()
    rend = renderer(fig)
    assert overlapping([t.get_window_extent(rend) for t in ax.texts]) == []


def test_heat_strip_holds_the_counts(posts):
    ax = activity(posts, kind="heat", freq="W", top=6, start="2023-01-01")
    (mesh,) = [c for c in ax.collections if c.get_gid() == "heat"]
    expected = tl.counts(posts, freq="W", top=6, start="2023-01-01")
    assert np.array_equal(np.asarray(mesh.get_array()).reshape(expected.shape[::-1]),
                          expected.to_numpy().T)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(expected.columns)


def test_hostile_actor_names_and_empty_input():
    posts = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-03"], utc=True),
                          "actor": ["$pwn$ crew\u202e", "LockBit"]})
    ax = activity(posts, freq="D")
    ax.figure.canvas.draw()
    assert r"\$pwn\$ crew" in [c.get_label() for c in series(ax)]
    _fig, empty_ax = plt.subplots()
    n = len(empty_ax.get_children())
    assert activity(posts.iloc[:0], ax=empty_ax) is empty_ax
    assert len(empty_ax.get_children()) == n
    with pytest.raises(ValueError, match="kind"):
        activity(posts, kind="pie")


def test_same_bytes(posts):
    def png() -> bytes:
        ax = activity(posts, freq="M", start="2022-01-01", annotations=[CRONOS])
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", metadata={"Software": None})
        plt.close(ax.figure)
        return buf.getvalue()

    assert png() == png()


def _styles(ax) -> dict[str, tuple[str, str]]:
    from matplotlib.colors import to_hex

    return {c.get_label(): (to_hex(c.get_facecolor()[0]), c.get_hatch() or "")
            for c in ax.collections}


@pytest.mark.parametrize("top", [5, 10, 16, 32])
def test_no_two_series_share_a_style_at_any_top(posts, top):
    styles = _styles(activity(posts, freq="M", top=top))
    assert len(styles) == top + 1  # and "other"
    assert len(set(styles.values())) == len(styles)
    plt.close("all")


def test_an_actor_keeps_its_style_whatever_its_rank(posts):
    everything = _styles(activity(posts, freq="M", top=16))
    early = _styles(activity(posts, freq="M", top=6, end="2022-01-01"))  # another ranking
    late = _styles(activity(posts[posts["actor"].isin(["Royal", "Play", "Akira"])], freq="W", top=3))
    for name, style in [*early.items(), *late.items()]:
        if name != "other" and name in everything:
            assert style == everything[name], name
    assert everything["LockBit"] != everything["Royal"] and everything["ALPHV"] != everything["Play"]
    plt.close("all")


def test_more_actors_than_styles_fold_into_other(posts):
    ax = activity(posts, freq="M", top=None)
    styles = _styles(ax)
    assert len(styles) == 33 and "other" in styles and len(set(styles.values())) == 33
    plt.close("all")
