"""Announcement detection measured on hand-labelled titles of the real feeds.

``tests/data/announcement_labels.csv`` names 448 distinct titles of the three shared feeds by file
and record (the titles themselves stay in ../shared/samples), each read and labelled by hand
*before* the rules were tuned: ``announcement`` (the group's own news, naming no victim) or
``victim``. The rules were tuned on the ``dev`` part (270 titles) only; the ``held-out`` part
(178) was scored once, at the end. The floors below are those measured figures, so a change that
makes detection worse fails.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest
from casefiles import SAMPLES

from analystkit.io.leaksites import is_announcement, tidy_victim

LABELS = Path(__file__).resolve().parents[1] / "data" / "announcement_labels.csv"



@cache
def _feed(name: str) -> list[dict]:
    return json.loads((SAMPLES / "leaksites" / name).read_text(encoding="utf-8"))


def _labelled(split: str) -> list[tuple[str, bool]]:
    with open(LABELS, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == split]
    return [(_feed(r["feed"])[int(r["index"])]["post_title"], r["label"] == "announcement") for r in rows]


def _scores(split: str) -> tuple[float, float, int, int]:
    pairs = _labelled(split)
    tp = sum(is_announcement(t) and y for t, y in pairs)
    fp = sum(is_announcement(t) and not y for t, y in pairs)
    fn = sum(not is_announcement(t) and y for t, y in pairs)
    return tp / (tp + fp), tp / (tp + fn), len(pairs), tp + fn


@pytest.mark.parametrize(("split", "size", "positives", "precision", "recall"), [
    ("dev", 270, 25, 1.0, 0.92),
    ("held-out", 178, 19, 0.944, 0.894),
])
def test_precision_and_recall_on_the_labelled_titles(split, size, positives, precision, recall):
    p, r, n, pos = _scores(split)
    print(f"{split}: {n} titles, {pos} announcements, precision {p:.3f}, recall {r:.3f}")
    assert (n, pos) == (size, positives)
    assert p >= precision and r >= recall


@pytest.mark.parametrize(("title", "victim"), [
    ("Announcement: Batesville Tool & Die will be leaked in 3 Days", "Batesville Tool & Die"),
    ("Graff Diamonds - Announcement", "Graff Diamonds"),
    ("Brunner Announce – Hello World !", "Brunner"),
    ("Announcement. Action Lab File-tree", "Action Lab File-tree"),
])
def test_a_victim_named_in_an_announcement_is_a_victim(title, victim):
    assert not is_announcement(title)
    assert tidy_victim(title)[0] == victim


@pytest.mark.parametrize("title", ["WARNING", "HOW TO BUY DATA?", "Our first post", "Important Updates",
                                   "Announcement", "[IMPORTANT ANNOUNCEMENT!]", "Join us on RAMP",
                                   "Various accesses on sale", "10 Bearking News"])
def test_the_groups_own_news_is_an_announcement(title):
    assert is_announcement(title)


def test_greetings_to_a_victim_name_the_victim():
    assert not is_announcement("Greetings to havi.com and tmsw.com")
