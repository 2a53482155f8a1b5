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
    assert out.returncode == 2  # an input that is not there: bad input, not a data problem
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


def test_a_second_feed_and_a_repeated_feed_import_into_one_case(demo_case, tmp_path):
    # each import used to number its claims post-00001...: a second feed's ids clashed and the
    # case was refused; now an id is the claim itself, so a repeated import adds nothing
    clear, amber = tmp_path / "clear.json", tmp_path / "amber.json"
    clear.write_text(json.dumps([{"post_title": "Acme Corp", "group_name": "play",
                                  "discovered": "2023-03-01 10:00:00.0"}]))
    amber.write_text(json.dumps([{"post_title": "Globex", "group_name": "lockbit3",
                                  "discovered": "2023-03-02 10:00:00.0"}]))
    for path, tlp in ((clear, "clear"), (amber, "amber"), (clear, "clear")):
        out = run("import", str(path), "--case", str(demo_case), "--tlp", tlp)
        assert out.returncode == 0, out.stderr
    import pandas as pd

    rel = pd.read_csv(demo_case / "relations.csv", dtype=str)
    claims = rel[rel["relation_id"].str.startswith("post-")].set_index("target")
    assert sorted(claims.index) == ["Acme Corp", "Globex"]  # the repeat added no row
    assert (claims.loc["Acme Corp", "tlp"], claims.loc["Globex", "tlp"]) == ("clear", "amber")
    assert run("validate", str(demo_case)).returncode == 0


def test_import_unknown_json_is_refused(demo_case, tmp_path):
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    out = run("import", str(other), "--case", str(demo_case))
    assert out.returncode == 1 and "not a leak-site posts file, STIX bundle, MISP event or MISP galaxy" \
        in out.stderr


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
    """The OASIS TLP 2.0 sample has no "type": "bundle", one invalid object and no events: an
    actor profile, which is a case too."""
    sample = SAMPLES / "stix" / "oasis_tlp2" / "using-tlp2.0-green.json"
    out = run("import", str(sample), "--case", str(tmp_path / "case"))
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert "as stix" in lines[0]
    assert any(line.startswith("analystkit import: warning:") and "relationship--1621d4d4" in line
               for line in lines)
    assert "analystkit: read stix-2.1: 3 item(s) (1 identity, 1 relationship, 1 threat-actor)" in lines
    assert "analystkit: rows: events none; relations none; entities 2 added; sources none" in lines
    assert any(re.fullmatch(r"analystkit:   1 invalid: .*full report", line) for line in lines)
    assert "Traceback" not in out.stderr
    assert (tmp_path / "case" / "events.csv").read_text().count("\n") == 1  # the header alone
    assert run("validate", str(tmp_path / "case")).returncode == 0


# --- comparisons chosen, free text marked --------------------------------------------------------

import shutil  # noqa: E402


@pytest.fixture
def cases_copy(tmp_path) -> Path:
    """A copy of the shipped case folders, to add folders beside Royal Mail."""
    return shutil.copytree(DATA / "cases", tmp_path / "cases")


def _compare_pack(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("brief", str(folder), "--tlp", "clear", "--out", str(out), "--charts", "compare",
               *extra)


def test_a_new_case_beside_royal_mail_does_not_change_its_pack(cases_copy, tmp_path):
    rm = cases_copy / "royal-mail-2023"
    before = _compare_pack(rm, tmp_path / "before")
    assert before.returncode == 0, before.stderr
    new = shutil.copytree(cases_copy / "synnovis-2024", cases_copy / "aa-library-2025")
    meta = json.loads((new / "case.json").read_text())
    (new / "case.json").write_text(json.dumps({**meta, "incident": "library-2025",
                                               "title": "Library still rebuilding"}))
    after = _compare_pack(rm, tmp_path / "after")
    assert after.returncode == 0, after.stderr
    alt = (tmp_path / "after" / "compare.txt").read_text()
    assert alt == (tmp_path / "before" / "compare.txt").read_text()
    assert (tmp_path / "after" / "compare.png").read_bytes() == \
        (tmp_path / "before" / "compare.png").read_bytes()
    assert alt.startswith("4 incidents drawn") and "Library" not in alt
    for name in ("Capita", "Change Healthcare", "Synnovis"):  # case.json's list, as before
        assert name in alt
    assert "aa-library-2025" not in after.stderr  # never even read


def test_compare_picks_exactly_the_named_cases(tmp_path):
    out = _compare_pack(ROYAL_MAIL, tmp_path / "p", "--compare", "synnovis-2024", "capita-2023")
    assert out.returncode == 0, out.stderr
    alt = (tmp_path / "p" / "compare.txt").read_text()
    assert alt.startswith("3 incidents drawn") and "Synnovis" in alt and "Capita" in alt
    assert "Change Healthcare" not in alt


def test_without_a_compare_list_there_is_no_comparison(demo_case, tmp_path):
    out = _compare_pack(demo_case, tmp_path / "p")
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "p" / "compare.png").exists() and "no compare chart" in out.stderr


@pytest.mark.parametrize("how", ["--compare", "case.json"])
def test_two_cases_sharing_an_incident_id_are_one_line_naming_both(cases_copy, tmp_path, how):
    shutil.copytree(cases_copy / "capita-2023", cases_copy / "capita-draft")
    rm = cases_copy / "royal-mail-2023"
    extra = ("--compare", "capita-2023", "capita-draft") if how == "--compare" else ()
    if how == "case.json":
        meta = json.loads((rm / "case.json").read_text())
        (rm / "case.json").write_text(json.dumps({**meta, "compare": ["capita-2023", "capita-draft"]}))
    out = _compare_pack(rm, tmp_path / "p", *extra)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "share the incident id 'capita-2023'" in errors[0]
    assert str(cases_copy / "capita-2023") in errors[0] and str(cases_copy / "capita-draft") in errors[0]


def test_an_unknown_compared_case_says_where_it_was_named(cases_copy, tmp_path):
    rm = cases_copy / "royal-mail-2023"
    meta = json.loads((rm / "case.json").read_text())
    (rm / "case.json").write_text(json.dumps({**meta, "compare": ["no-such-case"]}))
    out = _compare_pack(rm, tmp_path / "p")
    # a name that finds no case is an input that is not there: exit status 2, as for a missing file
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0
    assert f"{rm / 'case.json'} compare list: no case 'no-such-case'" in out.stderr


def test_no_related_with_compare_is_a_usage_error(tmp_path):
    out = _compare_pack(ROYAL_MAIL, tmp_path / "p", "--no-related", "--compare", "capita-2023")
    assert out.returncode == 2 and "--no-related cannot be combined" in out.stderr


def test_export_at_a_lower_level_leaves_out_a_marked_summary(tmp_path):
    folder = write_case(tmp_path / "c", meta=json.dumps({
        "as_of": "2024-12-31", "title": "Titletok case", "summary": "Sumtok summary.", "tlp": "amber",
        "title_tlp": "clear", "incident": "demo"}))
    for fmt in ("stix", "misp"):
        out = run("export", str(folder), "--format", fmt, "-o", str(tmp_path / f"{fmt}.json"),
                  "--tlp", "clear")
        assert out.returncode == 0, out.stderr
        text = (tmp_path / f"{fmt}.json").read_text()
        assert "Sumtok" not in text and "Titletok case" in text
        assert "the case summary is marked TLP:AMBER and is left out" in out.stderr


def test_brief_merges_several_feeds_and_names_each(tmp_path):
    feeds = [SAMPLES / "leaksites" / name for name in ("ransomwatch_posts_2023-08-19.json",
                                                         "ransomfeed_posts_2023-03-13.json")]
    out = tmp_path / "pack"
    done = subprocess.run([sys.executable, "-m", "analystkit", "brief", str(ROYAL_MAIL), "--tlp", "clear",
                           "--out", str(out), "--charts", "activity", "--date", "discovered",
                           "--posts", *map(str, feeds)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    merged = next(line for line in done.stderr.splitlines() if "merged 2 feeds" in line)
    assert re.search(r"merged 2 feeds: \d+ posts, \d+ victim names linked", merged)
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert "leak-site posts (crawler snapshots): ransomfeed_posts_2023-03-13.json, " \
           "ransomwatch_posts_2023-08-19.json" in page
