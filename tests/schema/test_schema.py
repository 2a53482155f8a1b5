"""Every bad-input class of a case folder is refused with file, line, column and value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from casefiles import EVENTS_HEADER, EVENTS_ROWS, write_case

from analystkit import ValidationError, load_case
from analystkit.schema import TLP_LEVELS, normalise_tlp, validate


def events_text(*rows: str, header: str = EVENTS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def refused(folder: Path) -> ValidationError:
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(ValidationError) as info:
        load_case(folder)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before, "loading must never write"
    return info.value


def only_problem(error: ValidationError):
    assert len(error.problems) == 1, str(error)
    return error.problems[0]


def test_demo_case_loads_and_coerces(demo_case):
    case = load_case(demo_case)
    ev = case.events
    assert str(ev["start"].dt.tz) == "UTC"
    assert ev.loc[1, "start"] == pd.Timestamp("2023-01-01", tz="UTC")
    assert ev.loc[1, "precision"] == "month"
    assert ev.loc[2, "start"] == pd.Timestamp("2023-01-12 13:44", tz="UTC")
    assert ev.loc[0, "end"] == pd.Timestamp("2023-02-21", tz="UTC")
    assert ev.loc[1, "sources"] == ("s1", "s2")
    assert list(ev["tlp"]) == ["clear", "clear", "amber"]
    assert ev["ongoing"].dtype == bool


def test_missing_required_column(tmp_path):
    header = EVENTS_HEADER.replace(",category", "")
    rows = [r.replace(",disruption", "").replace(",extortion", "") for r in EVENTS_ROWS]
    err = refused(write_case(tmp_path / "c", events=events_text(*rows, header=header)))
    p = only_problem(err)
    assert p.file == "events.csv" and "'category'" in p.expected


@pytest.mark.parametrize("column, bad, fragment", [
    ("category", "hacktivism", "not a known category"),
    ("precision", "fortnight", "not a known precision"),
    ("status", "rumoured", "not a known status"),
    ("tlp", "TLP:PINK", "not a TLP 2.0 label"),
])
def test_unknown_vocabulary_value(tmp_path, column, bad, fragment):
    cols = EVENTS_HEADER.split(",")
    cells = EVENTS_ROWS[0].split(",")
    cells[cols.index(column)] = bad
    err = refused(write_case(tmp_path / "c", events=events_text(",".join(cells), *EVENTS_ROWS[1:])))
    p = only_problem(err)
    assert (p.file, p.row, p.column, p.value) == ("events.csv", 1, column, bad)
    assert fragment in p.expected
    assert f"events.csv, line 2 (row 1), column '{column}': value '{bad}'" in str(err)


@pytest.mark.parametrize("bad", ["2022-101-27", "2023-02-30", "yesterday", "10/01/2023"])
def test_unparseable_or_impossible_date(tmp_path, bad):
    row = EVENTS_ROWS[0].replace("2023-01-10,2023-02-21,false,day", f"{bad},,false,")
    err = refused(write_case(tmp_path / "c", events=events_text(row, *EVENTS_ROWS[1:])))
    p = only_problem(err)
    assert (p.row, p.column, p.value) == (1, "start", bad)


def test_date_form_must_match_precision(tmp_path):
    row = EVENTS_ROWS[1].replace("2023-01,,false,month", "2023-01-15,,false,month")
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(row))))
    assert p.column == "start" and "YYYY-MM" in p.expected


def test_end_before_start(tmp_path):
    row = EVENTS_ROWS[0].replace("2023-01-10,2023-02-21", "2023-02-21,2023-01-10")
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(row))))
    assert (p.row, p.column, p.value) == (1, "end", "2023-01-10")
    assert "before start 2023-02-21" in p.expected


def test_duplicate_ids(tmp_path):
    dup = EVENTS_ROWS[1].replace("e-002", "e-001")
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(EVENTS_ROWS[0], dup))))
    assert (p.row, p.column, p.value) == (2, "event_id", "e-001")
    assert "row 1" in p.expected


def test_source_referenced_but_not_defined(tmp_path):
    row = EVENTS_ROWS[0].replace(",s1,", ",s1;s9,")
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(row))))
    assert (p.column, p.value) == ("sources", "s9")
    assert "not defined in sources.csv" in p.expected


def test_event_without_source(tmp_path):
    row = EVENTS_ROWS[0].replace(",s1,", ",,")
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(row))))
    assert p.column == "sources" and "at least one" in p.expected


def test_bad_country_code(tmp_path):
    entities = ("name,kind,aliases,sector,sector_detail,country,domain,description\n"
                "Royal Mail,victim,,transportation,,UK,royalmailgroup.com,\n"
                "LockBit,actor,,,,XX,,\n"
                "Kinmax,supplier,,technology,,tw,,\n")
    err = refused(write_case(tmp_path / "c", extra={"entities.csv": entities}))
    assert [(p.row, p.value) for p in err.problems] == [(1, "UK"), (2, "XX")]
    assert "did you mean GB" in str(err)


def test_empty_file(tmp_path):
    p = only_problem(refused(write_case(tmp_path / "c", events="")))
    assert p.file == "events.csv" and "empty" in p.expected


def test_header_only_events_is_an_empty_table(tmp_path):
    case = load_case(write_case(tmp_path / "c", events=EVENTS_HEADER + "\n"))
    assert case.events.empty and list(case.events.columns)[:3] == ["event_id", "incident", "start"]


def test_header_only_optional_table_is_an_empty_table(tmp_path):
    rel = "relation_id,source,target,relation,via,date,precision,status,incident,description,sources,tlp\n"
    case = load_case(write_case(tmp_path / "c", extra={"relations.csv": rel}))
    assert case.relations.empty and list(case.relations.columns)[:3] == ["relation_id", "source",
                                                                          "target"]


def test_utf8_bom_is_accepted(tmp_path, demo_case):
    text = (demo_case / "events.csv").read_bytes()
    bom = write_case(tmp_path / "bom", events=b"\xef\xbb\xbf" + text)
    assert load_case(bom).events.equals(load_case(demo_case).events)


def test_latin1_file_is_refused_with_line(tmp_path):
    row = EVENTS_ROWS[2].replace("Chat opens", "Chat opens café")
    data = events_text(*EVENTS_ROWS[:2], row).encode("latin-1")
    p = only_problem(refused(write_case(tmp_path / "c", events=data)))
    assert "0xe9" in p.expected and "line 4" in p.expected


def test_latin1_file_loads_when_declared(tmp_path):
    row = EVENTS_ROWS[2].replace("Chat opens", "Chat opens café")
    folder = write_case(tmp_path / "c", events=events_text(*EVENTS_ROWS[:2], row).encode("latin-1"))
    assert load_case(folder, encoding="latin-1").events.loc[2, "title"] == "Chat opens café"


def test_semicolon_delimited_file(tmp_path):
    text = events_text(*EVENTS_ROWS).replace(",", ";")
    p = only_problem(refused(write_case(tmp_path / "c", events=text)))
    assert "semicolon" in p.expected


def test_every_problem_is_listed_at_once(tmp_path):
    bad1 = EVENTS_ROWS[0].replace("disruption", "hacktivism").replace("confirmed", "sure")
    bad2 = EVENTS_ROWS[1].replace("e-002", "e-001").replace(",s1;s2,", ",s7,")
    err = refused(write_case(tmp_path / "c", events=events_text(bad1, bad2),
                             meta='{"title": "x", "tlp": "ultraviolet", "as_of": "2024-13-01"}'))
    found = {(p.file, p.row, p.column) for p in err.problems}
    assert {("events.csv", 1, "category"), ("events.csv", 1, "status"),
            ("events.csv", 2, "event_id"), ("events.csv", 2, "sources"),
            ("case.json", None, "tlp")} <= found
    assert str(err).startswith(f"{len(err.problems)} problems found:")


def test_python_built_frame_with_timestamps():
    frame = pd.DataFrame({
        "event_id": ["a"], "start": [pd.Timestamp("2023-03-26 00:30", tz="Europe/London")],
        "category": ["intrusion"], "title": ["t"], "status": ["reported"], "sources": [("s",)],
        "tlp": ["green"]})
    ev = validate("events", frame)
    assert ev.loc[0, "start"] == pd.Timestamp("2023-03-26 00:30", tz="UTC")
    assert ev.loc[0, "precision"] == "exact"


def test_validate_does_not_mutate_input():
    frame = pd.DataFrame({"source_id": ["s1"], "name": ["n"], "tlp": ["TLP:WHITE"]})
    before = frame.copy()
    out = validate("sources", frame)
    assert out.loc[0, "tlp"] == "clear"
    pd.testing.assert_frame_equal(frame, before)


def test_tlp_synonyms_cover_all_levels():
    assert [normalise_tlp(f"TLP:{x.upper()}") for x in TLP_LEVELS] == list(TLP_LEVELS)
    assert normalise_tlp("tlp:white") == "clear"


# --- the steps of validate(), one by one -------------------------------------------------------

def _checking(**kwargs):
    from analystkit.schema.validation import Checking

    return Checking("t.csv", [], **kwargs)


def _col(table, name):
    from analystkit.schema.columns import column_of

    return column_of(table, name)


def test_check_bools_reads_words_and_reports_others():
    from analystkit.schema.validation import check_bools

    at = _checking()
    out = check_bools(_col("events", "ongoing"), pd.Series(["Yes", "", "0", "maybe"]), at)
    assert out.tolist() == [True, False, False, False]
    assert [(p.row, p.value) for p in at.problems] == [(4, "maybe")]


def test_check_ids_splits_and_checks_sources():
    from analystkit.schema.validation import check_ids

    at = _checking(source_ids={"s1"})
    out = check_ids(_col("events", "sources"), pd.Series(["s1; s2", "", None]), at)
    assert out.tolist() == [("s1", "s2"), (), ()]
    assert [(p.row, p.value, p.expected[:9]) for p in at.problems] == [
        (1, "s2", "is not de"), (2, "", "is empty "), (3, "", "is empty ")]


def test_check_tlp_normalises_and_fills_the_default():
    from analystkit.schema.validation import check_tlp

    at = _checking(default_tlp="amber")
    assert check_tlp(_col("events", "tlp"), pd.Series(["TLP:WHITE", "", "pink"]), at) == [
        "clear", "amber", "red"]
    assert [(p.row, p.value) for p in at.problems] == [(3, "pink")]
    refusing = _checking()
    check_tlp(_col("events", "tlp"), pd.Series([""]), refusing)
    assert refusing.problems[0].expected.startswith("is empty")


def test_check_vocab_and_country():
    from analystkit.schema.validation import check_country, check_vocab

    at = _checking()
    assert check_vocab(_col("sources", "reliability"), pd.Series(["b", "Z"]), at).tolist() == ["B", "Z"]
    assert check_vocab(_col("events", "category"), pd.Series(["Intrusion", ""]), at).tolist() == [
        "intrusion", ""]
    assert check_country(_col("entities", "country"), pd.Series(["gb", "UK"]), at).tolist() == ["GB", "UK"]
    assert [(p.column, p.row) for p in at.problems] == [("reliability", 2), ("category", 2),
                                                        ("country", 2)]
    assert at.problems[-1].expected.endswith("(did you mean GB?)")


def test_check_text_ids_are_unique_slugs():
    from analystkit.schema.validation import check_text

    at = _checking()
    out = check_text(_col("events", "event_id"), pd.Series(["a-1", " a-1 ", "Bad Id", ""]), at)
    assert out.tolist() == ["a-1", "a-1", "Bad Id", ""]
    assert [(p.row, p.expected[:10]) for p in at.problems] == [
        (4, "is empty ("), (3, "is not an "), (2, "duplicates")]


def test_date_steps():
    from analystkit.schema.dates import format_date, parse_dates, written_forms

    assert written_forms(pd.Series(["2023-01", "2023-01-12 13:44"])).tolist() == ["month", "exact"]
    problems = []
    out = parse_dates(pd.Series(["2023-01", "2023-01-10", "2023-02-30", ""]),
                      pd.Series(["month", "month", "day", ""]), "start", "e.csv", problems, True)
    assert out.iloc[0] == pd.Timestamp("2023-01-01", tz="UTC") and out.iloc[1:].isna().all()
    assert [(p.row, p.expected[:12]) for p in problems] == [
        (2, "does not mat"), (3, "is not a rea"), (4, "is empty (a ")]
    # a naive stamp is read as UTC (as times.utc does everywhere)
    assert format_date(pd.Timestamp("2023-01-12 13:44"), "exact") == "2023-01-12T13:44:00Z"


def test_tlp_comparisons_live_in_schema():
    from analystkit import schema

    assert schema.tlp_allows("TLP:GREEN", "amber") and not schema.tlp_allows("red", "amber+strict")
    assert schema.tlp_within(pd.Series(["clear", "red"]), "green").tolist() == [True, False]
    assert schema.highest_tlp(["green", "TLP:AMBER", "nonsense"], "clear") == "amber"
    assert schema.highest_tlp([], "red") == "red"


def test_public_names_stay_importable_from_the_package():
    import analystkit as ak
    from analystkit import schema

    for name in schema.__all__:
        assert getattr(ak.schema, name) is getattr(schema, name)
    assert callable(schema.validate) and schema.ValidationError.__module__ == "analystkit.schema"


# --- credibility (Admiralty 1-6) -------------------------------------------------------------------

def _graded(credibility: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"event_id": [f"e{i}" for i in range(len(credibility))],
                         "start": "2023-01-10", "category": "recovery", "title": "Letters reopen",
                         "status": "reported", "sources": "s1", "tlp": "clear",
                         "credibility": credibility})


def test_credibility_is_optional_and_takes_the_six_digits():
    ev = validate("events", _graded(["", "1", "3", "6", 2]))
    assert list(ev["credibility"]) == ["", "1", "3", "6", "2"]
    ungraded = validate("events", _graded(["1"]).drop(columns="credibility"))
    assert list(ungraded["credibility"]) == [""]
    assert list(validate("relations", pd.DataFrame({
        "relation_id": ["r1"], "source": ["LockBit"], "target": ["Royal Mail"],
        "relation": ["targets"], "status": ["reported"], "sources": ["s1"], "tlp": ["clear"],
        "credibility": ["4"]}))["credibility"]) == ["4"]


@pytest.mark.parametrize("bad, hint", [("7", ""), ("B2", "write only the digit"), ("likely", "")])
def test_bad_credibility_names_file_row_column_value_and_the_scale(tmp_path, bad, hint):
    header = EVENTS_HEADER + ",credibility"
    rows = [EVENTS_ROWS[0] + ",2", EVENTS_ROWS[1] + f",{bad}", EVENTS_ROWS[2] + ","]
    p = only_problem(refused(write_case(tmp_path / "c", events=events_text(*rows, header=header))))
    assert (p.file, p.row, p.column, p.value) == ("events.csv", 2, "credibility", bad)
    assert "1 confirmed by other sources" in p.expected and "6 truth cannot be judged" in p.expected
    assert hint in p.expected


def test_an_ungraded_case_saves_without_the_credibility_column(tmp_path, demo_case):
    case = load_case(demo_case)
    case.save(tmp_path / "copy")
    assert "credibility" not in (tmp_path / "copy" / "events.csv").read_text().splitlines()[0]
    events = case.events.copy()
    events.loc[0, "credibility"] = "3"
    case.with_tables(events=events).save(tmp_path / "graded")
    again = load_case(tmp_path / "graded")
    assert list(again.events["credibility"]) == ["3", "", ""]


def test_a_list_item_holding_the_separator_is_refused_in_memory_and_replaced_at_the_door():
    # ("a;b",) saved as "a;b" came back as ("a", "b"): the case changed on a save and load
    row = {"name": "LockBit", "kind": "actor", "aliases": ("lockbit3", "Lock;Bit")}
    with pytest.raises(ValidationError, match=r"aliases.*'Lock;Bit'.*separates the items"):
        validate("entities", pd.DataFrame([row]), file="memory")
    from analystkit.io import stix

    actor = {"type": "intrusion-set", "spec_version": "2.1", "name": "LockBit",
             "id": "intrusion-set--0d3f5d2e-5a2b-4a8e-9a55-3a1b2c3d4e61", "aliases": ["lockbit3", "Lock;Bit"],
             "created": "2023-02-07T05:11:14.822Z", "modified": "2023-02-07T05:11:14.822Z"}
    case = stix.read({"type": "bundle", "id": "bundle--0d3f5d2e-5a2b-4a8e-9a55-3a1b2c3d4e62",
                      "objects": [actor]}, tlp="clear")
    assert case.entities.set_index("name").loc["LockBit", "aliases"] == ("lockbit3", "Lock,Bit")
