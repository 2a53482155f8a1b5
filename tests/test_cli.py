"""The command line: exit codes, messages on the right stream, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

from casefiles import EVENTS_HEADER, EVENTS_ROWS, ROYAL_MAIL, write_case


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analystkit", *args], capture_output=True,
                          text=True, timeout=120)


def test_validate_royal_mail_prints_summary():
    out = run("validate", str(ROYAL_MAIL))
    assert out.returncode == 0, out.stderr
    assert "valid" in out.stdout and "events from 2019" in out.stdout
    assert "Royal Mail" in out.stdout and out.stderr == ""


def test_validate_bad_case_lists_every_problem(tmp_path):
    rows = [EVENTS_ROWS[0].replace("disruption", "hacktivism"),
            EVENTS_ROWS[1].replace("2023-01,", "2022-101-27,").replace(",month,", ",,")]
    folder = write_case(tmp_path / "bad", events="\n".join([EVENTS_HEADER, *rows]) + "\n")
    out = run("validate", str(folder))
    assert out.returncode == 1
    assert "2 problems found" in out.stderr
    assert "line 2 (row 1), column 'category': value 'hacktivism'" in out.stderr
    assert "line 3 (row 2), column 'start': value '2022-101-27'" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_folder_is_one_line(tmp_path):
    out = run("validate", str(tmp_path / "nowhere"))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "no case folder" in out.stderr


def test_usage_error_exit_2():
    out = run("frobnicate")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_help_for_each_command():
    assert run("validate", "--help").returncode == 0
