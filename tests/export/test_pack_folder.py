"""A pack folder holds only this pack: nothing of an earlier pack survives, a failed or killed
run leaves the previous pack whole, and a folder holding anything else is never replaced."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import pytest
from casefiles import EVENTS_HEADER, EVENTS_ROWS, write_case

import analystkit.export.pack.write as pack_write
from analystkit import load_case
from analystkit.export import brief

RELATIONS = ("relation_id,source,target,relation,date,precision,status,sources,tlp,via,description\n"
             "r-1,LockBit,Royal Mail,targets,2023-01-10,day,confirmed,s1,amber,,\n")


@pytest.fixture
def case(tmp_path):
    rows = [r.replace(",amber,,", ",clear,,") for r in EVENTS_ROWS]
    folder = write_case(tmp_path / "case", events="\n".join([EVENTS_HEADER, *rows]) + "\n",
                        extra={"relations.csv": RELATIONS})
    return load_case(folder)


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _siblings(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_a_clear_pack_over_an_amber_one_keeps_nothing_of_it(case, tmp_path):
    out = tmp_path / "pack"
    brief(case, out, tlp="amber", charts=("timeline", "graph"), compare=[])
    assert (out / "graph.png").exists() and (out / "graph.svg").exists()
    brief(case, out, tlp="clear", charts=("timeline", "graph"), compare=[])
    names = set(_files(out))
    assert not {"graph.png", "graph.svg", "graph.txt"} & names  # the AMBER relation's chart is gone
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tlp"] == "TLP:CLEAR" and set(manifest["files"]) == names - {"manifest.json"}
    assert all(hashlib.sha256((out / n).read_bytes()).hexdigest() == h
               for n, h in manifest["files"].items())
    assert _siblings(out) == []


def test_a_failed_run_leaves_the_previous_pack_as_it_was(case, tmp_path, monkeypatch):
    out = tmp_path / "pack"
    brief(case, out, tlp="clear", charts=("timeline",), compare=[])
    before = _files(out)

    def broken(pack):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(pack_write, "render_pdf", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        brief(case, out, tlp="amber", charts=("timeline",), compare=[])
    assert _files(out) == before and _siblings(out) == []


def test_a_killed_run_leaves_the_previous_pack_and_the_next_run_cleans_up(case, tmp_path):
    out = tmp_path / "pack"
    brief(case, out, tlp="clear", charts=("timeline",), compare=[])
    before = _files(out)
    script = textwrap.dedent(f"""
        import os, signal
        from analystkit import load_case
        from analystkit.export import brief
        def die(message):
            if message.startswith("writing brief.pdf"):
                os.kill(os.getpid(), signal.SIGKILL)
        brief(load_case({str(case.folder)!r}), {str(out)!r}, tlp="amber", charts=("timeline",),
              compare=[], progress=die)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == -9, run.stderr
    assert _files(out) == before
    assert len(_siblings(out)) == 1  # the half-built pack, hidden beside it
    brief(case, out, tlp="clear", charts=("timeline",), compare=[])
    assert _siblings(out) == [] and _files(out).keys() == before.keys()


def test_a_folder_holding_other_files_is_refused_and_untouched(case, tmp_path):
    out = tmp_path / "desktop"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "timeline.png").write_bytes(b"an old chart")
    with pytest.raises(ValueError, match=r"desktop holds files that are not part of a briefing "
                                         r"pack \(notes\.txt\)"):
        brief(case, out, tlp="clear", charts=("timeline",), compare=[])
    assert _files(out) == {"notes.txt": b"mine", "timeline.png": b"an old chart"}
    assert _siblings(out) == []


def test_an_existing_file_as_the_pack_folder_is_refused(case, tmp_path):
    out = tmp_path / "brief.html"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ValueError, match=r"brief\.html exists and is not a folder"):
        brief(case, out, tlp="clear", charts=("timeline",), compare=[])
    assert out.read_text(encoding="utf-8") == "not a folder"
