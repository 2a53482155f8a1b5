"""Every real STIX and MISP sample imports from the CLI into a new case; what is not data for a
case is refused in one line; merging keeps each file's source (issue: interop, round two)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from casefiles import ROYAL_MAIL, SAMPLES, stix_objects

from analystkit import load_case
from analystkit.cli import main
from analystkit.io.importing import import_into, read_file
from analystkit.merging import MergeConflict

STIX = [*sorted((SAMPLES / "stix").glob("*/*.json")), SAMPLES / "stix" / "mitre_cti_lockbit"]
MISP = sorted((SAMPLES / "misp" / "pymisp_events").glob("*.json"))
FEEDS = SAMPLES / "leaksites"


def _cli_import(path: Path, case: Path, capsys, *extra: str) -> tuple[int, list[str]]:
    status = main(["import", str(path), "--case", str(case), "--tlp", "amber", *extra])
    return status, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("sample", STIX, ids=lambda p: p.name)
def test_every_stix_sample_imports_into_a_new_case(sample, tmp_path, capsys):
    status, lines = _cli_import(sample, tmp_path / "case", capsys)
    assert status == 0, lines
    case = load_case(tmp_path / "case")  # validates
    report = case.meta["import"]
    # every object of the input is accounted for by type, without de-duplicating by id
    assert report["read"] == dict(Counter(o["type"] for o in stix_objects(sample)))
    said = f"analystkit: read {report['format']}: {sum(report['read'].values())} item(s)"
    assert any(line.startswith(said) for line in lines)
    rows = next(line for line in lines if line.startswith("analystkit: rows: "))
    for table in ("events", "relations", "entities", "sources"):
        n = len(case.table(table))
        assert (f"{table} {n} added" if n else f"{table} none") in rows
    assert lines[-2] == f"analystkit: full report: {tmp_path / 'case' / 'case.json'}, key \"import\""


@pytest.mark.parametrize("sample", MISP, ids=lambda p: p.name)
def test_every_misp_event_imports_into_a_new_case(sample, tmp_path, capsys):
    status, lines = _cli_import(sample, tmp_path / "case", capsys)
    assert status == 0, lines
    case = load_case(tmp_path / "case")
    event = json.loads(sample.read_text(encoding="utf-8"))
    event = event.get("Event", event)
    assert case.meta["import"]["read"] == {"event": 1, "attribute": len(event.get("Attribute", [])),
                                           "object": len(event.get("Object", []))}
    assert len(case.events) == 1 and case.events["title"].iloc[0] == event["info"].strip()


def test_the_ransomware_galaxy_imports_as_an_actor_profile(tmp_path, capsys):
    clusters = SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json"
    status, lines = _cli_import(clusters, tmp_path / "case", capsys)
    assert status == 0, lines
    case = load_case(tmp_path / "case")
    values = json.loads(clusters.read_text(encoding="utf-8"))["values"]
    assert len(case.entities) == len({v["value"] for v in values})
    assert set(case.entities["kind"]) == {"actor"} and len(case.events) == 0
    lockbit = next(v for v in values if v["value"] == "LockBit")
    row = case.entities.set_index("name").loc["LockBit"]
    assert set(lockbit["meta"]["synonyms"]) <= set(row["aliases"])


@pytest.mark.parametrize(("path", "why"), [
    (SAMPLES / "misp" / "taxonomies" / "tlp.machinetag.json", "MISP taxonomy"),
    (SAMPLES / "misp" / "taxonomies" / "admiralty-scale.machinetag.json", "MISP taxonomy"),
    (SAMPLES / "misp" / "objects" / "victim.definition.json", "MISP object template"),
    (SAMPLES / "misp" / "galaxy" / "galaxies_ransomware.json", "MISP galaxy definition"),
    (SAMPLES / "misp" / "galaxy" / "clusters_sector.json", "sector"),
], ids=lambda v: v.name if isinstance(v, Path) else v)
def test_files_that_hold_no_case_are_refused_in_one_line_naming_what_they_are(path, why, tmp_path,
                                                                              capsys):
    status, lines = _cli_import(path, tmp_path / "case", capsys)
    errors = [line for line in lines if ": error: " in line]
    assert status == 1 and len(errors) == 1 and why in errors[0] and path.name in errors[0]
    assert not (tmp_path / "case").exists()  # nothing written


def test_a_folder_imports_from_the_installed_command(tmp_path):
    folder = SAMPLES / "stix" / "mitre_cti_lockbit"
    out = subprocess.run([sys.executable, "-m", "analystkit", "import", str(folder), "--case",
                          str(tmp_path / "case"), "--tlp", "clear"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "as stix" in out.stderr.splitlines()[0]
    names = set(load_case(tmp_path / "case").entities["name"])
    assert {"LockBit 2.0", "LockBit 3.0"} <= names


# --- merging ------------------------------------------------------------------------------------

def test_two_feeds_in_one_case_cite_both_and_count_added_updated_unchanged():
    watch = FEEDS / "ransomwatch_posts_2023-08-19.json"
    live = FEEDS / "ransomwarelive_posts_2023-06-04.json"
    first, _ = import_into(None, watch, tlp="clear")
    both, counts = import_into(first, live, tlp="amber", date="discovered")
    second = read_file(live, tlp="amber", date="discovered")
    in_both = set(first.relations["relation_id"]) & set(second.relations["relation_id"])
    assert counts["relations"] == {"added": len(second.relations) - len(in_both),
                                   "updated": len(in_both), "unchanged": 0}
    assert counts["sources"] == {"added": 1, "updated": 0, "unchanged": 0}
    assert len(both.relations) == len(first.relations) + counts["relations"]["added"]
    rel = both.relations.set_index("relation_id")
    royal = rel[(rel["source"] == "LockBit") & (rel["target"] == "Royal Mail")]
    assert len(royal) == 1  # one claim, seen by two feeds
    assert list(royal["sources"].iloc[0]) == ["posts-ransomwatch_posts_2023-08-19",
                                              "posts-ransomwarelive_posts_2023-06-04"]
    assert royal["tlp"].iloc[0] == "amber"  # the stricter marking of the two is kept
    only_first = sorted(set(first.relations["relation_id"]) - in_both)[0]
    assert list(rel.loc[only_first, "sources"]) == ["posts-ransomwatch_posts_2023-08-19"]
    assert rel.loc[only_first, "tlp"] == "clear"
    again, counts = import_into(both, live, tlp="amber", date="discovered")
    assert counts["relations"] == {"added": 0, "updated": 0, "unchanged": len(second.relations)}
    assert again.relations.equals(both.relations)


def _one_event_case(tmp_path: Path, name: str, *, title: str, source: str, as_of: str):
    case = load_case(ROYAL_MAIL)
    events = case.events.iloc[:1].copy()
    events["title"], events["sources"] = title, [(source,)]
    sources = pd.DataFrame([{"source_id": source, "name": f"Report {source}", "url": f"https://{source}.example"}])
    folder = tmp_path / name
    case.with_tables(events=events, relations=case.relations.iloc[:0], sources=sources,
                     entities=case.entities.iloc[:0]).validated().save(folder)
    meta = json.loads((folder / "case.json").read_text())
    meta["as_of"] = as_of
    (folder / "case.json").write_text(json.dumps(meta))
    return load_case(folder)


def test_two_producers_disagreeing_about_an_id_are_refused_naming_both(tmp_path):
    mine = _one_event_case(tmp_path, "a", title="Systems down", source="alpha", as_of="2023-01-20")
    theirs = _one_event_case(tmp_path, "b", title="Export halted", source="beta", as_of="2023-02-01")
    with pytest.raises(MergeConflict) as err:
        mine.merge(theirs)
    message = str(err.value)
    event_id = mine.events["event_id"].iloc[0]
    assert f"events.csv {event_id!r}" in message
    assert "'Systems down' in the case and 'Export halted'" in message
    assert "sources alpha in the case, beta in" in message


def test_the_same_producer_updates_its_row_and_as_of_moves_only_when_asked(tmp_path):
    mine = _one_event_case(tmp_path, "a", title="Systems down", source="alpha", as_of="2023-01-20")
    newer = _one_event_case(tmp_path, "b", title="Systems down for days", source="alpha",
                            as_of="2023-02-01")
    merged, counts = mine.merge(newer)
    assert counts["events"] == {"added": 0, "updated": 1, "unchanged": 0}
    assert merged.events["title"].iloc[0] == "Systems down for days"
    assert str(merged.as_of.date()) == "2023-01-20"
    moved, _ = mine.merge(newer, update_as_of=True)
    assert str(moved.as_of.date()) == "2023-02-01"


def test_a_galaxy_into_an_existing_case_enriches_its_actors_and_adds_none(tmp_path, capsys):
    case = tmp_path / "royal"
    shutil.copytree(ROYAL_MAIL, case)
    before = load_case(case)
    status, lines = _cli_import(SAMPLES / "misp" / "galaxy" / "clusters_ransomware.json", case, capsys)
    assert status == 0, lines
    after = load_case(case)
    assert list(after.entities["name"]) == list(before.entities["name"])
    assert after.events.equals(before.events) and after.relations.equals(before.relations)
    old = before.entities.set_index("name")["aliases"]
    new = after.entities.set_index("name")["aliases"]
    grown = [name for name in new.index if len(new[name]) > len(old[name])]
    assert "LockBit" in grown and all(set(old[n]) <= set(new[n]) for n in new.index)
    assert re.search(r"rows: .*entities \d+ updated", next(line for line in lines if "rows:" in line))
