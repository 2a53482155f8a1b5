"""Reading refusals, each as exact problems: CSV rows with the wrong number of fields, header
names used twice, files that are not regular files, JSON in an encoding JSON does not allow,
case.json values of the wrong kind, values too long to echo, problems found twice."""

from __future__ import annotations

import json
import os
import warnings

import pytest
from casefiles import DATA, EVENTS_HEADER, EVENTS_ROWS, SOURCES, write_case

from analystkit import load_case
from analystkit.io import misp, stix
from analystkit.io.leaksites import PostsError, read_posts
from analystkit.schema import MetaKeyWarning, Problem, ValidationError, show_value, validate_meta
from analystkit.tables import UnreadableFileError, json_encoding, read_json_text, read_table

POST = {"post_title": "Café Müller – “leak”", "group_name": "lockbit3",
        "discovered": "2023-01-01 00:00:00"}


def problems_of(folder) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        load_case(folder)
    return info.value.problems


def events(*rows: str, header: str = EVENTS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# --- CSV shape -----------------------------------------------------------------------------------

def test_a_row_with_too_many_or_too_few_fields_names_line_expected_and_found(tmp_path):
    folder = write_case(tmp_path / "c", events=events(EVENTS_ROWS[0], EVENTS_ROWS[1] + ",extra",
                                                      EVENTS_ROWS[2].rsplit(",", 2)[0]))
    assert problems_of(folder) == [
        Problem("events.csv", 2, None, None, "has 18 fields where the header has 17; expected 17"),
        Problem("events.csv", 3, None, None, "has 15 fields where the header has 17; expected 17")]
    assert str(problems_of(folder)[0]) == ("events.csv, line 3 (row 2): has 18 fields where the "
                                           "header has 17; expected 17")


def test_a_row_after_a_multi_line_cell_says_where_it_starts(tmp_path):
    quoted = EVENTS_ROWS[0].replace("Exports halted", '"Exports\nhalted"')
    folder = write_case(tmp_path / "c", events=events(quoted, EVENTS_ROWS[1] + ",extra"))
    assert problems_of(folder) == [Problem(
        "events.csv", 2, None, None, "has 18 fields where the header has 17; expected 17 (the row "
        "starts on line 4 of the file)")]


def test_many_bad_rows_are_five_problems_and_a_count(tmp_path):
    rows = [EVENTS_ROWS[0].replace("e-001", f"e-{i:03d}") + ",x" for i in range(9)]
    found = problems_of(write_case(tmp_path / "c", events=events(*rows)))
    assert [p.row for p in found] == [1, 2, 3, 4, 5, None]
    assert found[-1] == Problem("events.csv", None, None, None, "has 4 more rows with a number of "
                                                                "fields other than the header's 17")


def test_a_header_name_used_twice_is_refused(tmp_path):
    folder = write_case(tmp_path / "c", events=events(*EVENTS_ROWS,
                                                      header=EVENTS_HEADER.replace("notes", "title")))
    assert problems_of(folder) == [Problem(
        "events.csv", None, "title", None, "names header columns 9 and 17; each column must be "
        "named once (rename or remove one)")]


def test_a_cell_over_the_csv_field_limit_is_not_echoed(tmp_path):
    row = EVENTS_ROWS[0].replace("Exports halted", "x" * 300_000)
    assert problems_of(write_case(tmp_path / "c", events=events(row))) == [Problem(
        "events.csv", None, None, None, "is not readable CSV: line 2: a field is longer than "
        "131,072 characters, the most a cell may hold (is a quote left open?); shorten it")]


def test_blank_lines_are_skipped_and_cells_stay_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n\n 1 ,\n\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.to_dict("list") == {"a": [" 1 "], "b": [""]}


def test_semicolon_sources_is_one_problem_not_one_per_reference(tmp_path):
    folder = write_case(tmp_path / "c", sources=SOURCES.replace(",", ";"))
    assert [(p.file, p.row) for p in problems_of(folder)] == [("sources.csv", None)]


def test_a_problem_found_twice_is_kept_once():
    p = Problem("events.csv", 1, "tlp", "pink", "is not a TLP 2.0 label")
    q = Problem("events.csv", 2, "tlp", "pink", "is not a TLP 2.0 label")
    assert ValidationError([p, q, p]).problems == [p, q]


def test_show_value_is_bounded_with_an_ellipsis():
    shown = show_value("y" * 200_000_000)
    assert shown == "'" + "y" * 118 + "…" and len(shown) == 120
    assert show_value(["a"] * 100).endswith("…") and len(show_value(["a"] * 100)) == 120
    assert show_value("short") == "'short'"


# --- files that are not regular files ----------------------------------------------------------

def test_a_fifo_and_a_folder_named_like_tables_are_refused_unopened(tmp_path):
    folder = write_case(tmp_path / "c")
    (folder / "events.csv").unlink()
    os.mkfifo(folder / "events.csv")
    (folder / "sources.csv").unlink()
    (folder / "sources.csv").mkdir()
    (folder / "case.json").unlink()
    os.mkfifo(folder / "case.json")
    found = problems_of(folder)
    assert found[:3] == [
        Problem("case.json", None, None, None, "is a named pipe (FIFO), not a regular file; name "
                                               "the file itself"),
        Problem("events.csv", None, None, None, "is a named pipe (FIFO), not a regular file; a "
                                                "table must be a CSV file"),
        Problem("sources.csv", None, None, None, "is a folder, not a regular file; a table must "
                                                 "be a CSV file")]


def test_a_fifo_feed_is_refused_by_every_json_reader(tmp_path):
    fifo = tmp_path / "feed.json"
    os.mkfifo(fifo)
    for read in (read_posts, stix.read, misp.read):
        with pytest.raises(UnreadableFileError, match="is a named pipe"):
            read(fifo)


# --- JSON encodings -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "utf-32-le", "utf-32-be"])
def test_json_in_any_encoding_json_allows_is_read(tmp_path, encoding):
    text = json.dumps([POST], ensure_ascii=False)
    path = tmp_path / "posts.json"
    path.write_bytes(text.encode(encoding))
    assert read_json_text(path) == text
    posts = read_posts(path)
    assert posts["post_title"].tolist() == [POST["post_title"]]


def test_json_encoding_follows_the_null_byte_patterns():
    assert [json_encoding("{}".encode(e)) for e in ("utf-16-le", "utf-32-be", "utf-8")] == \
        ["utf-16-le", "utf-32-be", "utf-8"]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_latin_1_or_cp1252_posts_file_is_refused_naming_the_encoding(tmp_path, encoding):
    path = tmp_path / "posts.json"
    path.write_bytes(json.dumps([POST], ensure_ascii=False).encode(encoding, errors="replace"))
    with pytest.raises(UnreadableFileError) as info:
        read_posts(path)
    assert info.value.filename == str(path)
    assert info.value.problem == (
        "is not valid UTF-8: byte 0xe9 on line 1; it looks like Windows-1252 or Latin-1 text. A "
        "posts file is JSON in UTF-8 (or UTF-16/UTF-32): save it as UTF-8")


def test_a_cp1252_stix_bundle_is_refused_not_misread(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_bytes(json.dumps({"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "report", "name": "Café – leak"}]}, ensure_ascii=False).encode("cp1252"))
    with pytest.raises(UnreadableFileError, match=r"byte 0xe9 on line 1; it looks like "
                                                  r"Windows-1252 or Latin-1 text\. A STIX file"):
        stix.read(path)


def test_a_utf_16_posts_csv_is_not_called_unreadable_csv(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("post_title,group_name,discovered\nAcme,lockbit3,2023-01-01\n",
                    encoding="utf-16")
    with pytest.raises(UnreadableFileError) as info:
        read_posts(path)
    assert info.value.problem == ("is not valid UTF-8: byte 0xff on line 1; it looks like UTF-16 "
                                  "text: save it as UTF-8")


def test_a_posts_csv_row_with_an_extra_field_names_its_line(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("post_title,group_name,discovered\nAcme,lockbit3,2023-01-01\n"
                    "Beta,lockbit3,2023-01-02,oops\n", encoding="utf-8")
    with pytest.raises(PostsError) as info:
        read_posts(path)
    assert str(info.value) == (f"{path}, record [3]: has 4 fields where the header has 3; "
                               "expected 3")


# --- case.json ---------------------------------------------------------------------------------

META = {"title": "T", "tlp": "clear", "as_of": "2024-12-31"}


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("as_of", None, "is null (expected a date written YYYY-MM-DD, e.g. 2024-12-31)"),
    ("title", None, "is null (expected the case's title as text)"),
    ("title", 5, "is not text (expected a JSON string)"),
    ("summary", ["a"], "is not text (expected a JSON string)"),
    ("tlp", "TLP:PINK", "is not a TLP 2.0 label (expected one of clear, green, amber, "
                        "amber+strict, red)"),
    ("summary_tlp", 3, "is not a TLP 2.0 label (expected one of clear, green, amber, "
                       "amber+strict, red)"),
    ("as_of", "31/12/2024", "is not a date written YYYY-MM-DD, e.g. 2024-12-31"),
    ("day0", "2023-02-30", "is not a real date (expected YYYY-MM-DD, e.g. 2024-12-31)"),
    ("timezone", "Europe/Londn", "is not an IANA time zone name (e.g. Europe/London, "
                                 "America/New_York, UTC)"),
    ("compare", ["capita-2023", 7], 'is not a list of case folder names or incident ids (e.g. '
                                    '["capita-2023"])'),
    ("related", "capita-2023", 'is not a list of case folder names or incident ids (e.g. '
                               '["capita-2023"])'),
])
def test_case_json_values_are_checked_by_kind(tmp_path, key, value, expected):
    folder = write_case(tmp_path / "c", meta=json.dumps({**META, key: value}))
    shown = None if value is None else value
    assert problems_of(folder) == [Problem("case.json", None, key, shown, expected)]


def test_a_missing_as_of_is_refused_and_never_reaches_the_pack(tmp_path):
    meta = {"title": "T", "tlp": "clear"}
    folder = write_case(tmp_path / "c", meta=json.dumps(meta))
    assert problems_of(folder) == [Problem("case.json", None, "as_of", None, "is missing or empty "
                                           "(expected a date written YYYY-MM-DD, e.g. 2024-12-31)")]


def test_unknown_keys_are_warned_with_the_nearest_name(tmp_path):
    folder = write_case(tmp_path / "c", meta=json.dumps({**META, "timzone": "UTC", "colour": 1}))
    with pytest.warns(MetaKeyWarning) as caught:
        case = load_case(folder)
    assert [str(w.message) for w in caught] == [
        "case.json, column 'timzone': is not a case.json key (did you mean 'timezone'?); it is "
        "ignored",
        "case.json, column 'colour': is not a case.json key; it is ignored"]
    assert case.meta["colour"] == 1  # kept as it was, never dropped


def test_normalised_values_and_the_shipped_cases_pass():
    meta, problems, unknown = validate_meta({**META, "tlp": "TLP:WHITE", "timezone": " UTC "})
    assert (meta["tlp"], meta["timezone"], problems, unknown) == ("clear", "UTC", [], [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for folder in sorted((DATA / "cases").iterdir()):
            load_case(folder)


def test_a_case_json_in_cp1252_names_its_encoding(tmp_path):
    folder = write_case(tmp_path / "c", meta=None,
                        extra={"case.json": json.dumps({**META, "title": "Café"},
                                                       ensure_ascii=False).encode("cp1252")})
    found = problems_of(folder)
    assert found[0] == Problem("case.json", None, None, None,
                               "is not valid UTF-8: byte 0xe9 on line 1; it looks like Windows-1252 "
                               "or Latin-1 text. A case.json file is JSON in UTF-8 (or "
                               "UTF-16/UTF-32): save it as UTF-8")
