"""A case save is whole or not at all: killed between any two file operations, on a full disk,
in a read-only folder; and every cell comes back byte for byte."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from casefiles import write_case

from analystkit import load_case
from analystkit.files import JOURNAL

HOSTILE_CELLS = ["Evil\rCorp", "two\nlines", "cr\r\nlf", 'say "hi", then go', "tab\there",
                 "=HYPERLINK(\"http://x.example\",\"click\")", "+1 555", "-2+3", "@SUM(A1)",
                 "inner\ttab and tab at the end", "'=already guarded", "''-twice", "'LockBit Green' variant",
                 "trailing quote\"", "Zürich – ‘quoted’ 東京"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_every_cell_round_trips_byte_for_byte(tmp_path):
    # (validation strips whitespace around a cell; what it keeps comes back exactly)
    folder = write_case(tmp_path / "c")
    case = load_case(folder)
    n = len(HOSTILE_CELLS)
    events = pd.concat([case.events.iloc[[0]]] * n, ignore_index=True)
    events["event_id"] = [f"h-{i:02d}" for i in range(n)]
    events["title"] = HOSTILE_CELLS
    events["description"] = HOSTILE_CELLS[::-1]
    relations = pd.DataFrame({"relation_id": [f"r-{i:02d}" for i in range(n)],
                              "source": "LockBit", "target": HOSTILE_CELLS, "relation": "claimed",
                              "date": "2023-01-11", "status": "claimed", "sources": "s1",
                              "tlp": "clear"})
    case.with_tables(events=events, relations=relations).save(folder)
    back = load_case(folder)
    assert list(back.events["title"]) == HOSTILE_CELLS
    assert list(back.events["description"]) == HOSTILE_CELLS[::-1]
    assert list(back.relations["target"]) == HOSTILE_CELLS
    # a spreadsheet opening relations.csv sees no formula: each risky cell starts with '
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
        targets = [row["target"] for row in csv.DictReader(handle)]
    risky = [t for t in targets if t[:1] in "=+-@\t\r"]
    assert risky == [] and "'=HYPERLINK(\"http://x.example\",\"click\")" in targets
    saved = (folder / "events.csv").read_bytes()
    back.save(folder)
    assert (folder / "events.csv").read_bytes() == saved  # stable on a second save


_KILLER = textwrap.dedent("""
    import os, signal, sys
    import pandas as pd
    from analystkit import load_case
    folder, at = sys.argv[1], int(sys.argv[2])
    case = load_case(folder)
    new = case.with_tables(events=case.events.assign(title="new version"),
                           relations=case.relations.assign(description="new version"))
    new.meta["summary"] = "new version"
    count = 0
    def counted(fn):
        def wrapper(*args, **kwargs):
            global count
            count += 1
            if count == at:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return wrapper
    for name in ("open", "close", "replace", "fsync", "chmod", "unlink", "mkdir", "write"):
        setattr(os, name, counted(getattr(os, name)))
    new.save(folder)
    print(count)
""")


def test_a_kill_between_any_two_file_operations_leaves_the_old_or_the_new_case(tmp_path):
    folder = write_case(tmp_path / "c")
    case = load_case(folder)
    case.with_tables(relations=pd.DataFrame({
        "relation_id": ["r-1"], "source": "LockBit", "target": "Royal Mail", "relation": "claimed",
        "date": "2023-01-11", "status": "claimed", "sources": "s1", "tlp": "clear",
        "description": "old version"})).save(folder)
    pristine = {p.name: p.read_bytes() for p in folder.iterdir()}
    outcomes, mixed_on_disk, at = [], 0, 1
    while True:
        for name, data in pristine.items():  # start each run from the old case
            (folder / name).write_bytes(data)
        for extra in set(os.listdir(folder)) - set(pristine):
            (folder / extra).unlink()
        run = subprocess.run([sys.executable, "-c", _KILLER, str(folder), str(at)],
                             capture_output=True, text=True, check=False)
        if run.returncode == 0:
            total = int(run.stdout.split()[-1])
            break
        assert run.returncode == -9, run.stderr
        titles = {p.name: b"new version" in p.read_bytes() for p in folder.glob("*.csv")}
        mixed_on_disk += len(set(titles.values())) > 1
        loaded = load_case(folder)
        texts = {*loaded.events["title"], *loaded.relations["description"],
                 loaded.meta["summary"]}
        version = "new" if texts == {"new version"} else "old"
        assert version == "new" or "new version" not in texts, (at, texts)  # never a mix
        assert _leftovers(folder) == [], (at, _leftovers(folder))  # the load cleaned up
        outcomes.append(version)
        at += 1
    print(f"\n{total} file operations; kills: {outcomes.count('old')} old, "
          f"{outcomes.count('new')} new, 0 mixed; {mixed_on_disk} left a mixed folder on disk")
    assert total >= 20 and len(outcomes) == total  # a kill before every operation was tried
    assert "old" in outcomes and "new" in outcomes
    assert mixed_on_disk > 0  # kills did land mid-rename: the journal is what keeps it whole


def test_stale_temporary_files_are_removed_by_the_next_load_and_save(tmp_path):
    folder = write_case(tmp_path / "c")
    (folder / ".events.csv.abc123xy.tmp").write_bytes(b"x" * 1000)
    (folder / f".{JOURNAL}.q1w2e3r4.tmp").write_bytes(b"{")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    load_case(folder)
    assert _leftovers(folder) == [] and (folder / "notes.txt").exists()
    (folder / ".sources.csv.zz99zz99.tmp").write_bytes(b"half")
    load_case(folder).save(folder)
    assert _leftovers(folder) == [] and (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    where = tmp_path / "disk"
    if not _mount_tmpfs(where, "size=256k"):
        pytest.skip("needs root to mount a small tmpfs")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_leaves_the_old_case_and_no_temporary_files(small_disk, tmp_path):
    folder = write_case(small_disk / "c")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    case = load_case(folder)
    big = pd.concat([case.events] * 3000, ignore_index=True)
    big["event_id"] = [f"e-{i}" for i in range(len(big))]
    with pytest.raises(OSError) as info:
        case.with_tables(events=big).save(folder)
    assert info.value.errno == 28
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert len(load_case(folder).events) == 3


def test_a_read_only_folder_left_mid_save_still_reads_as_the_new_case(small_disk):
    folder = write_case(small_disk / "c")
    at = 1
    while True:  # find a kill that leaves the journal and a mixed folder on disk
        for p in folder.iterdir():
            p.unlink()
        write_case(folder)
        run = subprocess.run([sys.executable, "-c", _KILLER.replace(
            'relations=case.relations.assign(description="new version")', ""), str(folder),
            str(at)], capture_output=True, text=True, check=False)
        assert run.returncode in (0, -9), run.stderr
        staged = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        if (folder / JOURNAL).exists() and staged and any(
                b"new version" in p.read_bytes() for p in folder.glob("*.csv")):
            break
        at += 1
        assert run.returncode == -9, "no kill left a journal and a mixed folder"
    json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        case = load_case(folder)
        assert set(case.events["title"]) == {"new version"}
        assert case.meta["summary"] == "new version"
        assert (folder / JOURNAL).exists()  # nothing could be written, nothing was lost
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    load_case(folder)
    assert _leftovers(folder) == []
