"""Aliases that cover real feeds: built from the galaxy and the feeds' groups files with their
sources named, names kept apart on purpose, rebrands as dated lineage, coverage on every feed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest
from casefiles import DATA, SAMPLES

from analystkit.aliases import canonical_actor, display_actor, load_aliases, resolve_actor
from analystkit.io.aliastable import build, kept_apart, lineage, wrong_merges
from analystkit.io.coverage import feed_coverage
from analystkit.io.leaksites import read_posts

FEEDS = sorted((SAMPLES / "leaksites").glob("*_posts_*.json"))
GROUPS = sorted((SAMPLES / "leaksites").glob("*_groups_*.json"))
GALAXY = SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json"

# spellings of one group seen across real feeds
VARIANTS = [
    ("LockBit", ["lockbit3_cronos", "lockbit3_fs", "LockBit 3", "Lockbit3.0", "lockbit2", "LockBit Black"]),
    ("ALPHV", ["alphv-blackcat", "ALPHV BlackCat", "alphv", "BlackCat"]),
    ("Cl0p", ["clop torrents", "clop", "Cl0p"]),
    ("Hive", ["Hive Leaks", "hiveleak", "hive"]),
    ("Royal", ["Royal Ransomware", "royal"]),
    ("Dunghill", ["dunghill", "dunghill_leak"]),
    ("Unsafe", ["unsafe", "unsafeleak"]),
    ("Noname", ["noname", "ransomblog_noname"]),
]


@pytest.mark.parametrize(("canonical", "names"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_the_spellings_real_feeds_use_are_one_actor(canonical, names):
    assert {display_actor(n) for n in names} == {canonical}
    assert {resolve_actor(n, loose=True) for n in names} == {canonical}


def test_names_kept_apart_on_purpose_stay_apart_everywhere():
    pairs = kept_apart()
    assert {("medusalocker", "Medusa"), ("ragnarok", "Ragnar Locker"), ("royal", "Royal Mail")} <= set(
        zip(pairs["name"], pairs["other"], strict=True))
    assert pairs["why"].str.len().gt(20).all()
    assert wrong_merges(display_actor, pairs) == []
    assert wrong_merges(canonical_actor, pairs) == []
    # and on the real feeds: no kept-apart name is read as its partner
    names = {r["group_name"] for path in FEEDS for r in json.loads(path.read_text())}
    actors = {display_actor(n) for n in names}
    assert {"Medusa", "MedusaLocker", "Ragnar Locker", "Ragnarok"} <= actors
    assert display_actor("royal") == "Royal" and "Royal Mail" not in actors


def test_names_from_reports_are_matched_only_as_written():
    """The feed rules (versions, site words) are for leak-site slugs: APT1 and APT12 stay two."""
    assert canonical_actor("APT1") == "APT1" and canonical_actor("APT12") == "APT12"
    assert resolve_actor("Royal Ransomware") is None
    assert resolve_actor("Royal Ransomware", loose=True) == "Royal"


def test_rebrands_are_dated_lineage_edges_not_aliases():
    edges = lineage()
    assert ("Royal", "BlackSuit") in set(zip(edges["predecessor"], edges["successor"], strict=True))
    for row in edges.itertuples():
        assert display_actor(row.predecessor) != display_actor(row.successor), row
        assert row.source and row.precision in ("day", "month", "year")
        assert len(row.date) == {"day": 10, "month": 7, "year": 4}[row.precision]
        pd.Timestamp(row.date)  # a real date at that precision
    # the galaxy calls BlackMatter a synonym of Darkside; the kit keeps the two apart
    assert display_actor("blackmatter") == "BlackMatter" and display_actor("darkside") == "DarkSide"


def test_every_alias_row_says_where_it_comes_from():
    table = load_aliases()
    assert table["source"].str.strip().ne("").all()
    curated = load_aliases(DATA / "aliases.csv")
    assert set(curated["source"]) == {"curated"} and curated["note"].str.strip().ne("").all()
    derived = table.iloc[len(curated):]
    by_source = Counter(s.split(",")[0].split(":")[0] for s in derived["source"])
    assert by_source["MISP galaxy ransomware"] > 2000
    assert {p.name for p in GROUPS} <= set(by_source)
    # one canonical per spelling, the curated one where both speak
    keys = table.assign(key=table["alias"].str.casefold())
    first = keys.drop_duplicates("key")
    assert first.set_index("key").loc["pysa", "canonical"] == "PYSA"  # the galaxy says Mespinoza


def test_the_shipped_derived_table_is_what_the_public_files_give():
    built = build(galaxy=GALAXY, groups=GROUPS)
    shipped = pd.read_csv(DATA / "aliases_derived.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(built, shipped)


@pytest.mark.parametrize("feed", FEEDS, ids=lambda p: p.name)
def test_coverage_on_every_real_feed_is_at_least_97_percent(feed):
    raw = json.loads(feed.read_text())
    coverage = feed_coverage(feed, date="discovered")
    assert coverage.posts == len(raw)  # every post counted once, collapsed rows included
    assert coverage.names == len({r["group_name"] for r in raw})
    assert coverage.share >= 0.97
    unknown = {r["group_name"] for r in raw if resolve_actor(r["group_name"], loose=True) is None}
    assert set(coverage.unmapped["group_name"]) == unknown
    assert coverage.unmapped["posts"].sum() == coverage.posts - coverage.posts_mapped


def test_coverage_from_the_command_line_names_what_is_not_mapped(tmp_path):
    feed = tmp_path / "posts.json"
    feed.write_text(json.dumps([
        {"group_name": g, "post_title": f"victim {i}", "discovered": f"2023-01-0{1 + i % 9} 10:00:00"}
        for i, g in enumerate(["lockbit3"] * 5 + ["brand_new_crew"] * 3 + ["another one"])]))
    done = subprocess.run([sys.executable, "-m", "analystkit", "coverage", str(feed)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"analystkit: {feed}: 9 posts, 3 group names",
        "analystkit: on a known actor: 1 of 3 names, 5 of 9 posts (55.5 %)",
        "analystkit: not mapped, by posts: brand_new_crew 3, another one 1"]


def test_unknown_groups_are_shown_in_one_style_beside_known_ones(tmp_path):
    feed = tmp_path / "posts.json"
    feed.write_text(json.dumps([
        {"group_name": g, "post_title": f"victim {i}", "discovered": "2023-01-02 10:00:00"}
        for i, g in enumerate(["lockbit3", "some new crew", "NewCrewX"])]))
    assert sorted(read_posts(feed)["actor"]) == ["LockBit", "NewCrewX", "Some New Crew"]
