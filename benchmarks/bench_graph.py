"""Leak-site feed → graph → metrics → top-50 chart, timed beside plain-library baselines.

For each feed size a synthetic ransomwatch-format ``posts.json`` is written (Zipf-distributed
groups with the real alias spellings, dirty titles: HTML entities, truncation, bare domains,
re-posts, announcements: ``_bench.ransomwatch_feed``), then each step is timed for the kit's call
and for the plain pandas / networkx / matplotlib code of that step (the baseline). The read
baseline does the kit's job in plain pandas (aliases, title cleaning, legal forms, announcements,
one row per actor, victim and day); its raw json + DataFrame + to_datetime load is also shown on a
line of its own.

    python benchmarks/bench_graph.py                  # 20k, 200k and 1M posts
    python benchmarks/bench_graph.py --sizes 20000    # one size
    python benchmarks/bench_graph.py --quick --check  # 20k posts; exit 1 if a target is missed

Targets (issue 4): each step within 1.2x of its baseline where the baseline does the same work;
1M posts → metrics table + top-50 chart in under 10 s; peak memory under 2 GB. The four steps
(read, build, metrics, chart) are checked against 1.2x; the end-to-end rows (from the posts file)
against 10 s for feeds of up to 1M posts and against 2 GB at every size.

A third pipeline times the kit's fast route for big feeds: ``actor_victim_tables`` makes the
graph's tables straight from the posts table (no networkx object) and the same metrics and chart
are drawn from them.

The kit's pipelines and the baseline pipeline of each size run one after the other, each in a fresh
child process (``_bench.in_child``), so that peak memory (the child's peak resident set size after
each step, ``_bench.peak_mb``) is the pipeline's own and not the sum of both or of an earlier size.
Figures go to ``benchmarks/results/bench_graph.json``.
"""

from __future__ import annotations

import json
import tempfile
import time
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _bench
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from _bench import Row, in_child, peak_mb
from _bench import seconds as timed

import analystkit as ak
from analystkit import graph as akg
from analystkit.plot import graph as draw_graph

SIZES = [20_000, 200_000, 1_000_000]
QUICK = [20_000]
STEP_RATIO = 1.2  # each step's kit / baseline time
END_TO_END_S = 10.0  # 1M posts -> metrics table + top-50 chart
PEAK_MB = 2048.0  # 2 GB


def baseline_read(path: Path) -> pd.DataFrame:
    """The read step done in plain pandas: the job of ``ak.read_posts`` without the kit.

    Loads the feed (json, DataFrame, UTC dates: that part's time is kept in ``.attrs["load_s"]``),
    names actors and known victims through ``data/aliases.csv``, cleans the titles (entities,
    control characters, spacing, truncation dots), keys them without legal forms, flags
    announcements and keeps one row per (actor, victim key, UTC day): its first post and a count,
    oldest first.
    """
    from html import unescape

    start = time.perf_counter()
    frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    frame["date"] = pd.to_datetime(frame["discovered"], format="ISO8601", utc=True)
    load_s = time.perf_counter() - start
    table = pd.read_csv(_bench.ROOT / "data" / "aliases.csv", dtype=str, keep_default_na=False)
    alias = {kind: dict(zip(rows["alias"].str.lower(), rows["canonical"], strict=True))
             for kind, rows in table.groupby("kind")}
    frame["actor"] = frame["group_name"].str.lower().map(alias["actor"]).fillna(frame["group_name"])
    title = (frame["post_title"].map(unescape)
             .str.replace(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\ufeff]", " ", regex=True)
             .str.replace(r"\s+", " ", regex=True).str.strip()
             .str.replace(r"\s*(?:\.{3,}|…)$", "", regex=True))
    low = title.str.lower()
    domain = low.str.fullmatch(r"(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}")
    bare = low.str.removeprefix("www.")
    frame["victim"] = bare.map(alias["victim"]).fillna(title.where(~domain, bare))
    legal = (r"ltd|limited|plc|inc|incorporated|llc|llp|l\.l\.c|gmbh|ag|sa|s\.a|sas|s\.a\.s|srl|s\.r\.l|"
             r"spa|s\.p\.a|bv|b\.v|nv|n\.v|oy|ab|as|a/s|kg|co|corp|corporation|company|pty|pty ltd|"
             r"sdn bhd|bhd|s\.l|sl|se|kk|k\.k|pte|pte ltd")
    frame["victim_key"] = (frame["victim"].str.lower().str.replace(r"\.{2,}$", "", regex=True)
                           .str.replace(rf"[\s,]+(?:{legal})\.?$", "", regex=True).str.strip(" ,."))
    frame["announcement"] = title.str.contains(
        r"^\W*(?:important\s+)?announce|\bannounce\s+(?:of|-)|hello\s+world|our\s+new\s+partner|"
        r"^(?:news|partnership|for\s+press|faq|rules|contacts?|about\s+us|how\s+to\s+buy)\W*$|"
        r"welcome\s+to\s+(?:our|new)|affiliate\s+program|\bwe\s+are\s+(?:looking|recruiting|hiring)\b|"
        r"\bjoin\s+(?:us|our\s+team)\b|\brecruit(?:ing|ment)\s+(?:of\s+)?(?:pentesters|affiliates)",
        case=False, regex=True)
    frame["day"] = frame["date"].dt.floor("D")
    out = (frame.sort_values("date", kind="stable")
           .groupby(["actor", "victim_key", "day"], sort=False)
           .agg(date=("date", "first"), victim=("victim", "first"), group_name=("group_name", "first"),
                post_title=("post_title", "first"), announcement=("announcement", "first"),
                count=("date", "size"))
           .reset_index().sort_values("date", kind="stable", ignore_index=True))
    out.attrs["load_s"] = load_s
    return out


def baseline_metrics(raw: pd.DataFrame) -> tuple:
    per_actor = raw.groupby("actor").agg(victims=("victim", "nunique"), first=("date", "min"),
                                         last=("date", "max"))
    monthly = pd.crosstab(raw["date"].dt.tz_convert(None).dt.to_period("M"), raw["actor"])
    shared = raw.groupby("victim")["actor"].nunique()
    return per_actor, monthly, shared[shared > 1]


def kit_metrics(G: nx.DiGraph) -> tuple:
    return akg.actor_summary(G), akg.victims_per_actor(G, freq="M"), akg.shared_victims(G)


def baseline_chart(raw: pd.DataFrame, out: Path) -> None:
    top = raw["actor"].value_counts().index[:50]
    H = nx.from_pandas_edgelist(raw[raw["actor"].isin(top)], "actor", "victim", create_using=nx.DiGraph)
    pos = nx.bipartite_layout(H, list(top))
    fig, ax = plt.subplots(figsize=(11, 11))
    nx.draw_networkx_nodes(H, pos, ax=ax, node_size=2)
    nx.draw_networkx_edges(H, pos, ax=ax, arrows=False, width=0.2, alpha=0.1)
    nx.draw_networkx_labels(H, pos, labels={a: a for a in top}, ax=ax, font_size=6)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def kit_chart(G: nx.DiGraph, out: Path) -> None:
    ax = draw_graph(G, top=50, title="Top 50 groups")
    ax.figure.savefig(out, dpi=100, metadata={"Software": None})
    plt.close(ax.figure)


def kit_pipeline(path: Path, folder: Path, *, fast: bool = False) -> list[tuple]:
    """read → build → metrics → chart; ``fast`` builds the tables only (``actor_victim_tables``)."""
    build, step = (akg.actor_victim_tables, "tables") if fast else (ak.actor_victim_graph, "build")
    out = []
    posts, t = timed(ak.read_posts, path)
    out.append(("read", t, peak_mb()))
    G, t = timed(build, posts)
    out.append((step, t, peak_mb()))
    _, t = timed(kit_metrics, G)
    out.append(("metrics", t, peak_mb()))
    _, t = timed(kit_chart, G, folder / f"kit_{step}_{path.stem}.png")
    out.append(("top-50 chart", t, peak_mb()))
    if not fast:
        out.append(("size", len(posts), G.number_of_nodes(), G.number_of_edges()))
    return out


def base_pipeline(path: Path, folder: Path) -> list[tuple]:
    out = []
    raw, t = timed(baseline_read, path)
    out.append(("read", t, peak_mb()))
    _, t = timed(lambda: nx.from_pandas_edgelist(raw, "actor", "victim", edge_attr=["date"],
                                                 create_using=nx.DiGraph))
    out.append(("build", t, peak_mb()))
    _, t = timed(baseline_metrics, raw)
    out.append(("metrics", t, peak_mb()))
    _, t = timed(baseline_chart, raw, folder / f"base_{path.stem}.png")
    out.append(("top-50 chart", t, peak_mb()))
    out.append(("raw load", raw.attrs["load_s"]))
    return out


def run(n: int, folder: Path, report: _bench.Report) -> None:
    """One feed size: the three pipelines, each in its own child; rows for each step and end to end."""
    path, _ = in_child(_bench.write_feed, folder / f"posts_{n}.json", n)
    (*kit, (_, claims, nodes, edges)), _ = in_child(kit_pipeline, path, folder)
    fast, _ = in_child(partial(kit_pipeline, fast=True), path, folder)
    (*base, (_, t_load)), _ = in_child(base_pipeline, path, folder)
    report.note(f"\n{n:,} posts → {claims:,} claims, graph of {nodes:,} nodes / {edges:,} edges")
    for (step, t_kit, mb_kit), (_, t_base, mb_base) in zip(kit, base, strict=True):
        report.add(Row(step, n, t_kit, t_base, mb_kit, mb_base, target_ratio=STEP_RATIO))
        if step == "read":
            report.add(Row("  read vs raw load", n, t_kit, t_load, mb_kit,
                           note="baseline: json + DataFrame + to_datetime alone, no cleaning"))
    limit = END_TO_END_S if n <= 1_000_000 else None
    for job, rows in (("end to end: file -> metrics + chart", kit),
                      ("  fast route (actor_victim_tables)", fast)):
        report.add(Row(job, n, sum(r[1] for r in rows), sum(r[1] for r in base),
                       max(r[2] for r in rows), max(r[2] for r in base), target_s=limit,
                       target_mb=PEAK_MB))
    report.note(f"  from the posts table: kit {sum(r[1] for r in kit[1:]):.2f} s (build + metrics + "
                f"chart), baseline {sum(r[1] for r in base[1:]):.2f} s; from the built graph: kit "
                f"{kit[2][1] + kit[3][1]:.2f} s (metrics + chart)")
    report.note(f"  fast route from the posts table {sum(r[1] for r in fast[1:]):.2f} s (tables "
                f"{fast[1][1]:.2f}, metrics {fast[2][1]:.2f}, chart {fast[3][1]:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = _bench.arguments(__doc__, f"{QUICK[0]:,} posts only")
    parser.add_argument("--sizes", type=int, nargs="+", help="feed sizes (default: 20k, 200k, 1M)")
    parser.add_argument("--keep", type=Path, help="folder to keep the feeds and PNGs in")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK if args.quick else SIZES)
    report = _bench.Report(Path(__file__).stem, args, ("networkx", "pandas", "matplotlib", "numpy"),
                           "one run per step (time.perf_counter); each pipeline in its own fresh child")
    report.note(
        "baselines:\n"
        "  read     = the kit's job in plain pandas: json, DataFrame, to_datetime, alias-table maps,\n"
        "             html.unescape, .str regexes (control chars, spacing, truncation, domains, legal\n"
        "             forms, announcements), groupby per actor, victim key and UTC day\n"
        "  raw load = json + DataFrame + to_datetime alone (no cleaning)\n"
        "  build = nx.from_pandas_edgelist (no aliasing/aggregation); metrics = pandas groupby; "
        "chart = nx.bipartite_layout + draw_networkx\n"
        "  peak MB of a step = the pipeline child's peak after that step")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            run(n, folder, report)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
