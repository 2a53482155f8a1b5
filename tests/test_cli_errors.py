"""One-line errors, always: every failure the command line can expect is one line on stderr
naming the path and what to do, with exit status 1 (data problems, could not write) or 2 (used
wrongly, input unreadable). Real conditions where the machine allows them: a tmpfs mounted full
or read-only when running as root, a real named pipe; a patched call otherwise."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from casefiles import write_case

from analystkit.cli.errors import os_error_line

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str, prelude: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m analystkit ARGS``; ``prelude`` is Python run first (to patch a call)."""
    if prelude:
        code = f"{prelude}\nimport runpy, sys\nsys.argv = ['analystkit', *{list(args)!r}]\n" \
               "runpy.run_module('analystkit', run_name='__main__', alter_sys=True)"
        command = [sys.executable, "-c", code]
    else:
        command = [sys.executable, "-m", "analystkit", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def said(out: subprocess.CompletedProcess) -> list[str]:
    """The lines of stderr that are not progress ("analystkit: drawing ...")."""
    assert "Traceback" not in out.stderr, out.stderr
    return [line for line in out.stderr.splitlines() if not line.startswith("analystkit: ")]


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (options given to the returned function); unmounted afterwards.
    Returns None where mounting is not allowed (not root, or no CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path | None:
        folder = tmp_path / f"mnt{len(mounted)}"
        folder.mkdir()
        if not ROOT_USER:
            return None
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, check=False)
        if done.returncode:
            return None
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=False)


# --- could not write: exit 1 ---------------------------------------------------------------------

def test_brief_into_an_existing_file_names_it(demo_case, tmp_path):
    taken = tmp_path / "pack"
    taken.write_text("not a folder")
    out = run("brief", str(demo_case), "--tlp", "clear", "--out", str(taken), "--charts", "timeline")
    assert out.returncode == 1  # a ValueError: the pack cannot go there
    assert said(out) == [f"analystkit brief: error: {taken} exists and is not a folder: give --out "
                         "(out_dir) a folder for the pack, new or holding an earlier pack"]


def test_a_full_disk_names_the_file_being_written(demo_case, tmp_path, tmpfs):
    folder = tmpfs("size=200k")
    prelude = ""
    if folder is not None:  # fill it: the chart itself is smaller than 200 kB
        with open(folder / "filler", "wb", buffering=0) as handle, \
                pytest.raises(OSError) as full:
            while True:
                handle.write(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
    else:  # no tmpfs: the kernel's answer when the disk fills, from fsync
        folder = tmp_path / "full"
        folder.mkdir()
        prelude = ("import errno, os\ndef full(fd):\n    raise OSError(errno.ENOSPC, "
                   "'No space left on device')\nos.fsync = full")
    target = folder / "timeline.png"
    out = run("timeline", str(demo_case), "-o", str(target), prelude=prelude)
    assert out.returncode == 1
    assert said(out) == [f"analystkit timeline: error: could not write {target}: no space is left "
                         "on the device (ENOSPC); free some space or write elsewhere"]
    assert sorted(p.name for p in folder.iterdir()) == (["filler"] if not prelude else [])


def test_a_read_only_file_system_names_the_file_not_its_temporary(demo_case, tmpfs):
    folder = tmpfs("size=64k,ro")
    if folder is None:
        pytest.skip("mounting a read-only tmpfs needs root (chmod does not stop root writing)")
    target = folder / "case.json"
    out = run("export", str(demo_case), "--format", "stix", "-o", str(target))
    assert out.returncode == 1
    assert said(out) == [f"analystkit export: error: could not write {target}: the file system is "
                         "read-only (EROFS); write somewhere else"]


def test_a_folder_without_write_permission(demo_case, tmp_path):
    if ROOT_USER:
        pytest.skip("running as root: chmod 0o555 does not stop root writing")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = run("export", str(demo_case), "--format", "misp", "-o", str(folder / "e.json"))
    finally:
        folder.chmod(0o755)
    assert out.returncode == 1
    assert said(out) == [f"analystkit export: error: could not write {folder / 'e.json'}: "
                         "permission denied; write to a folder you may write in, or change its "
                         "permissions"]


def test_an_os_error_deep_in_a_matplotlib_save_is_one_line(demo_case, tmp_path):
    prelude = ("import errno, matplotlib.figure\ndef broken(self, *a, **k):\n    raise "
               "OSError(errno.EIO, 'Input/output error')\nmatplotlib.figure.Figure.savefig = broken")
    target = tmp_path / "t.svg"
    out = run("timeline", str(demo_case), "-o", str(target), prelude=prelude)
    assert out.returncode == 1
    assert said(out) == [f"analystkit timeline: error: could not write {target}: Input/output error"]


def test_the_wording_of_write_and_read_errors():
    assert os_error_line(PermissionError(errno.EACCES, "Permission denied", "/srv/out/.x.png.ab12cd_e.tmp"),
                         writing=Path("/srv/out/x.png")) == (
        "could not write /srv/out/x.png: permission denied; write to a folder you may write in, "
        "or change its permissions", 1)
    assert os_error_line(PermissionError(errno.EACCES, "Permission denied", "in/posts.json"),
                         writing=None) == (
        "cannot read in/posts.json: permission denied; ask for read access, or copy it somewhere "
        "you may read", 2)
    assert os_error_line(OSError(errno.EROFS, "Read-only file system"), writing=None)[1] == 1


# --- bad input: exit 2 ---------------------------------------------------------------------------

def test_a_missing_posts_file_is_exit_2(tmp_path):
    missing = tmp_path / "posts.json"
    out = run("activity", str(missing), "-o", str(tmp_path / "a.png"))
    assert out.returncode == 2
    assert said(out) == [f"analystkit activity: error: cannot read {missing}: there is no such "
                         "file or folder; check the path"]


def test_an_unreadable_posts_file_is_exit_2(tmp_path):
    if ROOT_USER:
        pytest.skip("running as root: chmod 0o000 does not stop root reading")
    posts = tmp_path / "posts.json"
    posts.write_text("[]")
    posts.chmod(0)
    out = run("activity", str(posts), "-o", str(tmp_path / "a.png"))
    assert out.returncode == 2
    assert said(out) == [f"analystkit activity: error: cannot read {posts}: permission denied; "
                         "ask for read access, or copy it somewhere you may read"]


def test_a_latin_1_posts_file_is_refused_naming_its_encoding(tmp_path):
    posts = tmp_path / "posts.json"
    posts.write_bytes(json.dumps([{"post_title": "Café Müller", "group_name": "lockbit3",
                                   "discovered": "2023-01-01 00:00:00"}],
                                 ensure_ascii=False).encode("latin-1"))
    out = run("activity", str(posts), "-o", str(tmp_path / "a.png"))
    assert out.returncode == 2
    assert said(out) == [f"analystkit activity: error: {posts}: is not valid UTF-8: byte 0xe9 on "
                         "line 1; it looks like Windows-1252 or Latin-1 text. A posts file is JSON "
                         "in UTF-8 (or UTF-16/UTF-32): save it as UTF-8"]


def test_a_fifo_named_events_csv_is_refused_without_hanging(demo_case):
    (demo_case / "events.csv").unlink()
    os.mkfifo(demo_case / "events.csv")
    out = run("validate", str(demo_case), timeout=60)
    assert out.returncode == 1
    assert out.stderr.splitlines() == [f"{demo_case}: 1 problem found:",
                                       "  - events.csv: is a named pipe (FIFO), not a regular "
                                       "file; a table must be a CSV file"]


def test_a_fifo_given_as_posts_is_exit_2(tmp_path):
    fifo = tmp_path / "posts.json"
    os.mkfifo(fifo)
    out = run("activity", str(fifo), "-o", str(tmp_path / "a.png"), timeout=60)
    assert out.returncode == 2
    assert said(out) == [f"analystkit activity: error: {fifo}: is a named pipe (FIFO), not a "
                         "regular file; name a posts file"]


def test_import_of_a_folder_without_json_is_one_line(demo_case, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run("import", str(empty), "--case", str(demo_case))
    assert out.returncode == 1
    assert said(out) == [f"analystkit import: error: {empty}: a folder with no *.json file (a "
                         "folder is read as STIX objects, one or more per file)"]


def test_a_case_folder_imports_as_a_case_merged_into_another(demo_case, tmp_path):
    """A folder with a case.json is a case: importing it merges it (Case.merge)."""
    out = run("import", str(demo_case), "--case", str(tmp_path / "copy"))
    assert out.returncode == 0, out.stderr
    again = run("import", str(demo_case), "--case", str(tmp_path / "copy"))
    assert again.returncode == 0, again.stderr
    assert "as case" in again.stderr and "events 3 unchanged" in again.stderr
    assert (tmp_path / "copy" / "events.csv").read_bytes() == (demo_case / "events.csv").read_bytes()


# --- data problems: exit 1, one line, values shortened ---------------------------------------

def test_a_null_as_of_is_refused(tmp_path):
    folder = write_case(tmp_path / "c", meta=json.dumps({"title": "T", "tlp": "clear",
                                                         "as_of": None}))
    out = run("timeline", str(folder), "-o", str(tmp_path / "t.png"))
    assert out.returncode == 1
    assert said(out) == ["analystkit timeline: error: case.json, column 'as_of': is null "
                         "(expected a date written YYYY-MM-DD, e.g. 2024-12-31)"]


def test_an_unknown_case_json_key_is_a_one_line_warning(tmp_path):
    meta = {"title": "T", "tlp": "clear", "as_of": "2024-12-31", "sumary": "S"}
    folder = write_case(tmp_path / "c", meta=json.dumps(meta))
    out = run("export", str(folder), "--format", "stix", "-o", str(tmp_path / "b.json"))
    assert out.returncode == 0, out.stderr
    assert said(out) == ["analystkit export: warning: case.json, column 'sumary': is not a "
                         "case.json key (did you mean 'summary'?); it is ignored"]


def test_a_huge_cell_is_never_echoed_whole(tmp_path):
    from casefiles import EVENTS_HEADER, EVENTS_ROWS

    huge = "x" * 100_000  # under the csv module's field limit: reaches validation
    row = EVENTS_ROWS[0].replace("disruption", huge)
    folder = write_case(tmp_path / "c", events="\n".join([EVENTS_HEADER, row]) + "\n")
    out = run("timeline", str(folder), "-o", str(tmp_path / "t.png"))
    assert out.returncode == 1
    (line,) = said(out)
    assert line.startswith("analystkit timeline: error: events.csv, line 2 (row 1), column "
                           f"'category': value '{'x' * 118}… is not a known category")
    assert len(line) < 400


def test_a_semicolon_sources_file_is_one_problem(tmp_path):
    from casefiles import SOURCES

    folder = write_case(tmp_path / "c", sources=SOURCES.replace(",", ";"))
    out = run("timeline", str(folder), "-o", str(tmp_path / "t.png"))
    assert out.returncode == 1
    assert said(out) == ["analystkit timeline: error: sources.csv: looks semicolon-delimited "
                         "(header 'source_id;name;url;published;reliability;tlp'); save it "
                         "comma-separated"]
