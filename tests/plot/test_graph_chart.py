"""What the graph chart draws: arrows, edge styles by status, labels that never overlap."""

from __future__ import annotations

import importlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from casefiles import DATA, SAMPLES
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex

import analystkit as ak
from analystkit import theme
from analystkit.plot import before_after, graph, layout
from analystkit.plot.base.labels import overlapping, renderer
from analystkit.text import label


@pytest.fixture(scope="module")
def curated():
    return ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))


@pytest.fixture(scope="module")
def feed():
    return ak.actor_victim_graph(ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"))


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
    assert "+1,962 more" in labels
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
    posts = ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    a, b = before_after(posts, "2023-01-01", top=6, per_actor=10)
    assert (a.get_title(), b.get_title()) == ("Before 1 Jan 2023", "From 1 Jan 2023")
    first = [t.get_text() for t in a.texts if t.get_gid() == "label:actor"]
    assert first and a.figure is b.figure


def test_dense_edges_as_an_image_look_like_the_lines(feed, monkeypatch):
    """Above a size limit the dense edge field is one image composited like the lines would be."""
    import importlib

    from matplotlib.image import AxesImage

    plot_graph = importlib.import_module("analystkit.plot.graph_chart")  # the module, not the function

    def draw(limit):
        monkeypatch.setattr(plot_graph, "RASTER_EDGES", limit)
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


# --- integer node rows carried from the tables to the drawing ---------------------------------

CASES = sorted(p.name for p in (DATA / "cases").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def case_graphs():
    return {name: ak.actor_victim_graph(ak.load_case(DATA / "cases" / name)) for name in CASES}


@pytest.mark.parametrize("rollup", [{}, {"top": 50}, {"top": 3, "per_actor": 4}, {"per_actor": 2}])
def test_edge_rows_agree_with_node_keys(case_graphs, feed, rollup):
    """``s`` / ``t`` of every edge are the rows of its source and target, as key matching finds them."""
    from analystkit.graph.tables import edge_table
    from analystkit.plot.graph_layout import graph_tables

    graphs = {**case_graphs, "feed": feed, "feed rolled up": ak.graph.rollup(feed, top=5, per_actor=10)}
    for name, G in graphs.items():
        nodes, edges, _ = graph_tables(G, **rollup)
        keys = edge_table(G) if not rollup else edges
        where = pd.Index(nodes["node"])
        assert len(edges) == len(keys) > 0, name
        assert (edges["s"].to_numpy() == where.get_indexer(keys["source"])).all(), name
        assert (edges["t"].to_numpy() == where.get_indexer(keys["target"])).all(), name
        if rollup:  # the same edges as the networkx roll-up
            R = ak.graph.rollup(G, **rollup)
            assert set(zip(keys["source"], keys["target"], strict=True)) == set(R.edges()), name


def test_layout_rows_point_at_their_nodes(case_graphs, feed):
    """Every laid-out node names its own row of the node table; group headings have none."""
    from analystkit.plot.graph_layout import graph_tables, place

    for name, G in {**case_graphs, "feed": feed}.items():
        for slots in (160, 10):  # a labelled ring (with headings) and a dense annulus
            nodes, edges, _ = graph_tables(G)
            nodes = nodes.assign(group=nodes["sector"])
            pos = place(nodes, edges, group_by="sector", order=None, slots=slots, min_span=0.0,
                        actor_gap=0.0)
            placed = pos[pos["at"] >= 0]
            assert placed["node"].tolist() == nodes["node"].to_numpy()[placed["at"]].tolist(), name
            assert sorted(placed["at"]) == list(range(len(nodes))), name  # each node once
            assert set(pos.loc[pos["at"] < 0, "role"]) <= {"header"}, name
            assert list(layout(G, slots=slots).columns) == ["node", "role", "label", "x", "y", "angle",
                                                            "home", "group", "dense"]


def test_edges_join_the_positions_of_their_nodes(curated):
    """Each edge is drawn once, from its actor's dot towards its victim's (found by their labels)."""
    ax = graph(curated, arrows=False)
    at = {t.get_text(): np.array(t.get_position(), dtype=float) for t in ax.texts
          if t.get_gid() in ("label:actor", "label:victim", "label:supplier")}
    segments = np.concatenate([lc.get_segments() for lc in _by_gid(ax, LineCollection, "edges:").values()])
    assert len(segments) == curated.number_of_edges()
    used = set()
    for u, v in curated.edges():
        start, end = at[label(curated.nodes[u]["label"], max_len=30)], at[label(curated.nodes[v]["label"],
                                                                                  max_len=30)]
        heading = (end - start) / np.linalg.norm(end - start)
        drawn = (segments[:, 1] - segments[:, 0]) / np.linalg.norm(segments[:, 1] - segments[:, 0],
                                                                    axis=1)[:, None]
        hit = np.flatnonzero(np.all(np.isclose(segments[:, 0], start), axis=1)
                             & np.all(np.isclose(drawn, heading), axis=1))
        assert len(hit) == 1, (u, v)
        used.add(int(hit[0]))
    assert len(used) == len(segments)


# --- the dense edge image --------------------------------------------------------------------


def test_coverage_sums_the_length_of_every_line():
    from analystkit.plot.graph_edges import coverage

    rng = np.random.default_rng(5)
    start, end = rng.uniform(0.02, 0.98, (2, 3000, 2))
    grid = coverage(start, end, (0.0, 1.0, 0.0, 1.0), 200)
    lengths = np.hypot(*((end - start) * 200).T)
    assert grid.shape == (200, 200)
    assert grid.sum() == pytest.approx(lengths.sum(), rel=1e-9)
    one = coverage(start[:1], end[:1], (0.0, 1.0, 0.0, 1.0), 200)  # one line: only the cells it crosses
    rows, cols = np.nonzero(one)
    a, b = start[0] * 200, end[0] * 200
    centre = np.stack([cols + 0.5, rows + 0.5], axis=1) - a
    d = b - a
    off_line = np.abs(d[0] * centre[:, 1] - d[1] * centre[:, 0]) / np.linalg.norm(d)
    assert off_line.max() <= np.sqrt(0.5) + 1e-9  # every cell it adds to is one the line crosses
    assert one.max() <= 2  # pieces are 1 px long: at most two midpoints share a cell


def test_coverage_clips_lines_to_the_grid():
    from analystkit.plot.graph_edges import coverage

    start = np.array([[-5.0, 2.5], [3.5, -40.0], [20.0, 20.0], [np.nan, 1.0]])
    end = np.array([[15.0, 2.5], [3.5, 4.0], [30.0, 30.0], [2.0, 2.0]])
    grid = coverage(start, end, (0.0, 10.0, 0.0, 10.0), 10)  # one cell per data unit
    assert grid.sum() == pytest.approx(10 + 4)  # 10 across row 2, 4 up column 3; the rest outside
    assert grid[2].sum() == pytest.approx(10 + 1) and grid[:, 3].sum() == pytest.approx(4 + 1)


def test_coverage_is_the_same_however_it_is_split():
    """Counting in chunks gives the same grid, cell for cell, as one pass."""
    from analystkit.plot.graph_edges import coverage

    rng = np.random.default_rng(11)
    start = np.repeat(rng.uniform(-1, 1, (40, 2)), 500, axis=0)  # fans from 40 points
    end = rng.uniform(-1, 1, (20_000, 2))
    whole = coverage(start, end, (-1.2, 1.2, -1.2, 1.2), 700, chunk=1 << 26)
    split = coverage(start, end, (-1.2, 1.2, -1.2, 1.2), 700, chunk=1 << 14)
    assert np.array_equal(whole, split)
    assert whole.sum() == pytest.approx(np.hypot(*((end - start) * 700 / 2.4).T).sum(), rel=1e-9)


def test_edge_image_is_the_opacity_of_the_coverage():
    """``raster_lines``: colour everywhere, opacity 1 - (1 - alpha) ** (coverage * width) per pixel."""
    from matplotlib.colors import to_rgb

    from analystkit.plot.graph_edges import coverage, raster_lines

    rng = np.random.default_rng(3)
    start, end = rng.uniform(-1, 1, (2, 5000, 2))
    _fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    image = raster_lines(ax, start, end, "#123456", 0.3, 0.05)
    rgba = np.asarray(image.get_array())
    size = rgba.shape[0]
    assert rgba.shape == (size, size, 4) and size == round(min(ax.get_window_extent().size))
    assert np.allclose(rgba[..., :3], to_rgb("#123456"))
    assert tuple(image.get_extent()) == (-1.2, 1.2, -1.2, 1.2) and image in ax.images
    cover = coverage(start, end, (-1.2, 1.2, -1.2, 1.2), size)
    assert np.allclose(rgba[..., 3], 1 - 0.95 ** (cover * 0.3 * 100 / 72), atol=1e-6)
    assert rgba[..., 3].max() > 0.5 and (rgba[..., 3] == 0).any()


def test_dense_edge_image_holds_exactly_the_drawn_edges(feed, monkeypatch):
    """The image of a dense chart is the coverage of the very segments the lines version draws."""
    from matplotlib.image import AxesImage

    from analystkit.plot.graph_edges import coverage

    plot_graph = importlib.import_module("analystkit.plot.graph_chart")

    def draw(limit):
        monkeypatch.setattr(plot_graph, "RASTER_EDGES", limit)
        _fig, ax = plt.subplots(figsize=(8, 8))
        graph(feed, top=50, ax=ax)
        return ax

    lines = _by_gid(draw(10**9), LineCollection, "edges:")["claimed"]
    ax = draw(1000)
    image = _by_gid(ax, AxesImage, "edges:")["claimed"]
    alpha = np.asarray(image.get_array())[..., 3]
    segments = np.asarray(lines.get_segments())
    size = alpha.shape[0]
    cover = coverage(segments[:, 0], segments[:, 1], tuple(image.get_extent()), size)
    width = min(float(lines.get_linewidth()[0]) * ax.figure.dpi / 72, 1.0)
    assert np.allclose(alpha, 1 - (1 - lines.get_alpha()) ** (cover * width), atol=1e-6)
    px = size / (ax.get_xlim()[1] - ax.get_xlim()[0])
    length = np.hypot(*(segments[:, 1] - segments[:, 0]).T).sum() * px
    assert cover.sum() == pytest.approx(length, rel=1e-9) and length > 1e5  # 19k edges of ~20 px


def test_same_dense_chart_same_png(feed, monkeypatch):
    plot_graph = importlib.import_module("analystkit.plot.graph_chart")
    monkeypatch.setattr(plot_graph, "RASTER_EDGES", 1000)

    def png():
        fig, ax = plt.subplots(figsize=(8, 8))
        graph(feed, top=50, ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()

    assert png() == png()


def test_dense_wedges_keep_graph_order_and_labelled_rings_go_alphabetically(feed, curated):
    order = {n: i for i, n in enumerate(feed)}
    dense = layout(feed, slots=100)
    assert dense["dense"].all()
    for _, run in dense[dense["role"].eq("victim")].groupby(["home", "group"]):
        assert run["node"].map(order).is_monotonic_increasing  # the feed's order: first claim first
    ring = layout(curated)
    assert not ring["dense"].any()
    for _, run in ring[ring["role"].eq("victim")].groupby(["home", "group"]):
        assert run["label"].tolist() == sorted(run["label"])


def test_chart_of_a_posts_table_is_the_chart_of_its_graph(feed):
    posts = ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    images = []
    for data in (feed, posts, ak.graph.actor_victim_tables(posts)):
        ax = graph(data, top=5)
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", dpi=50, metadata={"Software": None})
        images.append(buf.getvalue())
    assert images[0] == images[1] == images[2]
    with pytest.raises(ValueError, match="actor_victim_graph"):
        graph(ak.graph.actor_victim_tables(posts), group_by="role")
