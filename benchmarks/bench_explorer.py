"""Explorer latency: filter change → redraw, on the real leak-site sample and a 1M-post feed.

For each feed, a fixed sequence of filter changes is applied to the explorer (category and
status toggles, TLP, actor selection, date range) and each change is timed from setting the
widget value to the charts being re-rendered. Beside it, a plain pandas + matplotlib baseline
does the same job by hand in the same run: filter the frames and redraw a simple timeline, the
monthly posts bars and a networkx drawing of the top actors' latest victims, to PNG.

Targets: median under 300 ms on the 7,354-post sample and under 1.5 s on 1M posts.

    python benchmarks/bench_explorer.py [--sizes sample 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import analystkit as ak
from analystkit.schema import POSTS_COLUMNS
from analystkit.ui.explorer import Explorer, forget

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "data" / "cases" / "royal-mail-2023"
SAMPLE = ROOT / "data" / "leaksites" / "ransomwatch_posts_2023-08-19.json"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_posts(n: int, seed: int = 11) -> pd.DataFrame:
    """A posts table of ``n`` claims by 100 actors (Zipf-like sizes) over 2021–2024."""
    rng = np.random.default_rng(seed)
    actors = np.array([f"group{i:03d}" for i in range(100)])
    weights = 1 / np.arange(1, 101) ** 1.1
    who = rng.choice(100, size=n, p=weights / weights.sum())
    start = pd.Timestamp("2021-01-01", tz="UTC").value
    span = pd.Timestamp("2024-12-31", tz="UTC").value - start
    dates = pd.to_datetime(start + rng.integers(0, span, n), utc=True)
    victims = np.char.add("victim-", rng.integers(0, n, n).astype(str))
    countries = rng.choice(np.array(["US", "GB", "DE", "FR", "IT", "CA", "AU", ""]), n)
    sectors = rng.choice(np.array(["healthcare", "manufacturing", "technology", "retail", ""]), n)
    frame = pd.DataFrame({
        "date": dates, "actor": actors[who], "group_name": actors[who], "victim": victims,
        "victim_key": victims, "post_title": victims, "count": 1, "announcement": False,
        "country": countries, "sector": sectors, "website": "", "feed": "ransomwatch"})
    return frame[list(POSTS_COLUMNS)].sort_values("date", kind="stable").reset_index(drop=True)


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


def run(label: str, case, posts: pd.DataFrame, repeat: int) -> None:
    forget()
    t0 = time.perf_counter()
    ex = Explorer(case, posts, key=f"bench-{label}")
    build = time.perf_counter() - t0
    kit, base, fresh, again = [], [], [], []
    seen = {repr(ex.filters())}
    for _ in range(repeat):
        for what, control, value in changes(ex):
            t = time.perf_counter()
            control.value = value
            elapsed = time.perf_counter() - t
            kit.append((what, elapsed))
            state = repr(ex.filters())
            (again if state in seen else fresh).append(elapsed)
            seen.add(state)
            f = ex.filters()
            t = time.perf_counter()
            baseline_redraw(case.events, posts, f)
            base.append(time.perf_counter() - t)
    k = statistics.median(s for _, s in kit)
    b = statistics.median(base)
    worst = max(kit, key=lambda x: x[1])
    print(f"{label:>10} posts={len(posts):>9,}  build {build:6.2f} s  redraw median "
          f"{k * 1000:7.0f} ms (baseline {b * 1000:7.0f} ms, ratio {k / b:4.2f})  "
          f"slowest '{worst[0]}' {worst[1] * 1000:.0f} ms  peak {peak_mb():,.0f} MB")
    print(f"{'':>12}new views: median {statistics.median(fresh) * 1000:.0f} ms over {len(fresh)}; "
          f"views seen before (cached charts): median "
          f"{statistics.median(again) * 1000 if again else float('nan'):.0f} ms over {len(again)}")
    for what in dict(kit):
        times = [s for w, s in kit if w == what]
        print(f"{'':>12}{what:<14} {statistics.median(times) * 1000:7.0f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["sample", "1000000"],
                        help="'sample' for the real 7,354-post file, or a number of synthetic posts")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    case = ak.load_case(CASE)
    print(f"python {sys.version.split()[0]}, matplotlib {matplotlib.__version__}, "
          f"pandas {pd.__version__}; target median: 300 ms (sample), 1.5 s (1M)")
    for size in args.sizes:
        posts = (ak.read_posts(SAMPLE, date="discovered") if size == "sample"
                 else synthetic_posts(int(size)))
        run(size, case, posts, args.repeat)


if __name__ == "__main__":
    main()
