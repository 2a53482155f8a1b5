"""Extraction measured on the labelled passages of tests/data/extraction/ (written for the tests).

The dev passages (30, 101 events) were labelled before the rules were tuned and the rules were
tuned on them alone; the held-out passages (14, 48 events) were written by someone else at the
same time and scored once, after the tuning. The floors are the figures measured then, so a
change that makes extraction worse fails; benchmarks/bench_extraction.py prints them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_extraction import score


@pytest.mark.parametrize(("split", "passages", "events", "precision", "recall", "date", "quiet"), [
    ("dev", 30, 101, 0.932, 0.960, 0.979, 1),  # 97 / 104, 97 / 101, 95 / 97
    # held-out date: 0.871 (34 / 39) at its first scoring; 0.949 (37 / 39) after a bug a code
    # review found (a date after "said" taken as the event's), fixed without looking at it
    ("held-out", 14, 48, 0.951, 0.812, 0.948, 1),  # 39 / 41, 39 / 48
])
def test_extraction_figures_hold(split, passages, events, precision, recall, date, quiet):
    s = score(split)
    print(f"{split}: precision {s['precision']:.3f} recall {s['recall']:.3f} date {s['date_within']:.3f} "
          f"category {s['category']:.3f} status {s['status']:.3f}")
    assert (s["passages"], s["events"]) == (passages, events)
    assert s["precision"] >= precision - 1e-9 and s["recall"] >= recall - 1e-9
    assert s["date_within"] >= date - 1e-9
    assert s["from_boilerplate_or_background"] <= quiet
