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


# --- charts, packs, import and export ----------------------------------------------------------

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from casefiles import DATA, SAMPLES  # noqa: E402

COMMANDS = ("brief", "timeline", "graph", "activity", "import", "export")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_new_commands(command):
    out = run(command, "--help")
    assert out.returncode == 0 and f"usage: analystkit {command}" in out.stdout


def test_brief_writes_pack_with_progress_on_stderr(demo_case, tmp_path):
    out = run("brief", str(demo_case), "--tlp", "clear", "--out", str(tmp_path / "pack"),
              "--no-related", "--charts", "timeline")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(tmp_path / "pack" / "brief.html"), str(tmp_path / "pack" / "brief.pdf")]
    assert "drawing the timeline chart" in out.stderr and "writing brief.pdf" in out.stderr
    html = (tmp_path / "pack" / "brief.html").read_text()
    assert "Chat opens" not in html and "1 event marked above TLP:CLEAR is withheld" in html


def test_brief_bad_level_is_one_line(demo_case, tmp_path):
    out = run("brief", str(demo_case), "--tlp", "pink", "--out", str(tmp_path / "p"), "--no-related")
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "unknown TLP level 'pink'" in out.stderr and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_timeline_suffix_picks_format(demo_case, tmp_path):
    out = run("timeline", str(demo_case), "-o", str(tmp_path / "t.svg"), "--tlp", "amber")
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "t.svg").read_text()
    assert svg.startswith("<?xml") and "Chat opens" in svg and (tmp_path / "t.txt").exists()
    assert not (tmp_path / "t.png").exists()


def test_unknown_suffix_is_refused(demo_case, tmp_path):
    out = run("timeline", str(demo_case), "-o", str(tmp_path / "t.jpg"))
    assert out.returncode == 1 and "name it .png, .svg or .pdf" in out.stderr
    assert out.stderr.count("\n") == 1


def test_graph_of_a_case_to_png(tmp_path):
    out = run("graph", str(DATA / "cases" / "ransomware-victims"), "-o", str(tmp_path / "g.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    alt = (tmp_path / "g.txt").read_text()
    assert alt.startswith("Actor to victim graph of ") and "LockBit" in alt


def test_activity_of_posts_to_pdf(tmp_path):
    posts = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"
    out = run("activity", str(posts), "-o", str(tmp_path / "a.pdf"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert "LockBit" in (tmp_path / "a.txt").read_text()


def test_bad_posts_file_is_one_line(tmp_path):
    bad = tmp_path / "posts.json"
    bad.write_text('[{"post_title": "x", "group_name": "lockbit3", "discovered": "yesterday"}]')
    out = run("activity", str(bad), "-o", str(tmp_path / "a.png"))
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert out.returncode == 1 and len(errors) == 1 and "Traceback" not in out.stderr
    assert "record [0], field 'discovered': value 'yesterday'" in errors[0]


def test_import_leak_site_posts_into_a_case(demo_case, tmp_path):
    posts = tmp_path / "posts.json"
    posts.write_text(json.dumps([
        {"post_title": "royalmailgroup.com", "group_name": "lockbit3",
         "discovered": "2023-02-07 05:11:14.822203"},
        {"post_title": "Acme Corp", "group_name": "play", "discovered": "2023-03-01 10:00:00.0"}]))
    out = run("import", str(posts), "--case", str(demo_case), "--tlp", "clear")
    assert out.returncode == 0, out.stderr
    rel = (demo_case / "relations.csv").read_text()
    assert rel.count("claimed") >= 2 and "LockBit" in rel and "2023-02-07" in rel
    assert run("validate", str(demo_case)).returncode == 0


def test_import_unknown_json_is_refused(demo_case, tmp_path):
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    out = run("import", str(other), "--case", str(demo_case))
    assert out.returncode == 1 and "not a leak-site posts file, STIX bundle or MISP event" in out.stderr


def test_export_stix_and_import_it_back(tmp_path):
    out = run("export", str(ROYAL_MAIL), "--format", "stix", "-o", str(tmp_path / "rm.json"),
              "--tlp", "clear")
    assert out.returncode == 0, out.stderr
    bundle = json.loads((tmp_path / "rm.json").read_text())
    assert bundle["type"] == "bundle" and "Assessment: attribution" not in json.dumps(bundle)
    back = run("import", str(tmp_path / "rm.json"), "--case", str(tmp_path / "copy"))
    assert back.returncode == 0, back.stderr
    summary = run("validate", str(tmp_path / "copy")).stdout
    assert re.search(r"57 events", summary)


def test_export_misp(tmp_path):
    out = run("export", str(ROYAL_MAIL), "--format", "misp", "-o", str(tmp_path / "rm.json"))
    assert out.returncode == 0, out.stderr
    event = json.loads(Path(tmp_path / "rm.json").read_text())
    assert "Event" in event or "info" in event


def test_import_detects_a_bundle_without_type_and_reports_in_lines(tmp_path):
    """The OASIS TLP 2.0 sample has no "type": "bundle" and one invalid object, and no events."""
    sample = SAMPLES / "stix" / "oasis_tlp2" / "using-tlp2.0-green.json"
    out = run("import", str(sample), "--case", str(tmp_path / "case"))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert "as stix" in lines[0]
    assert any(line.startswith("analystkit import: warning:") and "relationship--1621d4d4" in line
               for line in lines)
    assert lines[-1].startswith("analystkit import: error:") and "at least one event" in lines[-1]
    assert "Traceback" not in out.stderr and not (tmp_path / "case" / "events.csv").exists()
