"""Every notebook in notebooks/ runs top to bottom on a real Jupyter kernel."""

from __future__ import annotations

import nbformat
import pytest
from casefiles import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def execute(path, **parameters):
    """Run a notebook with ``parameters`` injected after its ``parameters`` cell."""
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells)
                 if "parameters" in c.get("metadata", {}).get("tags", []))
    if parameters:
        source = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
        nb.cells.insert(index + 1, cell)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


#: Parameters that name places a notebook writes to: tests point them at a temporary folder.
WRITABLE = ("OUTPUT_DIR", "FORM_CASE", "CASE_DIR")


def writable_parameters(path, tmp_path) -> dict[str, str]:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", []))
    names = {line.split("=")[0].strip() for line in cell.source.splitlines() if "=" in line}
    return {name: str(tmp_path / name.lower()) for name in WRITABLE if name in names}


#: Parameters a notebook needs beyond its writable places (the template refuses its own examples).
FILLED_IN = {"06-new-incident-template": {"TITLE": "Harbourside Logistics ransomware attack",
                                          "ACTOR": "Akira", "VICTIM": "Harbourside Logistics",
                                          "DAY0": "2024-02-29", "TZ": "Europe/London"}}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nb = execute(path, **writable_parameters(path, tmp_path), **FILLED_IN.get(path.stem, {}))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert outputs_text(nb).strip(), "a notebook that shows nothing tells the analyst nothing"


def test_case_notebook_honours_max_tlp():
    path = ROOT / "notebooks" / "01-royal-mail-case.ipynb"
    clear = outputs_text(execute(path, MAX_TLP="clear"))
    amber = outputs_text(execute(path, MAX_TLP="amber"))
    assert "Assessment:" in amber and "Assessment:" not in clear


@pytest.mark.slow
def test_new_incident_template_refuses_its_example_and_notices_changes(tmp_path):
    from nbclient.exceptions import CellExecutionError

    from analystkit import load_case

    path = ROOT / "notebooks" / "06-new-incident-template.ipynb"
    with pytest.raises(CellExecutionError, match="TITLE is still the template's example 'New incident'"):
        execute(path, CASE_DIR=str(tmp_path / "case"))
    assert not (tmp_path / "case").exists()  # nothing written on the example values
    filled = {**FILLED_IN[path.stem], "CASE_DIR": str(tmp_path / "case")}
    first = outputs_text(execute(path, **filled))
    assert f"new case written to {tmp_path / 'case'}" in first
    case = load_case(tmp_path / "case")
    assert (case.meta["day0"], case.meta["timezone"], len(case.events)) == ("2024-02-29", "Europe/London", 0)
    assert sorted(case.entities["kind"]) == ["actor", "victim"]
    again = outputs_text(execute(path, **{**filled, "TLP": "red"}))
    assert "TLP is 'red' but the saved case's TLP is 'amber': the saved case is used" in again
