"""Timeline and activity charts: the kit beside plain matplotlib drawing the same chart.

Run: ``.venv/bin/python benchmarks/bench_timeline.py``. Prints, for each job, the kit's wall time
and peak Python memory (tracemalloc) next to a plain pandas + matplotlib baseline measured in the
same run, and their ratio. Jobs:

1. a 100,000-event timeline (lanes by category, 30 % periods) rendered to PNG;
2. a 1,000,000-post leak-site activity chart (weekly stacked bars, top 8 + other) to PNG;
3. the Royal Mail case timeline (January–February 2023 window) to PNG.

Targets: kit ≤ 1.5 × baseline; the 1M-post chart under 3 s; the Royal Mail timeline under 1 s.
"""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

import analystkit as ak
from analystkit.plot import activity, timeline
from analystkit.schema import CATEGORIES, STATUSES

ROOT = Path(__file__).resolve().parents[1]
SIZE = (13.33, 7.5)


def synthetic_events(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3 * 365 * 24, n), unit="h")
    is_period = rng.random(n) < 0.3
    end = start + pd.to_timedelta(rng.integers(1, 30 * 24, n), unit="h")
    frame = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n)], "incident": "synthetic",
        "start": start, "end": end.where(is_period, pd.NaT), "ongoing": False,
        "precision": "exact", "end_precision": "",
        "category": rng.choice(CATEGORIES, n), "title": "event",
        "status": rng.choice(STATUSES, n), "sources": [("s1",)] * n, "tlp": "clear"})
    frame["end_precision"] = np.where(is_period, "exact", "")
    return frame


def synthetic_posts(n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    actors = np.array([f"group-{i:03d}" for i in range(100)])
    weights = 1 / np.arange(1, 101) ** 1.1
    date = pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3 * 365 * 86400, n), unit="s")
    return pd.DataFrame({"date": date, "actor": rng.choice(actors, n, p=weights / weights.sum()),
                         "announcement": False})


def png(fig) -> int:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return len(buf.getvalue())


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
    return timeline(ev, milestones=None, title="100,000 synthetic events").figure


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
    return activity(posts, freq="W", top=8, annotations=cronos, title="1,000,000 posts").figure


def royal_mail_timeline(case):
    return timeline(case.events, window=("2023-01-01", "2023-03-01"), tz="Europe/London",
                    as_of=case.as_of, title=case.title).figure


def measure(job, *args) -> tuple[float, float]:
    """Best of three wall times (s) for job → PNG, then peak traced memory (MB) of one run."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        png(job(*args))
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    png(job(*args))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return min(times), peak


def row(name: str, kit: tuple[float, float], base: tuple[float, float] | None,
        target: str) -> None:
    if base is None:
        print(f"{name:<34} kit {kit[0]:6.2f} s {kit[1]:7.1f} MB   {'':<34} {target}")
        return
    print(f"{name:<34} kit {kit[0]:6.2f} s {kit[1]:7.1f} MB   baseline {base[0]:6.2f} s "
          f"{base[1]:7.1f} MB   ratio {kit[0] / base[0]:4.2f}x   {target}")


def main() -> int:
    print(f"python {sys.version.split()[0]}, matplotlib {matplotlib.__version__}, "
          f"pandas {pd.__version__}; best of 3 wall times, peak tracemalloc memory\n")
    ev = ak.validate("events", synthetic_events(100_000))
    row("timeline, 100k events -> PNG", measure(kit_timeline, ev),
        measure(baseline_timeline, ev), "target <= 1.5x")
    posts = synthetic_posts(1_000_000)
    kit = measure(kit_activity, posts)
    row("activity, 1M posts -> PNG", kit, measure(baseline_activity, posts),
        f"target <= 1.5x and < 3 s ({'met' if kit[0] < 3 else 'MISSED'})")
    t0 = time.perf_counter()
    case = ak.load_case(ROOT / "data" / "cases" / "royal-mail-2023")
    print(f"(loading the Royal Mail case: {time.perf_counter() - t0:.2f} s, not counted below)")
    rm = measure(royal_mail_timeline, case)
    build = []
    for _ in range(3):
        t0 = time.perf_counter()
        fig = royal_mail_timeline(case)
        build.append(time.perf_counter() - t0)
        plt.close(fig)
    row("Royal Mail timeline -> PNG", rm, None,
        f"target < 1 s ({'met' if rm[0] < 1 else 'MISSED'}; chart alone {min(build):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
