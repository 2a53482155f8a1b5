"""Explorer latency: filter change → redraw, on the real leak-site sample and a 1M-post feed.

For each feed, a fixed sequence of filter changes is applied to the explorer (category and
status toggles, TLP, actor selection, date range) and each change is timed from setting the
widget value to the charts being re-rendered. Beside it, a plain pandas + matplotlib baseline
does the same job by hand in the same run: filter the frames and redraw a simple timeline, the
monthly posts bars and a networkx drawing of the top actors' latest victims, to PNG, for the
filter values of each step. The explorer and the baseline each run in their own fresh child
process (``_bench.in_child``); the peak memory is that child's.

Targets: median under 300 ms on the 7,354-post sample and under 1.5 s on 1M posts. They are the
only targets this benchmark states, so ``--check`` checks them (the 1.5 s one on synthetic feeds
of up to 1M posts: a smaller feed must meet it too); the kit / baseline ratio is reported, with no
target, as the baseline draws simpler charts than the explorer's.

    python benchmarks/bench_explorer.py [--sizes sample 1000000] [--repeat 2] [--quick] [--check]

``--quick`` is ``--sizes sample 100000 --repeat 1``. Figures go to
``benchmarks/results/bench_explorer.json``.
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _bench
import networkx as nx
import pandas as pd
from _bench import Row, in_child, seconds
from matplotlib.figure import Figure

import analystkit as ak
from analystkit.ui.explorer import Explorer, forget

SAMPLE = _bench.ROOT.parent / "shared" / "samples" / "leaksites" / "ransomwatch_posts_2023-08-19.json"
LIMIT_S = {"sample": 0.3, "synthetic": 1.5}  # median redraw; synthetic: feeds up to 1M posts


def inputs(size: str):
    """The Royal Mail case and the posts: the real sample or ``size`` synthetic posts."""
    posts = (ak.read_posts(SAMPLE, date="discovered") if size == "sample"
             else _bench.synthetic_posts(int(size), seed=11, days=1460))
    return ak.load_case(_bench.CASE), posts


def changes(ex: Explorer) -> list[tuple[str, object, object]]:
    """(what, control, value) steps: toggles, TLP, actors, dates, and back."""
    top = list(ex.posts["actor"].value_counts().index[:2])
    index = [v for _, v in ex.controls["dates"].options]
    mid = len(index) // 2
    return [
        ("category off", ex.categories["recovery"], False),
        ("category on", ex.categories["recovery"], True),
        ("status off", ex.statuses["claimed"], False),
        ("status on", ex.statuses["claimed"], True),
        ("tlp clear", ex.controls["max_tlp"], "clear"),
        ("tlp amber", ex.controls["max_tlp"], "amber"),
        ("one actor", ex.controls["actors"], (top[0],)),
        ("two actors", ex.controls["actors"], tuple(top)),
        ("all actors", ex.controls["actors"], ()),
        ("dates", ex.controls["dates"], (index[max(mid - 6, 0)], index[mid])),
        ("all dates", ex.controls["dates"], (index[0], index[-1])),
    ]


def baseline_redraw(events: pd.DataFrame, posts: pd.DataFrame, f: dict) -> None:
    """The same job by hand: filter with pandas, draw three plain charts to PNG."""
    ev = events[events["category"].isin(f["categories"]) & events["status"].isin(f["statuses"])]
    ev = ev[(ev["start"] >= f["start"]) & (ev["start"] <= f["end"])]
    keep = (posts["date"] >= f["start"]) & (posts["date"] <= f["end"])
    if f["actors"]:
        keep &= posts["actor"].isin(f["actors"])
    p = posts[keep]
    for draw in ("timeline", "activity", "graph"):
        fig = Figure(figsize=(11, 5), dpi=72)
        ax = fig.add_subplot()
        if draw == "timeline":
            lanes = {c: i for i, c in enumerate(sorted(ev["category"].unique()))}
            ax.scatter(ev["start"], ev["category"].map(lanes))
            for _, row in ev.iterrows():
                ax.annotate(row["title"][:50], (row["start"], lanes[row["category"]]), fontsize=6)
        elif draw == "activity":
            table = p.groupby([p["date"].dt.tz_localize(None).dt.to_period("M"), "actor"]).size()
            top = p["actor"].value_counts().index[:8]
            table.unstack(fill_value=0).reindex(columns=top, fill_value=0).plot.bar(
                ax=ax, stacked=True, legend=False)
        else:
            top = p["actor"].value_counts().index[:8]
            recent = p[p["actor"].isin(top)].groupby("actor").tail(25)
            G = nx.from_pandas_edgelist(recent, "actor", "victim", create_using=nx.DiGraph)
            nx.draw_networkx(G, pos=nx.spring_layout(G, seed=1), ax=ax, node_size=8,
                             with_labels=False, arrows=True)
        fig.savefig(io.BytesIO(), format="png")


def kit_run(size: str, repeat: int) -> dict:
    """In a child: build the explorer, apply the changes ``repeat`` times; times and filter values."""
    case, posts = inputs(size)
    forget()
    ex, build = seconds(Explorer, case, posts, key=f"bench-{size}")
    kit, filters, fresh, again = [], [], [], []
    seen = {repr(ex.filters())}
    for _ in range(repeat):
        for what, control, value in changes(ex):
            _, elapsed = seconds(setattr, control, "value", value)
            kit.append((what, elapsed))
            state = repr(ex.filters())
            (again if state in seen else fresh).append(elapsed)
            seen.add(state)
            filters.append(ex.filters())
    return {"n": len(posts), "build": build, "kit": kit, "fresh": fresh, "again": again,
            "filters": filters}


def baseline_run(size: str, filters: list[dict]) -> list[float]:
    """In a child: the baseline's redraw for each step's filter values; its times."""
    case, posts = inputs(size)
    return [seconds(baseline_redraw, case.events, posts, f)[1] for f in filters]


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms" if values else "n/a"


def run(size: str, repeat: int, report: _bench.Report) -> None:
    out, kit_mb = in_child(kit_run, size, repeat)
    base, base_mb = in_child(baseline_run, size, out["filters"])
    kit, n = out["kit"], out["n"]
    limit = LIMIT_S["sample"] if size == "sample" else LIMIT_S["synthetic"] if n <= 1_000_000 else None
    worst = max(kit, key=lambda x: x[1])
    report.add(Row(f"redraw median ({size})", n, statistics.median(s for _, s in kit),
                   statistics.median(base), kit_mb, base_mb, target_s=limit,
                   note=f"build {out['build']:.2f} s; slowest '{worst[0]}' {worst[1] * 1000:.0f} ms; "
                        f"new views: median {ms(out['fresh'])} over {len(out['fresh'])}; views seen "
                        f"before (cached charts): median {ms(out['again'])} over {len(out['again'])}"))
    for what in dict(kit):
        report.note(f"{'':>8}{what:<14} {ms([s for w, s in kit if w == what]):>8}", header=False)


def main(argv: list[str] | None = None) -> int:
    parser = _bench.arguments(__doc__, "--sizes sample 100000 --repeat 1")
    parser.add_argument("--sizes", nargs="*",
                        help="'sample' for the real 7,354-post file, or a number of synthetic posts "
                             "(default: sample 1000000)")
    parser.add_argument("--repeat", type=int, help="times the sequence of changes is applied (default 2)")
    args = parser.parse_args(argv)
    sizes = args.sizes or (["sample", "100000"] if args.quick else ["sample", "1000000"])
    repeat = args.repeat or (1 if args.quick else 2)
    report = _bench.Report(Path(__file__).stem, args, ("ipywidgets", "matplotlib", "pandas", "networkx"),
                           f"median of {repeat} x 11 filter changes (time.perf_counter); the explorer "
                           "and the baseline each in a fresh child")
    for size in sizes:
        run(size, repeat, report)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
