"""The explorer: ipywidgets controls over a case and/or a posts table, redrawing static charts.

The controls only collect filter values; the work is done by the public functions a notebook
cell would call — :mod:`analystkit.filters`, :func:`analystkit.plot.timeline`,
:func:`analystkit.plot.graph`, :func:`analystkit.plot.activity`, :func:`analystkit.export.save`.
Charts are rendered to SVG images (static matplotlib), so what the analyst sees is exactly what
an export writes. Filter values are remembered per ``key`` and survive re-running the cell.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import export as X
from .. import filters as F
from .. import graph as G
from .. import plot
from ..case import Case
from ..schema import CATEGORIES, STATUSES, TLP_LEVELS
from ..text import clean
from ..theme import SIZES

__all__ = ["Explorer", "explore", "forget"]

#: Filter values per explorer key, kept for the life of the kernel (survive a cell re-run).
_STATE: dict[str, dict[str, Any]] = {}
_FIGSIZE = {"timeline": (11.0, 5.2), "graph": (8.0, 8.0), "activity": (11.0, 4.2)}



def forget(key: str | None = None) -> None:
    """Drop the filter values remembered for explorer ``key`` (all explorers when None)."""
    if key is None:
        _STATE.clear()
    else:
        _STATE.pop(key, None)

def _months(dates: list[pd.Series]) -> list[pd.Timestamp]:
    stamps = pd.concat([d.dropna() for d in dates if d is not None and len(d)], ignore_index=True)
    if stamps.empty:
        return [pd.Timestamp("2023-01-01", tz="UTC"), pd.Timestamp("2023-02-01", tz="UTC")]
    lo = stamps.min().tz_convert("UTC").normalize().replace(day=1)
    hi = stamps.max().tz_convert("UTC").normalize()
    months = list(pd.date_range(lo, hi + pd.offsets.MonthBegin(1), freq="MS", tz="UTC"))
    return months if len(months) > 1 else [lo, lo + pd.offsets.MonthBegin(1)]


def _render(draw, size: tuple[float, float], dpi: int) -> bytes:
    """Draw on a new figure and return it as SVG with live text (the browser sets the glyphs).

    SVG with text left as text renders in about half the time of a PNG, which is what keeps a
    redraw interactive; the exported files still come from :func:`analystkit.export.save`.
    """
    import matplotlib
    from matplotlib.figure import Figure

    # Fixed margins instead of a layout engine: a constrained layout costs a third of a redraw.
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_axes((0.13, 0.11, 0.85, 0.74) if size[0] > size[1] else (0.04, 0.04, 0.92, 0.88))
    draw(ax)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "analystkit"}):
        fig.savefig(buffer, format="svg", dpi=dpi, metadata={"Date": None})
    return buffer.getvalue()


class Explorer:
    """Controls, charts and the export button over a case and/or posts (see :func:`explore`)."""

    def __init__(self, case: Case | None = None, posts: pd.DataFrame | None = None, *,
                 key: str | None = None, out_dir: str | os.PathLike = "reports/explorer",
                 top: int = 8, per_actor: int = 25, dpi: int = 72):
        import ipywidgets as w

        if case is None and posts is None:
            raise ValueError("explore() needs a case, a posts table, or both")
        self.case, self.posts = case, posts
        self.key = key or (case.title if case is not None else "posts")
        self.out_dir = Path(out_dir)
        self.top, self.per_actor, self.dpi = top, per_actor, dpi
        ev = case.events if case is not None else None
        self.months = _months([ev["start"] if ev is not None else None,
                               ev["end"] if ev is not None else None,
                               posts["date"] if posts is not None else None])
        self._make_controls()
        self.categories = {c: w.ToggleButton(value=True, description=c, layout=w.Layout(width="auto"))
                           for c in CATEGORIES}
        self.statuses = {s: w.ToggleButton(value=True, description=s, layout=w.Layout(width="auto"))
                         for s in STATUSES}
        self.images = {name: w.Image(format="svg+xml") for name in ("timeline", "graph", "activity")
                       if (name != "activity" or posts is not None)}
        self.table = w.HTML()
        self.export_button = w.Button(description="Export this view", icon="download")
        self.status = w.HTML()
        self._add_css_classes()
        self._rendered: dict[tuple, bytes] = {}
        self._restore()
        self._observe_controls()
        self.widget = self._layout()
        self.widget.add_class("ak-explorer")
        self.widget.explorer = self
        self.update()

    def _initial_months(self) -> tuple[int, int]:
        """Indexes of the first and last month the date slider opens on."""
        first, last = 0, len(self.months) - 1
        case = self.case
        if case is not None and case.meta.get("day0"):  # open on the incident's first months
            day0 = pd.Timestamp(case.meta["day0"], tz="UTC")
            first = max(0, sum(m <= day0 for m in self.months) - 2)
            last = min(last, first + 4)
        return first, last

    def _choices(self) -> tuple[set[str], set[str], set[str]]:
        """The actors, sectors and countries the selection lists offer (blank included)."""
        case, posts = self.case, self.posts
        actors: set[str] = set()
        sectors: set[str] = set()
        countries: set[str] = set()
        if case is not None:
            actors |= set(case.events["actor"]) | set(case.relations["source"])
            sectors |= set(case.entities["sector"])
            countries |= set(case.entities["country"])
        if posts is not None:
            counts = posts["actor"].value_counts()
            actors |= set(counts.index[:60])
            sectors |= set(posts["sector"].unique()) if "sector" in posts else set()
            countries |= set(posts["country"].unique()) if "country" in posts else set()
        return actors, sectors, countries

    def _make_controls(self) -> None:
        """The date slider, the actor / sector / country lists and the TLP dropdown."""
        import ipywidgets as w

        options = [(m.strftime("%Y-%m"), i) for i, m in enumerate(self.months)]
        first, last = self._initial_months()
        actors, sectors, countries = self._choices()
        short = w.Layout(width="14em")
        self.controls: dict[str, Any] = {
            "dates": w.SelectionRangeSlider(options=options, index=(first, last),
                                            description="Dates", continuous_update=False,
                                            layout=w.Layout(width="44em")),
            "actors": w.SelectMultiple(options=sorted(actors - {""}), description="Actors",
                                       rows=6, layout=short),
            "sectors": w.SelectMultiple(options=sorted(sectors - {""}), description="Sectors",
                                        rows=6, layout=short),
            "countries": w.SelectMultiple(options=sorted(countries - {""}), description="Countries",
                                          rows=6, layout=short),
            "max_tlp": w.Dropdown(options=TLP_LEVELS, description="Max TLP",
                                  value=self.case.tlp if self.case is not None else "clear"),
        }

    def _add_css_classes(self) -> None:
        """``ak-*`` classes on every control and chart (the browser tests find them by these)."""
        for name, control in self.controls.items():
            control.add_class(f"ak-{name.replace('_', '-')}")
        for group, prefix in ((self.categories, "cat"), (self.statuses, "status")):
            for value, button in group.items():
                button.add_class(f"ak-{prefix}-{value}")
        for name, image in self.images.items():
            image.add_class(f"ak-chart-{name}")
        self.export_button.add_class("ak-export")

    def _observe_controls(self) -> None:
        """Redraw on every control change; the export button exports the view."""
        for name, control in self.controls.items():
            control.observe(lambda _change, n=name: self.update(n), names="value")
        for control in self.categories.values():
            control.observe(lambda _change: self.update("categories"), names="value")
        for control in self.statuses.values():
            control.observe(lambda _change: self.update("statuses"), names="value")
        self.export_button.on_click(lambda _: self.export())

    def _layout(self):
        """The explorer's box: controls above, charts and the summary table below."""
        import ipywidgets as w

        charts = [w.HTML("<b>Timeline</b>"), self.images["timeline"]]
        if "activity" in self.images:
            charts += [w.HTML("<b>Leak-site activity</b>"), self.images["activity"]]
        charts += [w.HTML("<b>Actor → victim graph</b>"), self.images["graph"], self.table]
        return w.VBox([
            self.controls["dates"],
            w.HBox([self.controls["actors"], self.controls["sectors"], self.controls["countries"],
                    w.VBox([self.controls["max_tlp"], self.export_button, self.status])]),
            w.HBox(list(self.categories.values()), layout=w.Layout(flex_flow="row wrap")),
            w.HBox(list(self.statuses.values())),
            *charts,
        ])

    # -- state -------------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        """The current filter values, in the keywords the :mod:`analystkit.filters` take."""
        lo, hi = self.controls["dates"].value
        end = self.months[hi] + pd.offsets.MonthEnd(0)
        return {
            "start": self.months[lo], "end": end.normalize(),
            "actors": list(self.controls["actors"].value),
            "sectors": list(self.controls["sectors"].value),
            "countries": list(self.controls["countries"].value),
            "categories": [c for c, b in self.categories.items() if b.value],
            "statuses": [s for s, b in self.statuses.items() if b.value],
            "max_tlp": self.controls["max_tlp"].value,
        }

    def _raw_values(self) -> dict[str, Any]:
        values = {name: c.value for name, c in self.controls.items()}
        values.update({f"cat:{c}": b.value for c, b in self.categories.items()})
        values.update({f"status:{s}": b.value for s, b in self.statuses.items()})
        return values

    def _restore(self) -> None:
        saved = _STATE.get(self.key, {})
        controls = {**self.controls, **{f"cat:{c}": b for c, b in self.categories.items()},
                    **{f"status:{s}": b for s, b in self.statuses.items()}}
        for name, value in saved.items():
            control = controls.get(name)
            if control is None:
                continue
            try:
                control.value = value
            except Exception:  # an option that no longer exists: keep the default
                continue

    # -- drawing -----------------------------------------------------------------------------
    def views(self, *, posts: bool = True) -> dict[str, Any]:
        """The filtered data behind each chart: ``case``, ``posts``, ``graph_posts``.

        With ``posts=False`` the posts are not re-filtered: the last posts view is reused
        (the event-only controls do not change it).
        """
        f = self.filters()
        out: dict[str, Any] = {"filters": f}
        if self.case is not None:
            out["case"] = F.filter_case(self.case, **f)
        if self.posts is not None and not posts and getattr(self, "_posts_view", None):
            out.update(self._posts_view)
        elif self.posts is not None:
            posts = F.filter_posts(self.posts, **f)
            out["posts"] = posts
            victims = posts[~posts["announcement"]] if "announcement" in posts else posts
            leaders = victims["actor"].value_counts().index[: self.top]
            chosen = victims[victims["actor"].isin(leaders)]
            recent = chosen.sort_values("date").groupby("actor", sort=False).tail(self.per_actor)
            out["graph_posts"] = recent
            out["graph_hidden"] = len(chosen) - len(recent)
            self._posts_view = {k: out[k] for k in ("posts", "graph_posts", "graph_hidden")}
        return out

    def draw(self, name: str, ax, views: dict[str, Any]) -> None:
        """Draw chart ``name`` ('timeline', 'graph', 'activity') of ``views`` on ``ax``."""
        f = views["filters"]
        if name == "timeline":
            case = views.get("case")
            if case is None or case.events.empty:
                ax.set_axis_off()
                ax.text(0.5, 0.5, "No events match these filters", ha="center", va="center",
                        transform=ax.transAxes)
                return
            plot.timeline(case.events, ax=ax, window=(f["start"], f["end"]),
                          as_of=case.meta.get("as_of"), tz=case.meta.get("timezone"),
                          title=case.title)
        elif name == "activity":
            notes = None
            if self.case is not None:
                le = self.case.events
                notes = le[le["category"].eq("law-enforcement") & le["end"].notna()]
            plot.activity(views["posts"], ax=ax, freq="M", top=self.top, start=f["start"],
                          end=f["end"], annotations=notes, title="Leak-site posts per month")
        elif name == "graph":
            if "graph_posts" in views:
                graph = G.actor_victim_graph(views["graph_posts"])
                hidden = views["graph_hidden"]
                drawn = views["graph_posts"]["actor"].nunique()
                title = _graph_title(drawn, self.top, self.per_actor, views["filters"]["actors"])
                if hidden:
                    title += f" ({hidden:,} older victims not shown)"
            else:
                graph = G.actor_victim_graph(views["case"])
                title = "Actor → victim"
            if graph.number_of_nodes() == 0:
                ax.set_axis_off()
                ax.text(0.5, 0.5, "No victims match these filters", ha="center", va="center",
                        transform=ax.transAxes)
                return
            plot.graph(graph, ax=ax, title=title)

    def _affected(self, changed: str | None) -> set[str]:
        """Charts whose input depends on the control ``changed`` (all when None)."""
        if changed in ("categories", "statuses") or (changed == "max_tlp" and self.posts is not None):
            return {"timeline"}  # event-only filters: posts and the posts graph are unchanged
        return set(self.images)

    def _cache_key(self, name: str, f: dict[str, Any]) -> tuple:
        """What chart ``name`` depends on: every filter for the timeline, fewer for posts."""
        keys = ("start", "end", "actors", "sectors", "countries")
        if name == "timeline" or self.posts is None:
            keys += ("categories", "statuses", "max_tlp")
        return (name, *(repr(f[k]) for k in keys))

    def update(self, changed: str | None = None) -> None:
        """Re-run the filters and redraw the charts that ``changed`` affects, and the table.

        Rendered charts are kept for the last few views, so flipping a control back shows the
        earlier picture at once.
        """
        _STATE[self.key] = self._raw_values()
        views = self.views(posts=changed not in ("categories", "statuses", "max_tlp"))
        for name in self._affected(changed) & set(self.images):
            key = self._cache_key(name, views["filters"])
            svg = self._rendered.pop(key, None)
            if svg is None:
                svg = _render(lambda ax, n=name: self.draw(n, ax, views), _FIGSIZE[name], self.dpi)
            self._rendered[key] = svg  # most recent last
            while len(self._rendered) > 48:
                self._rendered.pop(next(iter(self._rendered)))
            self.images[name].value = svg
        self.table.value = self._summary(views)

    def _summary(self, views: dict[str, Any]) -> str:
        rows = []
        if "case" in views:
            ev = views["case"].events
            rows.append(("Events shown", f"{len(ev)} of {len(self.case.events)}"))
            for category, n in ev["category"].value_counts().sort_index().items():
                rows.append((f"  {category}", str(n)))
        if "posts" in views:
            posts = views["posts"]
            rows.append(("Leak-site posts", f"{len(posts):,} of {len(self.posts):,}"))
            for actor, n in posts["actor"].value_counts().head(self.top).items():
                rows.append((f"  {actor}", f"{n:,}"))
        rows.append(("Filters", F.describe(views["filters"])))
        body = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>"
                       for a, b in rows)
        return f'<table class="ak-summary">{body}</table>'

    # -- export ------------------------------------------------------------------------------
    def export(self, out_dir: str | os.PathLike | None = None) -> list[Path]:
        """Save the current charts (PNG + SVG) with the active filters in their captions."""
        from matplotlib.figure import Figure

        folder = Path(out_dir) if out_dir is not None else self.out_dir
        folder.mkdir(parents=True, exist_ok=True)
        views = self.views()
        f = views["filters"]
        written: list[Path] = []
        as_of = self.case.meta.get("as_of", "") if self.case is not None else ""
        title = self.case.title if self.case is not None else "Leak-site activity"
        for name in self.images:
            fig = Figure(figsize=SIZES["slide"], layout="constrained")
            self.draw(name, fig.add_subplot(), views)
            written += X.save(fig, folder / f"explorer-{name}", formats=("png", "svg"),
                              tlp=f["max_tlp"], title=f"{title}: {name}",
                              subtitle=f"View: {F.describe(f)}", as_of=as_of,
                              alt=f"{name} chart of {title}; view: {F.describe(f)}")
        self.status.value = html.escape(f"Saved {len(written)} files to {folder}")
        return written


def explore(data: Case | pd.DataFrame, *, posts: pd.DataFrame | None = None, **kwargs: Any):
    """An explorer over a case (and optionally a posts table), or over a posts table alone.

    Returns the ipywidgets box (the notebook displays it); its controller is ``.explorer``
    (``filters()``, ``update()``, ``export()``, ``controls``, ``images``).
    """
    if isinstance(data, Case):
        return Explorer(data, posts, **kwargs).widget
    return Explorer(None, data, **kwargs).widget


def _graph_title(drawn: int, top: int, per_actor: int, chosen: Sequence[str]) -> str:
    """The posts graph's title: the actors it really draws, never "Top N" of a narrower choice.

    >>> _graph_title(8, 8, 15, [])
    'Top 8 actors, latest 15 victims each'
    >>> _graph_title(1, 8, 15, ["LockBit"])
    'LockBit: latest 15 victims'
    >>> _graph_title(3, 8, 15, ["LockBit", "Play", "Royal"])
    '3 selected actors, latest 15 victims each'
    >>> _graph_title(8, 8, 15, [f"actor {i}" for i in range(12)])
    'Top 8 of 12 selected actors, latest 15 victims each'
    >>> _graph_title(3, 8, 15, [])
    'All 3 actors, latest 15 victims each'
    """
    if chosen and drawn == 1 and len(chosen) == 1:
        return f"{clean(chosen[0], max_len=40)}: latest {per_actor} victims"
    if chosen and drawn == top < len(chosen):
        return f"Top {top} of {len(chosen)} selected actors, latest {per_actor} victims each"
    if chosen:
        return f"{drawn} selected actor{'s' if drawn != 1 else ''}, latest {per_actor} victims each"
    if drawn < top:
        return f"All {drawn} actor{'s' if drawn != 1 else ''}, latest {per_actor} victims each"
    return f"Top {top} actors, latest {per_actor} victims each"
