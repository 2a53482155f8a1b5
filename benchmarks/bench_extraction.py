"""Event extraction measured on the labelled passages of tests/data/extraction/.

Each passage (news report, statement, press release or blog post, written for the tests) lists
the events it states, each with its evidence sentence, date, precision, category, status, actor
and victim, and the sentences that must give no event (boilerplate, background). A proposed
candidate (not marked background) is a hit when its sentence is an expected event's evidence.

    python benchmarks/bench_extraction.py            # the dev passages
    python benchmarks/bench_extraction.py --held-out # the held-back passages, scored at the end

Printed: event detection precision and recall; among hits, the share with the right date
(exact, and within the stated precision: the same month for a month, seven days either side for
an approximate date), category, status, actor and victim; and how many candidates came from
boilerplate or background sentences (target 0). Targets (the issue): precision >= 0.85, recall
>= 0.8, date right for >= 0.9 of hits, 0 events from boilerplate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analystkit.extract.candidates import propose  # noqa: E402

FILES = {"dev": ROOT / "tests" / "data" / "extraction" / "dev.jsonl",
         "held-out": ROOT / "tests" / "data" / "extraction" / "heldout.jsonl"}
TARGETS = {"precision": 0.85, "recall": 0.8, "date": 0.9}


def passages(split: str) -> list[dict]:
    lines = FILES[split].read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def _within(got: dict, want: dict) -> bool:
    """Whether the expected date falls in the period the candidate's date and precision give."""
    g, w = _day(got["date"]), _day(want["date"])
    if got["precision"] == "month":
        return (g.year, g.month) == (w.year, w.month)
    if got["precision"] == "approximate":
        return abs((g - w).days) <= 7
    return g == w


def score(split: str) -> dict:
    """Counts and shares of one split."""
    tp = fp = fn = boiler = 0
    right = {"date": 0, "date_within": 0, "category": 0, "status": 0, "actor": 0, "victim": 0}
    misses = []
    for p in passages(split):
        kind = {"press-release": "statement"}.get(p.get("kind", "news"), p.get("kind", "news"))
        found = [c for c in propose(p["text"], published=dt.date.fromisoformat(p["published"]),
                                    title=p.get("title", ""), kind=kind) if not c.background]
        wanted = {e["evidence"].strip(): e for e in p["events"]}
        quiet = {s.strip() for s in p.get("no_event", [])}
        matched = set()
        for c in found:
            want = next((e for ev, e in wanted.items() if ev in c.sentence or c.sentence in ev), None)
            if want is None or want["evidence"] in matched:
                fp += 1
                boiler += any(q in c.sentence or c.sentence in q for q in quiet)
                misses.append(f"{p['id']} FP {c.category}/{c.date}: {c.sentence[:90]}")
                continue
            matched.add(want["evidence"])
            tp += 1
            got = {"date": c.date, "precision": c.precision}
            right["date"] += c.date == want["date"]
            right["date_within"] += _within(got, want)
            right["category"] += c.category == want["category"]
            right["status"] += c.status == want["status"]
            right["actor"] += c.actor == want.get("actor", "")
            right["victim"] += c.victim == want.get("victim", "")
            if c.date != want["date"] or c.category != want["category"] or c.status != want["status"]:
                misses.append(f"{p['id']} hit: date {c.date} ({c.date_rule}) want {want['date']}; "
                              f"{c.category} want {want['category']}; {c.status} want {want['status']}")
        for ev, e in wanted.items():
            if ev not in matched:
                fn += 1
                misses.append(f"{p['id']} FN {e['category']}/{e['date']} ({e['rule']}): {ev[:90]}")
    n = len(passages(split))
    out = {"split": split, "passages": n, "events": tp + fn, "proposed": tp + fp, "hits": tp,
           "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
           "from_boilerplate_or_background": boiler, "misses": misses}
    out.update({k: v / tp if tp else 0.0 for k, v in right.items()})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--held-out", action="store_true", help="score the held-back passages")
    parser.add_argument("--misses", action="store_true", help="list every miss (dev only)")
    args = parser.parse_args(argv)
    split = "held-out" if args.held_out else "dev"
    s = score(split)
    print(f"{split}: {s['passages']} passages, {s['events']} labelled events, {s['proposed']} proposed, "
          f"{s['hits']} hits")
    print(f"  detection precision {s['precision']:.3f} (target >= {TARGETS['precision']}), recall "
          f"{s['recall']:.3f} (target >= {TARGETS['recall']})")
    print(f"  of the hits: date exact {s['date']:.3f}, within its precision {s['date_within']:.3f} "
          f"(target >= {TARGETS['date']}); category {s['category']:.3f}; status {s['status']:.3f}; "
          f"actor {s['actor']:.3f}; victim {s['victim']:.3f}")
    print(f"  candidates from boilerplate or background sentences: {s['from_boilerplate_or_background']} "
          "(target 0)")
    if args.misses and split == "dev":
        print("\n".join(s["misses"]))
    met = (s["precision"] >= TARGETS["precision"] and s["recall"] >= TARGETS["recall"]
           and s["date_within"] >= TARGETS["date"] and s["from_boilerplate_or_background"] == 0)
    print("  targets " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
