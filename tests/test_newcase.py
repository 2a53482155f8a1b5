"""A new incident's case folder: every key a case starts with, the actor and victim, no events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import analystkit as ak
from analystkit.cli import main
from analystkit.newcase import CaseExistsError


def test_the_command_writes_a_valid_case_with_every_starting_key(tmp_path: Path, capsys):
    folder = tmp_path / "acme"
    assert main(["new", str(folder), "--title", "Acme Logistics ransomware attack", "--actor", "Akira",
                 "--victim", "Acme Logistics", "--day0", "2024-03-01", "--tz", "Europe/London",
                 "--tlp", "green", "--as-of", "2024-03-10"]) == 0
    assert capsys.readouterr().out.strip() == str(folder)
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    assert meta == {"title": "Acme Logistics ransomware attack", "summary": "", "tlp": "green",
                    "title_tlp": "green", "summary_tlp": "green", "as_of": "2024-03-10",
                    "incident": "acme-logistics-ransomware-attack-2024", "day0": "2024-03-01",
                    "timezone": "Europe/London", "victim": "Acme Logistics",
                    "investigation_status": "new", "compare": [], "related": []}
    case = ak.load_case(folder)
    assert case.events.empty and case.relations.empty and case.sources.empty  # no fake events
    assert sorted(zip(case.entities["name"], case.entities["kind"], strict=True)) == [
        ("Acme Logistics", "victim"), ("Akira", "actor")]
    assert main(["validate", str(folder)]) == 0


def test_an_existing_case_is_never_overwritten(tmp_path: Path, capsys):
    folder = tmp_path / "acme"
    ak.new_case(folder, title="First", as_of="2024-01-01")
    before = (folder / "case.json").read_bytes()
    with pytest.raises(CaseExistsError, match="a case is already in this folder"):
        ak.new_case(folder, title="Second")
    assert main(["new", str(folder), "--title", "Second"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a case is already in this folder" in err
    assert (folder / "case.json").read_bytes() == before


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--day0", "2024-13-01", "'day0': value '2024-13-01' is not a real date"),
    ("--tz", "Mars/Base", "'timezone': value 'Mars/Base' is not an IANA time zone name"),
    ("--tlp", "pink", "'tlp': value 'pink' is not a TLP 2.0 label"),
])
def test_a_bad_value_writes_nothing_and_names_the_key(tmp_path: Path, capsys, option, value, said):
    folder = tmp_path / "acme"
    assert main(["new", str(folder), "--title", "Acme", option, value]) == 1
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1
    assert not folder.exists()
