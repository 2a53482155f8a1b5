"""What Excel writes on Windows (Windows-1252) and UTF-16 files: recognised, never misread as
Latin-1, and the hint speaks the caller's language (``encoding=`` in Python, ``--encoding`` on
the command line)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from casefiles import EVENTS_HEADER, EVENTS_ROWS, write_case

from analystkit import ValidationError, load_case, validate

TITLE = "Exports halted – ‘no date’ for “recovery”"


def _excel_case(folder, encoding="cp1252"):
    rows = [EVENTS_ROWS[0].replace("Exports halted", TITLE), *EVENTS_ROWS[1:]]
    write_case(folder)
    (folder / "events.csv").write_bytes(("\n".join([EVENTS_HEADER, *rows]) + "\n").encode(encoding))
    return folder


def test_a_windows_1252_file_is_recognised_and_cp1252_suggested(tmp_path):
    with pytest.raises(ValidationError) as info:
        load_case(_excel_case(tmp_path / "c"))
    (problem,) = info.value.problems
    assert problem.file == "events.csv" and "line 2" in problem.expected
    assert "Windows-1252" in problem.expected and "encoding='cp1252'" in problem.expected
    assert "latin-1" not in str(info.value).lower()


def test_read_as_latin_1_it_is_refused_naming_row_column_and_character(tmp_path):
    with pytest.raises(ValidationError) as info:
        load_case(_excel_case(tmp_path / "c"), encoding="latin-1")
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("events.csv", 1, "title")
    assert "\x96" in problem.value and "U+0096" in problem.expected and "'–'" in problem.expected
    assert "encoding='cp1252'" in problem.expected


def test_read_as_cp1252_the_dashes_and_quotes_survive(tmp_path):
    case = load_case(_excel_case(tmp_path / "c"), encoding="cp1252")
    assert case.events.loc[0, "title"] == TITLE


def test_a_utf_16_file_is_named_as_such(tmp_path):
    with pytest.raises(ValidationError, match=r"UTF-16 text.*encoding=.utf-16."):
        load_case(_excel_case(tmp_path / "c", encoding="utf-16"))
    sources = tmp_path / "c" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8"), encoding="utf-16")
    assert load_case(tmp_path / "c", encoding="utf-16").events.loc[0, "title"] == TITLE


@pytest.mark.parametrize("column", ["title", "description", "victim", "notes"])
def test_c1_controls_are_refused_in_every_text_column(column):
    raw = pd.DataFrame({"event_id": ["e1"], "start": ["2023-01"], "category": ["intrusion"],
                        "title": ["Break-in"], "status": ["reported"], "sources": ["s1"],
                        "tlp": ["clear"], column: ["Pay \x93now\x94"]})
    with pytest.raises(ValidationError) as info:
        validate("events", raw)
    (problem,) = info.value.problems
    assert problem.column == column and problem.row == 1 and "U+0093" in problem.expected


def test_the_cli_hint_uses_the_cli_flag(tmp_path):
    folder = _excel_case(tmp_path / "c")
    run = subprocess.run([sys.executable, "-m", "analystkit", "validate", str(folder)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "--encoding cp1252" in run.stderr
    assert "encoding='" not in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "analystkit", "validate", str(folder),
                          "--encoding", "cp1252"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
