"""What the graph chart draws: arrows, edge styles by status, labels that never overlap."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pytest
from casefiles import DATA
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex

import analystkit as ak
from analystkit import theme
from analystkit.plot._labels import overlapping, renderer
from analystkit.plot.graph import before_after, graph, layout
from analystkit.text import label


@pytest.fixture(scope="module")
def curated():
    return ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))


@pytest.fixture(scope="module")
def feed():
    return ak.actor_victim_graph(ak.read_posts(DATA / "leaksites" / "ransomwatch_posts_2023-08-19.json"))


def _by_gid(ax, kind, prefix):
    return {a.get_gid().split(":", 1)[1]: a for a in ax.findobj(kind)
            if (a.get_gid() or "").startswith(prefix)}


def _label_boxes(ax):
    rend = renderer(ax.figure)
    texts = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    return texts, [t.get_window_extent(rend) for t in texts]


def _outline(t, rend) -> np.ndarray:
    """The four corners (display pixels) of a text's rotated box, measured by the renderer."""
    rotation = t.get_rotation()
    t.set_rotation(0)
    box = t.get_window_extent(rend)
    t.set_rotation(rotation)
    anchor = t.get_transform().transform(t.get_position())
    corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    if t.get_rotation_mode() != "anchor":
        return corners if rotation == 0 else np.array(t.get_window_extent(rend).corners())
    a = np.radians(rotation)
    turn = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (corners - anchor) @ turn.T + anchor


def _collide(p, q, tol=0.5) -> bool:
    """Separating-axis test for two convex quadrilaterals (overlap deeper than ``tol`` px)."""
    for poly in (p, q):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            axis = np.array([-edge[1], edge[0]]) / max(np.hypot(*edge), 1e-9)
            a, b = p @ axis, q @ axis
            if a.max() - tol <= b.min() or b.max() - tol <= a.min():
                return False
    return True


def _label_overlaps(ax) -> list[tuple[str, str]]:
    rend = renderer(ax.figure)
    texts = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    shapes = [_outline(t, rend) for t in texts]
    return [(texts[i].get_text(), texts[j].get_text()) for i in range(len(texts))
            for j in range(i + 1, len(texts)) if _collide(shapes[i], shapes[j])]


def test_one_arrow_per_edge(curated):
    ax = graph(curated)
    heads = _by_gid(ax, PolyCollection, "arrows:")
    assert sum(len(pc.get_paths()) for pc in heads.values()) == curated.number_of_edges()
    lines = _by_gid(ax, LineCollection, "edges:")
    assert sum(len(lc.get_segments()) for lc in lines.values()) == curated.number_of_edges()


def test_edge_styles_follow_status(curated):
    ax = graph(curated)
    lines = _by_gid(ax, LineCollection, "edges:")
    edges = list(curated.edges(data=True))
    n_claimed = sum(d["status"] == "claimed" and d["relation"] != "via-supplier" for *_, d in edges)
    n_via = sum(d["relation"] == "via-supplier" for *_, d in edges)
    n_disputed = sum(d["status"] == "disputed" for *_, d in edges)
    assert len(lines["claimed"].get_segments()) == n_claimed > 0
    assert len(lines["via-supplier"].get_segments()) == n_via == 4
    assert len(lines["disputed"].get_segments()) == n_disputed == 1

    def dash(lc):
        _offset, pattern = lc.get_linestyle()[0]
        return pattern

    assert dash(lines["reported"]) is None  # solid
    assert dash(lines["claimed"]) is not None and dash(lines["disputed"]) is not None
    assert dash(lines["claimed"]) != dash(lines["disputed"]) != dash(lines["via-supplier"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"claimed (unconfirmed)", "disputed by victim", "via a supplier"} <= set(legend)


def test_every_node_labelled_once_and_no_overlap(curated):
    ax = graph(curated, title="Curated")
    texts, boxes = _label_boxes(ax)
    shown = [t.get_text() for t in texts if t.get_gid() in ("label:victim", "label:supplier",
                                                              "label:actor")]
    expected = [d["label"] for _, d in curated.nodes(data=True)]
    assert sorted(shown) == sorted(label(s, max_len=30) for s in expected)
    assert _label_overlaps(ax) == []
    rend = renderer(ax.figure)
    assert overlapping([ax.get_legend().get_window_extent(rend)], boxes) == []
    axes_box = ax.get_window_extent(rend)
    assert all(axes_box.x0 - 1 <= b.x0 and b.x1 <= axes_box.x1 + 1 and axes_box.y0 - 1 <= b.y0
               and b.y1 <= axes_box.y1 + 1 for b in boxes)


def test_overlap_check_sees_overlaps(curated):
    ax = graph(curated, label_kws={"fontsize": 30})  # forced too large for the ring
    assert _label_overlaps(ax)


def test_colours_and_sizes_from_theme(curated):
    with theme.use("dark") as th:
        ax = graph(curated)
    nodes = _by_gid(ax, matplotlib.collections.PathCollection, "nodes:")
    assert to_hex(nodes["actor"].get_facecolor()[0]) == th.roles["actor"].lower()
    assert to_hex(nodes["victim"].get_facecolor()[0]) == th.roles["victim"].lower()
    assert to_hex(nodes["supplier"].get_facecolor()[0]) == th.roles["supplier"].lower()
    sizes = nodes["actor"].get_sizes()
    assert sizes[0] == sizes.max() and sizes.max() > sizes.min()  # LockBit, most victims, largest


def test_lockbit_star_groups_sectors(curated):
    lockbit = curated.subgraph(["actor:LockBit", *curated.successors("actor:LockBit")]).copy()
    pos = layout(lockbit).set_index("node")
    assert tuple(pos.loc["actor:LockBit", ["x", "y"]]) == (0.0, 0.0)
    ring = pos[pos["role"] != "actor"]
    assert np.allclose(np.hypot(ring["x"], ring["y"]), 1.0)
    # members of one sector are contiguous round the ring, after their heading
    groups = ring["group"].tolist()
    assert all(groups.index(gr) + groups.count(gr) - 1 == len(groups) - 1 - groups[::-1].index(gr)
               for gr in set(groups))
    ax = graph(lockbit, highlight=["Royal Mail"])
    headers = [t.get_text() for t in ax.texts if t.get_gid() == "label:header"]
    assert "HEALTHCARE" in headers
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold" and t.get_gid() == "label:victim"]
    assert bold == ["Royal Mail"]


def test_hostile_names_are_drawn_safely():
    G = nx.DiGraph()
    G.add_node("actor:X", role="actor", bipartite=0, label="X", sector="", country="")
    for name in ("Pay $5m $HACK$", "Evil\u202eCorp\x00", "A" * 200):
        G.add_node(f"victim:{name}", role="victim", bipartite=1, label=name, sector="", country="")
        G.add_edge("actor:X", f"victim:{name}", status="claimed", relation="claimed", count=1)
    ax = graph(G)
    texts = {t.get_text() for t in ax.texts if t.get_gid() == "label:victim"}
    assert r"Pay \$5m \$HACK\$" in texts and "EvilCorp" in texts
    assert max(len(t) for t in texts) <= 30
    ax.figure.savefig(io.BytesIO(), format="png")  # mathtext would raise on an unescaped $


def test_dense_chart_of_a_whole_feed(feed):
    ax = graph(feed, top=50, highlight=["Royal Mail"])
    nodes = _by_gid(ax, matplotlib.collections.PathCollection, "nodes:")
    assert len(nodes["actor"].get_offsets()) == 50
    shown = len(nodes["victim"].get_offsets())
    assert 6000 < shown < feed.number_of_nodes()
    assert not _by_gid(ax, PolyCollection, "arrows:")  # too many edges for arrowheads by default
    texts, _boxes = _label_boxes(ax)
    assert {t.get_gid() for t in texts} == {"label:actor", "label:highlight"}
    assert [t.get_text() for t in texts if t.get_gid() == "label:highlight"] == ["Royal Mail"]
    assert _label_overlaps(ax) == []
    note = next(t.get_text() for t in ax.texts if t.get_gid() == "note")
    assert "smaller actors not shown" in note


def test_rollup_nodes_and_kwargs_pass_through(feed):
    ax = graph(feed, top=4, per_actor=15, marker="s")
    nodes = _by_gid(ax, matplotlib.collections.PathCollection, "nodes:")
    assert len(nodes["more"].get_offsets()) == 4
    assert len(nodes["victim"].get_offsets()) == 4 * 15
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "label:more"]
    assert "+1,984 more" in labels
    assert _label_overlaps(ax) == []


def test_empty_graph_leaves_axes_untouched():
    _fig, ax = plt.subplots()
    assert graph(nx.DiGraph(), ax=ax) is ax
    assert not ax.collections and not ax.texts and ax.axison


def test_same_graph_same_png(curated):
    def png():
        fig, ax = plt.subplots(figsize=(8, 8))
        graph(curated, ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()

    assert png() == png()


def test_before_after_share_actor_order(feed):
    posts = ak.read_posts(DATA / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    a, b = before_after(posts, "2023-01-01", top=6, per_actor=10)
    assert (a.get_title(), b.get_title()) == ("Before 1 Jan 2023", "From 1 Jan 2023")
    first = [t.get_text() for t in a.texts if t.get_gid() == "label:actor"]
    assert first and a.figure is b.figure


def test_dense_edges_as_an_image_look_like_the_lines(feed, monkeypatch):
    """Above a size limit the dense edge field is one image composited like the lines would be."""
    import importlib

    from matplotlib.image import AxesImage

    plot_graph = importlib.import_module("analystkit.plot.graph")  # the module, not the function

    def draw(limit):
        monkeypatch.setattr(plot_graph, "_RASTER_EDGES", limit)
        fig, ax = plt.subplots(figsize=(8, 8))
        graph(feed, top=50, ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return ax, plt.imread(io.BytesIO(buf.getvalue()))[..., :3]

    lines_ax, lines = draw(10**9)
    image_ax, image = draw(1000)
    assert "claimed" in _by_gid(lines_ax, LineCollection, "edges:")
    assert "claimed" not in _by_gid(image_ax, LineCollection, "edges:")
    layer = _by_gid(image_ax, AxesImage, "edges:")["claimed"]
    alpha = layer.get_array()[..., 3]
    assert alpha.max() > 0.5 and alpha[0, 0] == 0 and alpha[-1, -1] == 0  # dense centre, empty corners
    assert image_ax.get_xlim() == lines_ax.get_xlim()
    # the two renderings differ by a few percent of grey on average, not by their structure
    assert np.abs(image - lines).mean() < 0.03
    assert abs(image.mean() - lines.mean()) < 0.01
