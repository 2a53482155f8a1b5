"""A spreadsheet of facts into a case: headers and values mapped and shown, sources made from name
and URL, actors and victims as entities and relations, every problem named, nothing half-written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

import analystkit as ak
from analystkit.cli import main
from analystkit.io.facts import facts_into, read_facts
from analystkit.schema import ValidationError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "harbourside"
    ak.new_case(folder, title="Harbourside Logistics ransomware attack", victim="Harbourside Logistics",
                day0="2024-02-29", tz="Europe/London", as_of="2024-03-10")
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_command_imports_a_sheet_in_the_analysts_own_words(case_dir: Path, capsys):
    assert main(["import", str(DATA / "facts_en.csv"), "--case", str(case_dir), "--tlp", "clear"]) == 0
    err = capsys.readouterr().err
    for said in ("column 'What happened' -> title", "column 'Link' -> source_url",
                 "category 'data leak' -> 'extortion' (1 row)", "precision 'daily' -> 'day' (1 row)",
                 "actor 'lockbit3' -> 'LockBit'", "rows: events 4 added; relations 1 added; "
                 "entities 1 added; sources 4 added"):
        assert said in err
    case = ak.load_case(case_dir)
    events = case.events.set_index("event_id")
    assert list(events.index) == ["ev-001", "ev-002", "ev-003", "ev-004"]
    leak = events.loc["ev-004"]
    assert (leak["category"], leak["status"], leak["actor"], leak["tlp"]) == ("extortion", "claimed",
                                                                             "LockBit", "amber")
    assert events.loc["ev-003", "precision"] == "month"
    assert str(events.loc["ev-003", "start"])[:7] == "2024-03"
    # one source per URL; a source with no URL is its name
    assert sorted(case.sources["url"]) == ["", "https://gazette.example/harbourside-attack",
                                           "https://gazette.example/harbourside-delays",
                                           "https://harbourside.example/statement"]
    rel = case.relations.iloc[0]
    assert (rel["source"], rel["target"], rel["relation"], rel["status"]) == (
        "LockBit", "Harbourside Logistics", "targets", "reported")
    assert sorted(zip(case.entities["name"], case.entities["kind"], strict=True)) == [
        ("Harbourside Logistics", "victim"), ("LockBit", "actor")]
    before = _files(case_dir)
    assert main(["import", str(DATA / "facts_en.csv"), "--case", str(case_dir), "--tlp", "clear"]) == 0
    assert "events 4 unchanged" in capsys.readouterr().err  # the same sheet twice adds nothing
    assert _files(case_dir) == before


def test_a_dry_run_lists_every_problem_by_line_column_and_value_and_writes_nothing(case_dir: Path,
                                                                                   tmp_path: Path, capsys):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Date,What happened,Type,Confidence,Source,Link\n"
                     "2024-02-29,Systems encrypted,attack,reported,Gazette,https://g.example/1\n"
                     "2024-02-30,Statement,statement,confirmed,Harbourside,https://h.example/2\n"
                     "2024-03-02,Something odd,weather,reported,Gazette,https://g.example/3\n"
                     "2024-03-03,Unsure,intrusion,maybe,Gazette,https://g.example/4\n", encoding="utf-8")
    before = _files(case_dir)
    assert main(["import", str(sheet), "--case", str(case_dir), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, line 3 (row 2), column 'Date': value '2024-02-30' is not a real date" in err
    assert "bad.csv, line 4 (row 3), column 'Type': value 'weather' is not a category the kit knows" in err
    assert "bad.csv, line 5 (row 4), column 'Confidence': value 'maybe' is not a status the kit knows" in err
    assert "dry run: 3 problem(s); nothing would be written" in err
    assert main(["import", str(sheet), "--case", str(case_dir)]) == 1  # not a dry run: refused too
    assert _files(case_dir) == before


def test_headers_it_cannot_read_are_named_and_mapped_by_hand(case_dir: Path, tmp_path: Path, capsys):
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Occurred,Happening,Kind,Certainty,Where reported\n"
                     "2024-03-01,Depot offline,outage,press,https://g.example/5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"has no column read as start .*--map COLUMN=start"):
        read_facts(sheet)
    assert main(["import", str(sheet), "--case", str(case_dir), "--map", "Occurred=start",
                 "Happening=title", "Kind=category", "Certainty=status", "Where reported=source_url",
                 "--tlp", "green"]) == 0
    event = ak.load_case(case_dir).events.iloc[0]
    assert (event["title"], event["category"], event["status"], event["tlp"]) == (
        "Depot offline", "disruption", "reported", "green")
    assert main(["import", str(sheet), "--case", str(case_dir), "--map", "Occurred=when"]) == 1
    assert "'when' is not an event field" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_excel_csv_encodings(case_dir: Path, tmp_path: Path, encoding: str):
    sheet = tmp_path / "accents.csv"
    sheet.write_bytes("Date,Title,Category,Status,Source,URL,Victim\n"
                      "2024-03-05,Société Générale Logistique notifie la CNIL,disclosure,confirmed,"
                      "Le Monde Économie,https://lemonde.example/x,Société Générale Logistique\n"
                      .encode(encoding))
    facts = read_facts(sheet)
    assert facts.encoding == ("cp1252" if encoding == "cp1252" else "utf-8")
    case, _ = facts_into(ak.load_case(case_dir), facts)
    assert case.events.iloc[0]["title"] == "Société Générale Logistique notifie la CNIL"
    assert "Société Générale Logistique" in set(case.entities["name"])
    assert case.sources.iloc[0]["name"] == "Le Monde Économie"


def test_an_excel_workbook_with_date_cells(case_dir: Path, tmp_path: Path):
    book = tmp_path / "facts.xlsx"
    rows = pd.DataFrame({
        "Date": [dt.datetime(2024, 2, 29), dt.datetime(2024, 3, 1, 14, 30)],
        "Precision": ["day", "exact"],
        "Event": ["Systems encrypted", "Public statement"],
        "Category": ["intrusion", "disclosure"], "Status": ["reported", "confirmed"],
        "Source": ["Example Gazette", "Harbourside"], "Link": ["https://g.example/a", "https://h.example/b"]})
    rows.to_excel(book, index=False, engine="openpyxl")
    case, report = facts_into(ak.load_case(case_dir), read_facts(book))
    starts = [str(s) for s in case.events["start"]]
    assert starts == ["2024-02-29 00:00:00+00:00", "2024-03-01 14:30:00+00:00"]
    assert report["added"]["events"] == 2 and report["encoding"] == "xlsx"


def test_facts_need_a_case_to_go_into(tmp_path: Path, capsys):
    shutil.copy(DATA / "facts_en.csv", tmp_path / "facts.csv")
    assert main(["import", str(tmp_path / "facts.csv"), "--case", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "a table of facts goes into an existing case: start one with `analystkit new DIR" in err
    assert err.count("\n") == 2  # the "reading" line, then one error line


def test_a_time_with_an_offset_is_the_same_event_on_reimport(case_dir: Path, tmp_path: Path):
    sheet = tmp_path / "times.csv"
    sheet.write_text("Date,Precision,Title,Category,Status,Source,Link\n"
                     "2024-03-01T02:00:00+05:00,exact,Encryption began,intrusion,reported,Gazette,"
                     "https://g.example/t\n", encoding="utf-8")
    case, _ = facts_into(ak.load_case(case_dir), read_facts(sheet))
    again, report = facts_into(case, read_facts(sheet))
    assert report["unchanged"] == 1 and len(again.events) == 1
    assert str(again.events.iloc[0]["start"]) == "2024-02-29 21:00:00+00:00"


def test_a_leak_site_export_with_descriptions_stays_a_leak_site_file(tmp_path: Path):
    from analystkit.io.detect import detect

    export = tmp_path / "victims.csv"
    export.write_text("victim,group,discovered,description,website,country\n"
                      "Acme,lockbit3,2024-03-01 10:00:00,Logistics firm,acme.example,GB\n", encoding="utf-8")
    assert detect(export) == "leaksite"
    assert detect(DATA / "facts_en.csv") == "facts"
