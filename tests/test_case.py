"""Case folders: the curated cases load, saves are deterministic and atomic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from casefiles import DATA, ROYAL_MAIL, write_case

import analystkit.case as case_module
from analystkit import ValidationError, load_case

CASES = sorted(p for p in (DATA / "cases").iterdir() if p.is_dir())
FACTS = DATA.parent.parent / "shared" / "reference" / "facts"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_curated_case_loads_fully_sourced(folder):
    case = load_case(folder)
    assert len(case.events) > 0
    assert case.events["sources"].map(len).min() >= 1
    used = {s for ids in case.events["sources"] for s in ids}
    assert used <= set(case.sources["source_id"])
    assert case.sources["url"].str.startswith("http").all()


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_curated_files_are_in_canonical_form(folder, tmp_path):
    """load → save gives back the very bytes on disk, and load again gives equal tables."""
    case = load_case(folder)
    case.save(tmp_path / "copy")
    original = {k: v for k, v in snapshot(folder).items() if not k.startswith(".")}
    copy = snapshot(tmp_path / "copy")
    for name, payload in copy.items():
        if name in original:
            assert payload == original[name], f"{folder.name}/{name} is not in canonical form"
    again = load_case(tmp_path / "copy")
    for table in ("events", "relations", "entities", "sources"):
        pd.testing.assert_frame_equal(again.table(table), case.table(table))
    assert again.meta == case.meta


def test_royal_mail_covers_every_reference_fact():
    case = load_case(ROYAL_MAIL)
    facts = pd.read_csv(FACTS / "royal_mail_timeline.csv", dtype=str) if FACTS.exists() else None
    rm = case.events[case.events["incident"] == "royal-mail-2023"]
    if facts is not None:
        assert len(rm[~rm["title"].str.startswith("Assessment:")]) >= len(facts)
        assert set(facts["source_url"]) <= set(case.sources["url"])
    # the conflicts between sources stay visible, side by side
    assert case.events["conflict"].ne("").sum() >= 8
    assert case.events["conflict"].replace("", pd.NA).dropna().nunique() >= 6
    # key facts of the showcase
    leak = rm[rm["title"].str.contains("44", regex=False)]
    assert not leak.empty and (leak["start"].dt.strftime("%Y-%m-%d") == "2023-02-23").all()
    export = rm[(rm["category"] == "disruption") & rm["end"].notna()]
    assert (export["start"].min().normalize(), export["end"].max()) == (
        pd.Timestamp("2023-01-10", tz="UTC"), pd.Timestamp("2023-02-21", tz="UTC"))


def test_save_is_byte_identical_on_repeat(demo_case, tmp_path):
    case = load_case(demo_case)
    case.save(tmp_path / "a")
    case.save(tmp_path / "b")
    load_case(tmp_path / "a").save(tmp_path / "c")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b") == snapshot(tmp_path / "c")


def test_invalid_case_is_not_saved(demo_case):
    before = snapshot(demo_case)
    case = load_case(demo_case)
    broken = case.with_tables(events=case.events.assign(category="hacktivism"))
    with pytest.raises(ValidationError):
        broken.save(demo_case)
    assert snapshot(demo_case) == before


def test_failure_mid_save_leaves_previous_files(demo_case, monkeypatch):
    case = load_case(demo_case)
    before = snapshot(demo_case)
    edited = case.with_tables(events=case.events.assign(title="changed"))
    real_fdopen = os.fdopen
    calls = {"n": 0}

    def failing_fdopen(fd, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the disk fills up while writing the third file
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(case_module.os, "fdopen", failing_fdopen)
    with pytest.raises(OSError, match="No space"):
        edited.save(demo_case)
    assert snapshot(demo_case) == before  # old files intact, no temporary files left


def test_kill_during_save_leaves_a_loadable_case(tmp_path):
    """SIGKILL a process that keeps saving a large case: the folder always loads."""
    folder = write_case(tmp_path / "big")
    script = textwrap.dedent(f"""
        import pandas as pd
        from analystkit import load_case
        case = load_case({str(folder)!r})
        ev = pd.concat([case.events] * 20000, ignore_index=True)
        ev["event_id"] = [f"e-{{i}}" for i in range(len(ev))]
        big = case.with_tables(events=ev)
        print("ready", flush=True)
        i = 0
        while True:
            i += 1
            big.with_tables(events=ev.assign(title=f"round {{i}}")).save({str(folder)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(2.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    case = load_case(folder)
    assert len(case.events) in (3, 60000)
    assert case.events["title"].nunique() == (3 if len(case.events) == 3 else 1)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no case folder"):
        load_case(tmp_path / "nope")


def test_summary_mentions_counts(demo_case):
    text = load_case(demo_case).summary()
    assert "Demo case [TLP:AMBER]" in text and "3 events from 2023-01-01 to 2023-01-12" in text


def test_a_case_without_events_saves_and_loads(demo_case, tmp_path):
    """An actor profile (entities and relations, no event yet) is a case too."""
    case = load_case(demo_case)
    profile = case.with_tables(events=case.events.iloc[0:0])
    profile.save(tmp_path / "profile")
    again = load_case(tmp_path / "profile")
    assert again.events.empty and again.relations.equals(case.relations)
    assert (tmp_path / "profile" / "events.csv").read_text().splitlines()[0].startswith("event_id,")


def test_at_tlp_withholds_entities_only_withheld_rows_name(tmp_path):
    case = load_case(DATA / "cases" / "royal-mail-2023")
    secret = case.events.iloc[:1].assign(event_id="rm-secret", victim="Hidden Supplier Ltd", tlp="amber")
    entity = case.entities.iloc[:1].assign(name="Hidden Supplier Ltd", kind="supplier", description="")
    unnamed = case.entities.iloc[:1].assign(name="Background Org", kind="victim", description="")
    bigger = case.with_tables(events=pd.concat([case.events, secret], ignore_index=True),
                              entities=pd.concat([case.entities, entity, unnamed], ignore_index=True))
    clear, withheld = bigger.at_tlp("clear")
    assert "Hidden Supplier Ltd" not in set(clear.entities["name"]) and withheld["entities"] == 1
    assert "Background Org" in set(clear.entities["name"])  # no row names it: nothing to give away
    assert "Royal Mail" in set(clear.entities["name"])  # withheld rows name it, and so do kept ones
    amber, withheld = bigger.at_tlp("amber")
    assert "Hidden Supplier Ltd" in set(amber.entities["name"]) and withheld["entities"] == 0


# --- free-text markings and named cases ---------------------------------------------------------

def _meta(**extra) -> str:
    import json

    meta = {"as_of": "2024-12-31", "summary": "Sumtok secret summary.", "title": "Titletok case",
            "tlp": "amber", "incident": "demo-2023", **extra}
    return json.dumps(meta)


def test_title_and_summary_markings_are_validated_like_tlp(tmp_path):
    folder = write_case(tmp_path / "c", meta=_meta(summary_tlp="pink", title_tlp="TLP:WHITE",
                                                 compare="capita-2023"))
    with pytest.raises(ValidationError) as err:
        load_case(folder)
    text = str(err.value)
    assert "case.json, column 'summary_tlp': value 'pink' is not a TLP 2.0 label" in text
    assert "column 'compare': value 'capita-2023' is not a list of case folder names" in text
    assert "title_tlp" not in text  # TLP:WHITE is a synonym of clear
    case = load_case(write_case(tmp_path / "d", meta=_meta(title_tlp="TLP:WHITE")))
    assert case.meta["title_tlp"] == "clear" and case.marking("summary") == "amber"


def test_at_tlp_leaves_out_free_text_marked_above_the_level(tmp_path):
    case = load_case(write_case(tmp_path / "c", meta=_meta(title_tlp="green")))
    clear, withheld = case.at_tlp("clear")
    assert (withheld["title"], withheld["summary"]) == (1, 1)
    assert clear.title == "demo-2023" and "summary" not in clear.meta
    assert "Titletok" not in str(clear.meta) and "Sumtok" not in str(clear.meta)
    assert clear.marking("title") == "green" and clear.marking("summary") == "amber"  # still said
    green, withheld = case.at_tlp("green")
    assert green.title == "Titletok case" and withheld["title"] == 0 and withheld["summary"] == 1
    assert green.tlp == "green"  # the kept title's marking counts towards the highest left
    amber, withheld = case.at_tlp("amber")
    assert amber.meta["summary"] == "Sumtok secret summary." and withheld["summary"] == 0
    untitled = case.with_tables()
    del untitled.meta["incident"]
    assert untitled.at_tlp("clear")[0].title == "untitled case"


def test_find_case_by_folder_or_incident_id_and_never_guesses(tmp_path):
    from analystkit.case import find_case, load_cases

    root = tmp_path / "cases"
    write_case(root / "one", meta=_meta(incident="first-2023"))
    write_case(root / "two", meta=_meta(incident="second-2023"))
    assert find_case("one", near=[root]) == root / "one"
    assert find_case("second-2023", near=[root]) == root / "two"
    assert [c.folder for c in load_cases(["two", "first-2023", "two"], near=[root])] == \
        [root / "two", root / "one"]
    with pytest.raises(FileNotFoundError, match="no case 'third-2023'"):
        find_case("third-2023", near=[root])
    write_case(root / "again", meta=_meta(incident="second-2023"))
    with pytest.raises(ValueError, match=r"again and .*two both have incident id 'second-2023'"):
        find_case("second-2023", near=[root])
    assert find_case("two", near=[root]) == root / "two"  # a folder name still finds its folder
