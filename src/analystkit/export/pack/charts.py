"""The charts of a briefing pack, each with its title, alt text and the sources of what it shows.

Every chart is drawn on a figure already sized and laid out as it will be saved (a 16:9 slide
with the briefing furniture), so the chart places its labels for the space they really get.
Alt texts are written from the same shared (TLP-filtered) tables the chart is drawn from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ... import graph as _g
from ... import plot
from ... import text as _text
from ...graph import actor_victim_graph, coverage
from ...text import clean
from ...theme import SIZES
from ...timeline import combine, durations, restoration_phrase
from ...timeline.collection import collection_notes
from ..chart import Furniture, furnished
from .data import Chart, Pack, main_events
from .facts import timeline_notes, when

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw", "why_not"]


def _drawn(pack: Pack, title: str, subtitle: str, sources: dict[int, str],
           draw: Callable[[Axes], object]) -> Figure:
    """A new slide figure with ``draw(ax)`` run while the Axes has its final size.

    Charts place labels for the Axes' size when they are drawn, but the layout only knows that
    size once tick and lane labels exist. So the chart is drawn twice: once on a scratch figure
    to find where the laid-out Axes ends up, then for real on an Axes put exactly there. The
    labels themselves are left out of the layout, so that it comes out the same at every
    resolution (PNG at 200 dpi, SVG at 72).
    """
    import matplotlib.pyplot as plt

    furniture = Furniture(tlp=pack.tlp, title=title, subtitle=subtitle, as_of=pack.as_of,
                          sources=tuple(sources.items()))
    position = None
    for _ in range(2):
        fig = plt.figure(figsize=SIZES["slide"], layout="constrained")
        ax = fig.add_subplot()
        with furnished(fig, furniture, size="slide"):
            fig.draw_without_rendering()
            if position is not None:
                ax.set_position(position)
            draw(ax)
            for text in ax.texts:  # event labels: placed by the chart, not by the layout
                text.set_in_layout(False)
            ax.set_in_layout(True)
            fig.draw_without_rendering()
            position = ax.get_position().frozen()
        if _ == 0:
            plt.close(fig)
    return fig


def _timeline(pack: Pack) -> Chart | None:
    case = pack.case
    events = main_events(case)
    if events.empty:
        return None
    meta = case.meta
    window = None
    restore = pack.durations[pack.durations["measure"].eq("time to full restoration")]
    if len(restore):
        first = events["start"].min()
        window = (first - pd.Timedelta(days=3), restore["end"].max() + pd.Timedelta(days=10))
        start, end = first.tz_convert(None), restore["end"].max().tz_convert(None)
        shown = events[(events["start"] <= window[1]) & (events["start"] >= window[0])
                       | (events["end"].notna() & (events["start"] <= window[1]))]
    else:
        last = pd.concat([events["start"], events["end"].dropna()]).max()  # a period's last day too
        start, end = events["start"].min().tz_convert(None), last.tz_convert(None)
        shown = events
    sources = pack.cited([shown])
    title = clean(meta.get("title") or "Incident timeline", max_len=120)
    zone = meta.get("timezone") or None
    subtitle = f"Disruption timeline, {start.day} {start:%b %Y} to {end.day} {end:%b %Y}" + \
        (f" · dates in {zone}" if zone else "")
    fig = _drawn(pack, title, subtitle, sources,
                 lambda ax: plot.timeline(events, ax=ax, tz=zone, as_of=meta.get("as_of"),
                                            day0=meta.get("day0") or None, window=window))
    counts = shown["status"].value_counts()
    status = ", ".join(f"{counts[s]} {s}" for s in ("confirmed", "reported", "claimed", "disputed")
                       if s in counts)
    lines = [f"Timeline of {title}: {len(shown)} events ({status}) from {start.day} {start:%B %Y} "
             f"to {end.day} {end:%B %Y}, one lane per event category."]
    for r in pack.durations.itertuples(index=False):
        if r.measure == "days disrupted" and r.open:
            lines.append(f"Services have been disrupted for {r.text} since {when(r.start, 'day')}; "
                         "the disruption is still ongoing at the as-of date.")
        elif r.measure == "days disrupted":
            lines.append(f"Services were disrupted for {r.text}, {when(r.start, 'day', r.end, 'day')}.")
        elif r.measure == "time to disclosure":
            lines.append(f"The first public disclosure came {r.text} after day 0.")
    for r in pack.durations.itertuples(index=False):  # an open incident: said plainly
        if r.measure == "time to full restoration" and r.open:
            lines.append(f"The incident was {restoration_phrase(r._asdict())}.")
    lines += timeline_notes(shown)
    hidden = len(events) - len(shown)
    if hidden:
        lines.append(f"{hidden} later events are outside the window and listed in the chronology.")
    return Chart("timeline", title, subtitle, " ".join(lines), sources, fig)


def _drawable(case, drawn: tuple[str, ...]) -> bool:
    """True when the compare chart draws a block for ``case``: an event it draws and a day 0."""
    events = case.events
    return bool(events["category"].isin(drawn).any()) and bool(
        case.meta.get("day0") or events["category"].eq("disruption").any())


def _compare(pack: Pack) -> Chart | None:
    drawn = ("disruption", "intrusion", "disclosure", "recovery")  # compare's bars and points
    trimmed = [c.with_tables(events=main_events(c)) for c in [pack.case, *pack.compared]]
    trimmed = [c for c in trimmed if _drawable(c, drawn)]  # the alt text counts exactly these
    if len(trimmed) < 2:
        return None
    events = combine(trimmed)
    sources = pack.cited([c.events[c.events["category"].isin(drawn)] for c in trimmed])
    title = "Incidents compared on a common day 0"
    names = [clean(c.meta.get("title", c.meta.get("incident")), max_len=60) for c in trimmed]
    subtitle = "Day 0 = the day the disruptive attack began or was detected"
    fig = _drawn(pack, title, subtitle, sources,
                 lambda ax: plot.compare(events, ax=ax, bars="disruption",
                                             points=("intrusion", "disclosure", "recovery")))
    d = durations(events)  # each case at its own as-of date
    parts = []
    for c, name in zip(trimmed, names, strict=True):
        mine = d[d["incident"].eq(c.meta["incident"])]
        rows = mine[mine["measure"].eq("days disrupted")]
        extra = f", disrupted for {rows['text'].iat[0]}" if len(rows) else ""
        restore = mine[mine["measure"].eq("time to full restoration") & mine["open"].astype(bool)]
        extra += f", {restoration_phrase(restore.iloc[0])}" if len(restore) else ""
        parts.append(f"{name} (day 0 {pd.Timestamp(c.meta['day0']):%d %B %Y}{extra})")
    alt = (f"{len(trimmed)} incidents drawn on a shared axis of days since day 0: "
           + "; ".join(parts) + ".")
    return Chart("compare", title, subtitle, alt, sources, fig)


def _activity(pack: Pack) -> Chart | None:
    posts = pack.posts
    if posts is None or posts.empty:
        return None
    day0 = pack.case.meta.get("day0")
    window: tuple = (None, None)
    notes: list = []
    if day0:  # a year before day 0 to half a year after, as far as the feed reaches
        zero = pd.Timestamp(day0, tz="UTC")
        window = (zero - pd.Timedelta(days=365), zero + pd.Timedelta(days=182))
        name = clean(pack.case.meta.get("title", ""), max_len=40).split(" / ")[0] or "case"
        notes = [(zero, f"{name} day 0")]
    victims = posts[~posts["announcement"].astype(bool)] if "announcement" in posts else posts
    if window[0] is not None:
        victims = victims[(victims["date"] >= window[0]) & (victims["date"] <= window[1])]
    if victims.empty:
        return None
    sources = pack.cited([pd.DataFrame({"sources": [("leak-site-posts",)]})])
    first, last = victims["date"].min(), victims["date"].max()
    title = "Leak-site activity: victims claimed per week"
    subtitle = (f"{len(victims):,} claims by {victims['actor'].nunique()} groups, "
                f"{first.day} {first:%b %Y} to {last.day} {last:%b %Y} "
                "(claims are the groups' own assertions)")
    fig = _drawn(pack, title, subtitle, sources,
                 lambda ax: plot.activity(posts, ax=ax, start=window[0], end=window[1],
                                              annotations=notes))
    top = victims.groupby("actor")["count"].sum().sort_values(ascending=False).head(3)
    leaders = ", ".join(f"{clean(a, max_len=40)} ({n:,})" for a, n in top.items())
    alt = (f"Victims claimed on ransomware leak sites per week from {first:%B %Y} to {last:%B %Y}, "
           f"by group. The most active groups were {leaders}. Leak-site posts are claims made "
           "by the criminals and are not confirmed compromises.")
    shaped = collection_notes(posts, freq="W", start=window[0], end=window[1], actors=False)
    if len(shaped):  # what the collection did, said where a reader of the chart can hear it
        alt += " Marked on the chart: " + "; ".join(clean(t, max_len=200) for t in shaped["text"]) + "."
    return Chart("activity", title, subtitle, alt, sources, fig)


def _graph(pack: Pack) -> Chart | None:
    case = pack.case
    actors = set(case.entities.loc[case.entities["kind"].eq("actor"), "name"]) | \
        {a for a in case.events["actor"] if a} | set(case.relations["source"])
    frames, entities = [case.relations], [case.entities]
    for other in pack.related:
        rel = other.relations
        keep = rel["source"].isin(actors) | rel["target"].isin(actors)
        vias = set(rel.loc[keep, "via"]) - {""}
        keep |= rel["relation"].eq("supplier-of") & rel["source"].isin(vias)
        frames.append(rel[keep])
        entities.append(other.entities)
    relations = pd.concat(frames, ignore_index=True)
    if relations.empty:
        return None
    ents = pd.concat(entities, ignore_index=True).drop_duplicates("name")
    named = set(relations["source"]) | set(relations["target"]) | set(relations["via"])
    ents = ents[ents["name"].isin(named)].reset_index(drop=True)
    G = actor_victim_graph(relations, entities=ents)
    if not any(d.get("role") == "actor" for _, d in G.nodes(data=True)):
        return None
    victims = _g.victims(G)
    sources = pack.cited([relations])
    names = sorted(actors & {d.get("label") for _, d in G.nodes(data=True) if d.get("role") == "actor"})
    who = _listed([_text.shown(n, max_len=40) for n in names], most=12) or "the case's actors"
    in_title = who if len(names) <= 3 else f"{len(names)} actors"  # the alt text names up to 12
    title = f"Who hit whom: {in_title} and publicly reported victims"
    subtitle = ("Orange: actor · blue dots: victims · squares: suppliers · solid edge: confirmed or "
                "reported · dashed: claimed · dotted: disputed · dash-dot: via a supplier")
    victims_drawn = [v for v in pack.case.events["victim"].unique() if v]
    victim_names = [clean(v, max_len=40) for v in victims_drawn]
    fig = _drawn(pack, title, subtitle, sources,
                 lambda ax: plot.graph(G, ax=ax, highlight=victim_names, top=12, legend=False))
    statuses = pd.Series([d.get("status", "") for *_, d in G.edges(data=True)]).value_counts()
    alt = (f"Actor to victim graph of {who}: {len(victims)} victim organisations from "
           f"{G.number_of_edges()} links ({', '.join(f'{n} {s}' for s, n in statuses.items())}). "
           + (f"{_listed([_text.shown(v, max_len=40) for v in victims_drawn], most=12)} "
              f"{'is' if len(victim_names) == 1 else 'are'} highlighted. " if victim_names else "")
           + f"Victims are grouped by sector around each actor; {coverage(G, 'sector').line()}.")
    return Chart("graph", title, subtitle, alt, sources, fig)


def _listed(names: list[str], *, most: int = 3) -> str:
    """Names for a title or alt text: the first ``most``, then how many more.

    >>> _listed(["LockBit", "Cl0p"]), _listed(["A", "B", "C", "D", "E"])
    ('LockBit, Cl0p', 'A, B, C and 2 more')
    """
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} more"


_DRAW = {"timeline": _timeline, "compare": _compare, "activity": _activity, "graph": _graph}


def draw(pack: Pack, key: str) -> Chart | None:
    """Draw one chart of the pack, or return None when there is nothing to draw at its level
    (:func:`why_not` says why)."""
    return _DRAW[key](pack)


def why_not(pack: Pack, key: str) -> str:
    """Why :func:`draw` drew no ``key`` chart: the real reason, not always the marking.

    >>> from analystkit import load_case
    >>> from analystkit.export.pack.data import prepare
    >>> why_not(prepare(load_case(DATA / "cases" / "royal-mail-2023")), "compare")
    'no other case to compare with: name one (compare=[...] in Python, --compare CASE on the command line)'
    """
    level = pack.label
    mine = pack.withheld_from.get("this case", {})
    if key == "timeline":
        if mine.get("events"):
            return f"every event of the case is marked above {level}"
        return "the case has no events yet"
    if key == "compare":
        if not pack.compared:
            return ("no other case to compare with: name one (compare=[...] in Python, "
                    "--compare CASE on the command line)")
        if pack.withheld_from.get("compared cases", {}).get("events") or mine.get("events"):
            return (f"at {level} fewer than two of the cases keep an event to line up on day 0 "
                    "(the others are marked above it)")
        return "fewer than two of the cases have a disruption or a day 0 to line up on"
    if key == "activity":
        if pack.posts is None or pack.posts.empty:
            return ("no leak-site posts given (posts=... in Python; --posts FILE, or a feed pulled "
                    "with `analystkit feeds pull`, on the command line)")
        return "no victim claims in the posts within a year before to half a year after day 0"
    if mine.get("relations"):
        return f"no relation with an actor is left at {level} (the others are marked above it)"
    return "the case has no relation naming an actor"
