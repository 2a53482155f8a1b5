"""Timeline and activity charts: the kit beside plain matplotlib drawing the same chart.

Run: ``.venv/bin/python benchmarks/bench_timeline.py [--quick] [--check]``. Prints, for each job,
the kit's wall time (best of 3) and peak memory next to a plain pandas + matplotlib baseline
measured in the same run, and their ratio; each side runs in its own fresh child process
(``_bench.measure``). Jobs:

1. a 100,000-event timeline (lanes by category, 30 % periods) rendered to PNG;
2. a 1,000,000-post leak-site activity chart (weekly stacked bars, top 8 + other) to PNG;
3. the Royal Mail case timeline (January–February 2023 window) to PNG.

Targets: kit ≤ 1.5 × baseline; the 1M-post chart under 3 s; the Royal Mail timeline under 1 s.
``--quick`` draws 10,000 events and 100,000 posts instead (the ratio targets still hold; the 3 s
limit is checked on the smaller feed too: a lighter job must meet it as well). Figures go to
``benchmarks/results/bench_timeline.json``; ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import _bench
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _bench import Row, measure, png
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

import analystkit as ak
from analystkit.plot import activity, timeline
from analystkit.schema import CATEGORIES

SIZE = (13.33, 7.5)
FULL = {"events": 100_000, "posts": 1_000_000}
QUICK = {"events": 10_000, "posts": 100_000}


def events(n: int) -> pd.DataFrame:
    return ak.validate("events", _bench.synthetic_events(n))


def posts(n: int) -> pd.DataFrame:
    return _bench.synthetic_posts(n, seed=2)


def baseline_timeline(ev: pd.DataFrame):
    """Plain matplotlib: one broken_barh and one scatter per category lane, dates on x."""
    fig, ax = plt.subplots(figsize=SIZE)
    lanes = [c for c in CATEGORIES if c in set(ev["category"])]
    s = date2num(ev["start"].dt.tz_convert(None).to_numpy())
    e = date2num(ev["end"].dt.tz_convert(None).to_numpy())
    period = ev["end"].notna().to_numpy()
    cats = ev["category"].to_numpy()
    for i, lane in enumerate(lanes):
        m = cats == lane
        ax.broken_barh(list(zip(s[m & period], (e - s)[m & period], strict=True)), (i - 0.3, 0.6),
                       facecolors="C0")
        ax.scatter(s[m & ~period], np.full((m & ~period).sum(), i), s=20, c="C1")
    loc = AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_xlabel("Date (UTC)")
    return fig


def kit_timeline(ev: pd.DataFrame):
    return timeline(ev, milestones=None, title=f"{len(ev):,} synthetic events").figure


def baseline_activity(posts: pd.DataFrame):
    """Plain pandas + matplotlib: weekly counts per actor, top 8 + other, stacked bars."""
    week = posts["date"].dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time
    table = posts.groupby([week, posts["actor"]]).size().unstack(fill_value=0)
    order = table.sum().sort_values(ascending=False).index
    top = table[order[:8]].copy()
    top["other"] = table[order[8:]].sum(axis=1)
    fig, ax = plt.subplots(figsize=SIZE)
    x = date2num(top.index.to_numpy())
    bottom = np.zeros(len(top))
    for col in top.columns:
        ax.bar(x, top[col].to_numpy(), width=6, bottom=bottom, label=col, align="edge")
        bottom += top[col].to_numpy()
    loc = AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))
    ax.legend(ncol=9)
    return fig


def kit_activity(posts: pd.DataFrame):
    cronos = [("2024-02-19", "2024-02-21", "Operation Cronos")]
    return activity(posts, freq="W", top=8, annotations=cronos, title=f"{len(posts):,} posts").figure


def royal_mail_timeline(case):
    return timeline(case.events, window=("2023-01-01", "2023-03-01"), tz="Europe/London",
                    as_of=case.as_of, title=case.title).figure


def to_png(draw, data) -> float:
    """Draw ``data`` and render it to PNG; the time the chart alone took (before the PNG)."""
    start = time.perf_counter()
    fig = draw(data)
    built = time.perf_counter() - start
    png(fig)
    return built


def load_royal_mail():
    return ak.load_case(_bench.CASE)


def royal_mail_png(case) -> tuple[float, int]:
    """The Royal Mail timeline to PNG: the chart's own time and the case's number of events."""
    return to_png(royal_mail_timeline, case), len(case.events)


def pair(report: _bench.Report, job: str, n: int, make, kit, base, **targets) -> Row:
    """The kit's and the baseline's chart of the same input, each in its own child, best of 3."""
    k = measure(partial(to_png, kit), setup=partial(make, n), repeat=3)
    b = measure(partial(to_png, base), setup=partial(make, n), repeat=3)
    return report.add(Row(job, n, k.seconds, b.seconds, k.peak_mb, b.peak_mb, **targets))


def main(argv: list[str] | None = None) -> int:
    parser = _bench.arguments(__doc__, "10,000 events and 100,000 posts")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    report = _bench.Report(Path(__file__).stem, args, ("matplotlib", "pandas", "numpy"),
                           "best of 3 wall times (time.perf_counter), each side in its own fresh child")
    pair(report, "timeline -> PNG", sizes["events"], events, kit_timeline, baseline_timeline,
         target_ratio=1.5)
    pair(report, "activity, weekly top 8 -> PNG", sizes["posts"], posts, kit_activity,
         baseline_activity, target_ratio=1.5, target_s=3 if sizes["posts"] <= 1_000_000 else None)
    rm = measure(royal_mail_png, setup=load_royal_mail, repeat=3)
    built, n_events = min(rm.values)
    report.add(Row("Royal Mail timeline -> PNG", n_events, rm.seconds, peak_mb=rm.peak_mb,
                   target_s=1, note=f"chart alone {built:.2f} s; loading the case "
                                    f"{rm.setup_s:.2f} s, not counted"))
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
