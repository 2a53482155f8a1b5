"""Merging the three shared leak-site feeds: io.feedmerge.combine_feeds against plain pandas.

Both sides start from the three posts tables already read (ransomwatch 2023-08-19, the
ransomware.live fork 2023-06-04 and ransomFeed 2023-03-13 from ``../shared/samples/leaksites``,
read in the child before the clock starts). The kit links victim names across the feeds (website
field, same letters, domain name part, conservative rapidfuzz match), counts each post once within
three days across feeds and flags every claim. The baseline is the plain-library version of the
counting alone: ``pd.concat`` and ``drop_duplicates`` on (actor, victim key, UTC day), which
neither links a domain to a name nor tells a re-crawl a day later from a new post. Each side runs
three times in its own fresh child (``_bench.measure``, best run, ``time.perf_counter``); peak
memory is the child's peak resident set size.

No target: the baseline is a floor, not the same job (it links no names and cannot tell a re-crawl
a day later from a new post, so it keeps some hundreds more "posts"), and no figure for merging was ever
stated. What an analyst needs is the seconds for the feeds at hand, printed beside the floor.

Run: ``.venv/bin/python benchmarks/bench_feeds.py [--check]``. Figures go to
``benchmarks/results/bench_feeds.json``.
"""

from __future__ import annotations

from pathlib import Path

import _bench
import pandas as pd
from _bench import Row, measure

from analystkit.io.feedmerge import combine_feeds
from analystkit.io.leaksites import read_posts

LEAKS = Path(__file__).resolve().parents[2] / "shared" / "samples" / "leaksites"
FEEDS = {"ransomwatch": ("ransomwatch_posts_2023-08-19.json", None),
         "ransomware.live": ("ransomwarelive_posts_2023-06-04.json", "discovered"),
         "ransomfeed": ("ransomfeed_posts_2023-03-13.json", "discovered")}


def feeds() -> dict[str, pd.DataFrame]:
    return {name: read_posts(LEAKS / file, date=date) for name, (file, date) in FEEDS.items()}


def kit(tables: dict[str, pd.DataFrame]) -> int:
    posts, _ = combine_feeds(tables)
    return len(posts)


def baseline(tables: dict[str, pd.DataFrame]) -> int:
    union = pd.concat([t.assign(feed=n) for n, t in tables.items()], ignore_index=True)
    union["day"] = union["date"].dt.floor("D")
    return len(union.drop_duplicates(["actor", "victim_key", "day"]))


def main(argv: list[str] | None = None) -> int:
    parser = _bench.arguments(__doc__, "the same three feeds (they are small)")
    args = parser.parse_args(argv)
    report = _bench.Report(Path(__file__).stem, args, ("pandas", "rapidfuzz"),
                           "best of 3 runs of each (time.perf_counter); each job in its own fresh "
                           "child, the feeds read there before timing")
    rows = sum(len(t) for t in feeds().values())
    k = measure(kit, setup=feeds, repeat=3)
    b = measure(baseline, setup=feeds, repeat=3)
    report.note(f"three shared feeds: {rows:,} rows in; kit {k.values[0]:,} posts, "
                f"baseline {b.values[0]:,} (same day only, no name links)")
    report.add(Row("combine_feeds vs concat + drop_duplicates", rows, k.seconds, b.seconds,
                   k.peak_mb, b.peak_mb,
                   note=f"peak memory ratio {k.peak_mb / b.peak_mb:.2f}x"))
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
