"""Leak-site feed → graph → metrics → top-50 chart, timed beside plain-library baselines.

For each feed size a synthetic ransomwatch-format ``posts.json`` is written (Zipf-distributed
groups with the real alias spellings, dirty titles: HTML entities, truncation, bare domains,
re-posts, announcements), then each step is timed for the kit's call and for the plain pandas /
networkx / matplotlib code of that step (the baseline). The read baseline does the kit's
job in plain pandas (aliases, title cleaning, legal forms, announcements, one row per actor, victim
and day); its raw json + DataFrame + to_datetime load is also shown on a line of its own.

    python benchmarks/bench_graph.py                  # 20k, 200k and 1M posts
    python benchmarks/bench_graph.py --sizes 20000    # a quick run

Targets (issue 4): each step within 1.2x of its baseline where the baseline does the same work;
1M posts → metrics table + top-50 chart in under 10 s; peak memory under 2 GB.

A third pipeline times the kit's fast route for big feeds: ``actor_victim_tables`` makes the
graph's tables straight from the posts table (no networkx object) and the same metrics and chart
are drawn from them.

The kit's pipelines and the baseline pipeline of each size run one after the other, each in a fresh
child process, so that peak memory (the child's maximum resident set size after each step,
``resource.getrusage``) is the pipeline's own and not the sum of both or of an earlier size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

import analystkit as ak
from analystkit import graph as akg
from analystkit.plot import graph as draw_graph

GROUPS = ["lockbit3", "lockbit2", "alphv", "blackcat", "clop", "conti", "royal", "play", "bianlian",
          "blackbasta", "8base", "akira", "medusa", "hiveleak", "vicesociety", "pysa", "revil"]
WORDS = ["North", "Valley", "Global", "Metal", "Health", "Group", "Logistics", "Systems", "Dental",
         "County", "Foods", "Legal", "Partners", "Energy", "Bank", "Clinic", "Press", "Motors"]


def synth(n: int, seed: int = 7) -> list[dict]:
    """``n`` ransomwatch-format posts with realistic skew and dirt."""
    rng = np.random.default_rng(seed)
    groups = GROUPS + [f"group{i:03d}" for i in range(400)]
    weights = 1 / np.arange(1, len(groups) + 1) ** 1.1
    g = rng.choice(len(groups), size=n, p=weights / weights.sum())
    n_victims = int(n * 0.93)
    vid = rng.integers(0, n_victims, size=n)
    words = np.array(WORDS)
    w1, w2 = rng.integers(0, len(WORDS), size=(2, n_victims))
    names = [f"{words[a]} {words[b]} {i}" for i, (a, b) in enumerate(zip(w1, w2, strict=True))]
    style = rng.integers(0, 10, size=n)
    start = np.datetime64("2021-01-01T00:00:00")
    secs = rng.integers(0, 3 * 365 * 86400, size=n)
    dates = (start + secs.astype("timedelta64[s]")).astype(str)
    posts = []
    for i in range(n):
        name = names[vid[i]]
        s = style[i]
        if s == 0:
            title = name.replace(" ", "").lower() + ".com"
        elif s == 1:
            title = name[:15] + "..."
        elif s == 2:
            title = name.replace(" ", " &amp; ", 1)
        else:
            title = name + (" Inc." if s == 3 else "")
        posts.append({"post_title": title, "group_name": groups[g[i]],
                      "discovered": dates[i].replace("T", " ") + ".000000"})
    for i in range(0, n, 997):
        posts[i]["post_title"] = "Announcement"
    return posts


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


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
    table = pd.read_csv(ak.aliases.data_dir() / "aliases.csv", dtype=str, keep_default_na=False)
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
    posts, t = timed(lambda: ak.read_posts(path))
    out.append(("read", t, peak_mb()))
    G, t = timed(lambda: build(posts))
    out.append((step, t, peak_mb()))
    _, t = timed(lambda: kit_metrics(G))
    out.append(("metrics", t, peak_mb()))
    _, t = timed(lambda: kit_chart(G, folder / f"kit_{step}_{path.stem}.png"))
    out.append(("top-50 chart", t, peak_mb()))
    if not fast:
        out.append(("size", len(posts), G.number_of_nodes(), G.number_of_edges()))
    return out


def base_pipeline(path: Path, folder: Path) -> list[tuple]:
    out = []
    raw, t = timed(lambda: baseline_read(path))
    out.append(("read", t, peak_mb()))
    _, t = timed(lambda: nx.from_pandas_edgelist(raw, "actor", "victim", edge_attr=["date"],
                                                 create_using=nx.DiGraph))
    out.append(("build", t, peak_mb()))
    _, t = timed(lambda: baseline_metrics(raw))
    out.append(("metrics", t, peak_mb()))
    _, t = timed(lambda: baseline_chart(raw, folder / f"base_{path.stem}.png"))
    out.append(("top-50 chart", t, peak_mb()))
    out.append(("raw load", raw.attrs["load_s"]))
    return out


def child(which: str, path: Path, folder: Path) -> list[tuple]:
    """Run one pipeline in a fresh interpreter and return its rows."""
    proc = subprocess.run([sys.executable, __file__, "--child", which, str(path), str(folder)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(n: int, folder: Path) -> list[tuple]:
    path = folder / f"posts_{n}.json"
    path.write_text(json.dumps(synth(n)), encoding="utf-8")
    kit = child("kit", path, folder)
    fast = child("tables", path, folder)
    base = child("base", path, folder)
    *kit, (_, claims, nodes, edges) = kit
    *base, (_, t_load) = base
    print(f"\n{n:,} posts → {claims:,} claims, graph of {nodes:,} nodes / {edges:,} edges")
    print(f"  {'step':<14}{'kit s':>9}{'baseline s':>12}{'ratio':>8}{'kit peak MB':>13}"
          f"{'base peak MB':>14}")
    for (step, t_kit, mb_kit), (_, t_base, mb_base) in zip(kit, base, strict=True):
        print(f"  {step:<14}{t_kit:>9.2f}{t_base:>12.2f}{t_kit / t_base:>8.2f}{mb_kit:>13.0f}"
              f"{mb_base:>14.0f}")
        if step == "read":
            print(f"  {'  raw load':<14}{'':>9}{t_load:>12.2f}{t_kit / t_load:>8.2f}   (baseline's json + "
                  "DataFrame + to_datetime alone, no cleaning)")
    print("  end to end, metrics table + top-50 chart:")
    print(f"    from the posts file:  kit {sum(r[1] for r in kit):.2f} s "
          f"(peak {max(r[2] for r in kit):.0f} MB), baseline {sum(r[1] for r in base):.2f} s "
          f"(peak {max(r[2] for r in base):.0f} MB)")
    print(f"    from the posts table: kit {sum(r[1] for r in kit[1:]):.2f} s (build + metrics + chart), "
          f"baseline {sum(r[1] for r in base[1:]):.2f} s")
    print(f"    from the built graph: kit {kit[2][1] + kit[3][1]:.2f} s (metrics + chart)")
    print(f"    fast route (read_posts → actor_victim_tables → metrics → chart): from the file "
          f"{sum(r[1] for r in fast):.2f} s, from the posts table {sum(r[1] for r in fast[1:]):.2f} s "
          f"(tables {fast[1][1]:.2f}, metrics {fast[2][1]:.2f}, chart {fast[3][1]:.2f}); "
          f"peak {max(r[2] for r in fast):.0f} MB")
    return kit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="folder to keep the feeds and PNGs in")
    parser.add_argument("--child", nargs=3, metavar=("PIPELINE", "FEED", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        which, path, folder = args.child
        pipeline = {"kit": kit_pipeline, "tables": partial(kit_pipeline, fast=True), "base": base_pipeline}
        rows = pipeline[which](Path(path), Path(folder))
        print(json.dumps(rows))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("baselines:\n"
              "  read     = the kit's job in plain pandas: json, DataFrame, to_datetime, alias-table maps,\n"
              "             html.unescape, .str regexes (control chars, spacing, truncation, domains, legal\n"
              "             forms, announcements), groupby per actor, victim key and UTC day\n"
              "  raw load = json + DataFrame + to_datetime alone (no cleaning)\n"
              "  build = "
              "nx.from_pandas_edgelist (no aliasing/aggregation); metrics = pandas groupby; chart = "
              "nx.bipartite_layout + draw_networkx")
        for n in args.sizes:
            run(n, folder)


if __name__ == "__main__":
    main()
