"""Actor → victim graph charts that stay readable from 20 victims to 200,000.

The layout is computed, not simulated: actors sit together on an inner ring (a single actor at
the centre), each actor owns an angular wedge of the outer ring sized by its victim count, and
inside its wedge the victims are grouped by sector (or country) in contiguous runs. With few
victims every victim sits on one ring and is labelled radially, with a heading per group; with
thousands the wedge fills with rows of dots and only actors (and victims you ``highlight``) are
labelled. Everything is placed with numpy in O(n log n) and drawn with one collection per style,
so the same function draws a curated case and a whole leak-site feed.

:func:`graph` reads its input once, as tables (:func:`~analystkit.plot.graph_layout.graph_tables`),
and hands them to a :class:`GraphPlotter`, whose steps are: frame the Axes, place the nodes
(:mod:`~analystkit.plot.graph_layout`), fit the labels (:mod:`~analystkit.plot.graph_labels`),
draw edges and nodes (:mod:`~analystkit.plot.graph_edges`, :mod:`~analystkit.plot.graph_nodes`),
then the legend, note and title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import theme as _theme
from ..graph import actor_victim_graph, actors
from ..graph.build import graph_of
from ..text import label as _safe
from ..times import utc
from .base.labels import renderer
from .graph_edges import draw_edges
from .graph_labels import draw_labels, label_limit
from .graph_layout import R_ACTOR, actor_frame, graph_tables, has_actors, layout, node_groups, place
from .graph_nodes import draw_nodes

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

__all__ = ["RASTER_EDGES", "GraphPlotter", "before_after", "graph", "layout"]

#: A dense chart with more edges than this draws them as an image (see ``graph_edges.raster_lines``).
RASTER_EDGES = 50_000
_LIM = 1.45  # first axis half-width, before the labels are fitted
_LEGEND_NAMES = {"confirmed": "confirmed", "reported": "reported", "claimed": "claimed (unconfirmed)",
                 "disputed": "disputed by victim", "via-supplier": "via a supplier",
                 "lineage": "rebrand / affiliate", "supplier": "supplier of"}


class GraphPlotter:
    """The drawing steps of :func:`graph`, on the tables of a graph made beforehand.

    ``nodes`` (with a ``group`` column), ``edges`` (with ``s`` / ``t``) and ``more_actors`` are
    what :func:`~analystkit.plot.graph_layout.graph_tables` returns; the other arguments are those
    of :func:`graph` (``scatter_kws`` its ``**kwargs``). :meth:`plot` runs the steps in order:
    :meth:`frame`, :meth:`arrange`, :meth:`label`, :meth:`draw`, :meth:`add_legend`,
    :meth:`annotate`; each one reads what the steps before it left on the plotter.
    """

    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame, more_actors: int = 0, *,
                 group_by: str | None = "sector", order: Sequence[str] | None = None,
                 highlight: Sequence[str] = (), labels: bool | None = None, max_labels: int = 150,
                 arrows: bool | None = None, edge_kws: dict | None = None, label_kws: dict | None = None,
                 scatter_kws: dict | None = None) -> None:
        self.nodes, self.edges, self.more_actors = nodes, edges, more_actors
        self.group_by, self.order, self.highlight = group_by, order, set(highlight)
        self.labels, self.max_labels, self.arrows = labels, max_labels, arrows
        self.edge_kws, self.label_kws = edge_kws, dict(label_kws or {})
        self.scatter_kws = dict(scatter_kws or {})
        self.th = _theme.current()

    def plot(self, ax: Axes, *, legend: bool = True, title: str | None = None) -> Axes:
        """Draw the chart on ``ax`` and return it."""
        self.frame(ax)
        self.arrange()
        self.label(ax)
        present, drawn = self.draw(ax)
        if legend:
            self.add_legend(ax, present)
        self.annotate(ax, drawn, title)
        return ax

    def frame(self, ax: Axes) -> None:
        """Square, axis-less Axes; its size in pixels and a first estimate of points per data unit."""
        fig = ax.figure
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        ax.set_xlim(-_LIM, _LIM)
        ax.set_ylim(-_LIM, _LIM)
        self.rend = renderer(fig)
        ax.apply_aspect()
        box = ax.get_window_extent(self.rend)
        self.half_px = min(box.width, box.height) / 2
        self.px_per_pt = fig.dpi / 72
        self.scale = self.half_px / self.px_per_pt / _LIM  # points per data unit (first estimate)

    def arrange(self) -> None:
        """Place every node (:func:`~analystkit.plot.graph_layout.place`); ``act``: the actors' rows."""
        actors_ = actor_frame(self.nodes, self.edges, self.order)
        scale = self.scale
        self.pos = place(self.nodes, self.edges, group_by=self.group_by, order=self.order,
                         slots=self.max_labels, min_span=1.9 * 7.5 / (1.1 * scale),
                         actor_gap=1.9 * 9.5 / (R_ACTOR * scale), actors=actors_)
        self.dense = bool(self.pos["dense"].iat[0])
        self.act = self.pos.iloc[: len(actors_)].assign(victims=actors_["victims"].to_numpy())  # first
        self.show_victims = (not self.dense) if self.labels is None else self.labels

    def label(self, ax: Axes) -> list:
        """Draw the labels, widening the axis limits until they all fit; return them."""
        lim, texts = _LIM, []
        for _ in range(4):  # fit the labels: measure them, then set the limits so they all show
            self.scale = self.half_px / self.px_per_pt / lim
            texts = self._draw_labels(ax)
            new = label_limit(ax, texts, self.half_px, lim, self.rend)
            if abs(new - lim) < 0.01 * lim:
                break
            for t in texts:
                t.remove()
            lim, texts = new, []
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
        if not texts:
            texts = self._draw_labels(ax)
        return texts

    def _draw_labels(self, ax: Axes) -> list:
        return draw_labels(ax, self.pos, self.act, self.dense, self.show_victims, self.highlight,
                           self.scale, self.label_kws, self.th)

    def draw(self, ax: Axes) -> tuple[list[str], bool]:
        """Edges, then nodes; return the edge styles present and whether arrowheads were drawn."""
        present, drawn = draw_edges(ax, self.pos, self.edges, len(self.nodes), dense=self.dense,
                                    arrows=self.arrows, scale=self.scale, edge_kws=self.edge_kws,
                                    th=self.th, raster_above=RASTER_EDGES)
        draw_nodes(ax, self.pos, self.act, self.nodes, self.dense, self.highlight, self.scale,
                   self.scatter_kws, self.th)
        return present, drawn

    def add_legend(self, ax: Axes, present: list[str]) -> None:
        """A legend of the node roles and of the edge styles ``present``."""
        from matplotlib.lines import Line2D

        th, role = self.th, self.pos["role"]
        handles = [Line2D([], [], marker="o", ls="none", color=th.roles["actor"], ms=8, label="actor"),
                   Line2D([], [], marker="o", ls="none", color=th.roles["victim"], ms=5, label="victim")]
        if role.eq("supplier").any():
            handles.append(Line2D([], [], marker="s", ls="none", color=th.roles["supplier"], ms=5,
                                  label="supplier"))
        if role.eq("more").any():
            handles.append(Line2D([], [], marker="o", ls="none", color=th.muted, ms=6,
                                  label="+N more (rolled up)"))
        for key in present:
            if key == "more":
                continue
            style = th.edges.get(key, th.edges["reported"])
            color = {"supplier": th.roles["supplier"], "lineage": th.roles["actor"]}.get(key, th.foreground)
            handles.append(Line2D([], [], color=color, ls=style.get("linestyle", "solid"),
                                  lw=style.get("width", 1.0), label=_LEGEND_NAMES.get(key, key)))
        leg = ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, handlelength=2.6,
                        borderaxespad=0.0)
        leg.set_gid("legend")

    def annotate(self, ax: Axes, drawn: bool, title: str | None) -> None:
        """The note of what is shown (bottom right, gid ``note``) and the title."""
        n_act = len(self.act)
        n_victims = int(self.pos["role"].isin(["victim", "supplier"]).sum())
        note = f"{n_act:,} actor{'s' * (n_act != 1)}, {n_victims:,} victim{'s' * (n_victims != 1)}"
        if self.more_actors:
            note += f"; {self.more_actors:,} smaller actor{'s' * (self.more_actors != 1)} not shown"
        if self.dense and not drawn:
            note += "\nedges run from each actor (inner ring) to its victims"
        ax.text(1.0, 0.0, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                color=self.th.muted).set_gid("note")
        if title:
            ax.set_title(_safe(title, max_len=120, defang_hosts=False))


def graph(G: nx.DiGraph, *, top: int | None = None, per_actor: int | None = None,
          group_by: str | None = "sector", order: Sequence[str] | None = None,
          highlight: Sequence[str] = (), labels: bool | None = None, max_labels: int = 150,
          arrows: bool | None = None, legend: bool = True, title: str | None = None,
          ax: Axes | None = None, edge_kws: dict | None = None, label_kws: dict | None = None,
          **kwargs: Any) -> Axes:
    """Draw an actor → victim graph as a structured radial chart.

    Actors sit on an inner ring (a lone actor at the centre), each with a wedge of the outer ring
    sized by its victims; inside a wedge victims are grouped by ``group_by``. Edge line style
    codes the status (theme ``edges``: solid confirmed / reported, dashed claimed, dotted
    disputed, dash-dot via a supplier); node colours come from the theme's ``roles``; actor
    size grows with victim count. Up to ``max_labels`` ring slots every victim is labelled
    radially (labels cannot overlap: the font shrinks to the slot spacing); beyond that the
    wedge becomes a dense field of dots and only actors and ``highlight`` are labelled.

    Parameters
    ----------
    G : graph from :func:`analystkit.actor_victim_graph`, or the faster
        :func:`~analystkit.graph.actor_victim_tables` of a big feed (a posts table or case is
        made into those tables on the spot).
    top : draw only the ``top`` actors with most victims (the rest are counted in a note).
    per_actor : show at most this many victims per actor; the rest become a "+N more" node.
    group_by : ``'sector'``, ``'country'`` or None: victims of one actor are grouped by it.
    order : actor labels in wedge order (clockwise from the top); e.g. to keep two panels alike.
    highlight : victim labels drawn with a ring and always labelled (e.g. ``["Royal Mail"]``).
    labels : label every victim; None does so when they fit on one ring.
    max_labels : most ring slots (victims plus group headings) drawn as a labelled ring.
    arrows : draw arrowheads; None draws them when there are at most 2,000 edges.
    legend : draw a legend of node roles and of the edge styles present.
    title : Axes title.
    ax : Axes to draw on; a new 11 × 11 inch figure when None.
    edge_kws : extra properties for every edge ``LineCollection`` (e.g. ``alpha``, ``colors``). A
        dense chart of more than 50,000 edges draws each edge style as one image composited
        like the lines would be (only ``alpha``, ``colors`` and ``linewidths`` apply there).
    label_kws : extra properties for every label ``Text`` (e.g. ``fontfamily``).
    **kwargs : passed to the one ``Axes.scatter`` call that draws the victim nodes.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import analystkit as ak
    >>> G = ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))
    >>> ax = graph(G, title="Curated victims")
    >>> sorted(t.get_text() for t in ax.texts if t.get_text() in ("LockBit", "Royal Mail"))
    ['LockBit', 'Royal Mail']
    """
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(11, 11))
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.95)
    G = graph_of(G)  # the data step, once: tables in, nothing read from the graph after this
    if not has_actors(G):
        return ax
    nodes, edges, more_actors = graph_tables(G, top, per_actor, tuple(highlight))
    nodes = nodes.assign(group=node_groups(G, nodes, group_by))
    plotter = GraphPlotter(nodes, edges, more_actors, group_by=group_by, order=order, highlight=highlight,
                           labels=labels, max_labels=max_labels, arrows=arrows, edge_kws=edge_kws,
                           label_kws=label_kws, scatter_kws=kwargs)
    return plotter.plot(ax, legend=legend, title=title)


def before_after(data: Any, date: object, *, axes: Sequence[Axes] | None = None,
                 titles: tuple[str, str] | None = None, **graph_kws: Any) -> tuple[Axes, Axes]:
    """Two panels of the same actors: the graph of ``data`` before ``date`` and from ``date`` on.

    ``data`` is anything :func:`analystkit.actor_victim_graph` accepts; ``graph_kws`` go to
    :func:`graph` for both panels, which share one actor order (so wedges line up). With
    ``axes=None`` a new 1 × 2 figure is made. For other windows, build the graphs with
    ``actor_victim_graph(data, start=..., end=...)`` and call :func:`graph` on your own axes.

    Examples
    --------
    >>> import analystkit as ak
    >>> posts = ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> a, b = before_after(posts, "2023-01-01", top=5, per_actor=10)
    >>> a.get_title(), b.get_title()
    ('Before 1 Jan 2023', 'From 1 Jan 2023')
    """
    stamp = utc(date)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(17, 8.5))
    first, second = axes[0], axes[1]
    day = f"{stamp.day} {stamp:%b %Y}"
    names = titles or (f"Before {day}", f"From {day}")
    before = actor_victim_graph(data, end=stamp - pd.Timedelta(1, "ns"))
    after = actor_victim_graph(data, start=stamp)
    order = graph_kws.pop("order", None)
    if order is None:
        order = list(dict.fromkeys([*actors(before), *actors(after)]))
    graph(before, order=order, title=names[0], ax=first, **graph_kws)
    graph(after, order=order, title=names[1], ax=second, **graph_kws)
    return first, second
