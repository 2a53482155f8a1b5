"""The explorer without a browser: set widget values in Python, check charts and tables."""

from __future__ import annotations

import pytest
from casefiles import ROYAL_MAIL, SAMPLES
from matplotlib.figure import Figure

import analystkit as ak
from analystkit.ui.explorer import Explorer, forget

POSTS = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"


@pytest.fixture(scope="module")
def case():
    return ak.load_case(ROYAL_MAIL)


@pytest.fixture(scope="module")
def posts():
    return ak.read_posts(POSTS, date="discovered")


@pytest.fixture
def explorer(case, posts, request):
    forget(request.node.name)
    return Explorer(case, posts, key=request.node.name)


def texts(explorer, name) -> list[str]:
    fig = Figure(figsize=(11, 5.2))
    ax = fig.add_subplot()
    explorer.draw(name, ax, explorer.views())
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_widgets_rendered(explorer):
    assert set(explorer.images) == {"timeline", "graph", "activity"}
    assert all(bytes(img.value).startswith(b"<?xml") for img in explorer.images.values())
    assert "Events shown" in explorer.table.value and "Leak-site posts" in explorer.table.value


def test_category_toggle_redraws_timeline(explorer):
    before = bytes(explorer.images["timeline"].value)
    assert any("Recovery" in t for t in texts(explorer, "timeline"))
    explorer.categories["recovery"].value = False
    assert bytes(explorer.images["timeline"].value) != before
    assert "recovery" not in set(explorer.views()["case"].events["category"])
    assert not any(t.strip() == "Recovery" for t in texts(explorer, "timeline"))


def test_max_tlp_hides_amber_rows(explorer):
    assert any(t.startswith("Assessment:") for t in texts(explorer, "timeline"))
    explorer.controls["max_tlp"].value = "clear"
    assert not any("Assessment:" in t for t in texts(explorer, "timeline"))
    assert "up to TLP:CLEAR" in explorer.table.value


def test_actor_filter_narrows_posts_and_graph(explorer, posts):
    explorer.controls["actors"].value = ("LockBit",)
    views = explorer.views()
    assert set(views["posts"]["actor"]) == {"LockBit"}
    assert len(views["posts"]) < len(posts)
    graph = ak.actor_victim_graph(views["graph_posts"])
    actors = [n for n, d in graph.nodes(data=True) if d["role"] == "actor"]
    assert [graph.nodes[a]["label"] for a in actors] == ["LockBit"]
    assert "LockBit" in explorer.table.value


def test_date_range_limits_posts(explorer, posts):
    index = dict(explorer.controls["dates"].options)
    explorer.controls["dates"].value = (index["2023-01"], index["2023-03"])
    views = explorer.views()
    dates = views["posts"]["date"]
    assert 0 < len(dates) < len(posts)
    assert dates.min() >= views["filters"]["start"] == dates.min().normalize().replace(day=1)
    assert dates.max().strftime("%Y-%m") == "2023-03"
    assert "dates 2023-01-01 to 2023-03-31" in explorer.table.value


def test_values_survive_rerun(case, posts):
    forget("rerun")
    first = Explorer(case, posts, key="rerun")
    first.controls["actors"].value = ("LockBit", "ALPHV")
    first.statuses["disputed"].value = False
    second = Explorer(case, posts, key="rerun")
    assert second.controls["actors"].value == ("ALPHV", "LockBit") or \
        set(second.controls["actors"].value) == {"LockBit", "ALPHV"}
    assert second.statuses["disputed"].value is False
    assert second.filters() == first.filters()


def test_export_this_view_writes_captioned_files(explorer, tmp_path):
    explorer.controls["actors"].value = ("LockBit",)
    paths = explorer.export(tmp_path)
    names = sorted(p.name for p in paths)
    assert "explorer-timeline.png" in names and "explorer-graph.svg" in names
    svg = (tmp_path / "explorer-activity.svg").read_text(encoding="utf-8")
    assert "actors: LockBit" in svg
    assert "Saved" in explorer.status.value


def test_posts_only_explorer(posts):
    ex = Explorer(None, posts, key="posts-only")
    assert set(ex.images) == {"timeline", "graph", "activity"}
    assert "case" not in ex.views()


def test_explore_returns_widget_with_controller(case, posts):
    ui = ak.widgets.explore(case, posts=posts, key="returned")
    assert isinstance(ui.explorer, Explorer) and "ak-explorer" in ui._dom_classes
