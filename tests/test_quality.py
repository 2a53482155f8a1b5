"""Project-wide promises: lint clean, clean notebooks, an import without side effects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from casefiles import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))


def test_ruff_lint_passes():
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    targets = [d for d in ("src", "tests", "benchmarks") if (ROOT / d).is_dir()]
    out = subprocess.run([ruff, "check", *targets], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds the kit's narrative notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_stored_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: cells {dirty} stored with outputs"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


def test_import_has_no_side_effects():
    code = """
import sys, json
import matplotlib, pandas as pd
rc = dict.copy(matplotlib.rcParams)  # plain dict copy: does not resolve the backend
opts = {k: pd.get_option(k) for k in ("display.max_rows", "display.width", "mode.copy_on_write")}
before = set(sys.modules)
import analystkit
from analystkit import load_case, canonical_actor, schema, case, aliases
heavy = [m for m in ("ipywidgets", "IPython", "jupyterlab", "ipykernel", "matplotlib.pyplot",
                     "networkx") if m in set(sys.modules) - before]
changed = [k for k, v in dict.copy(matplotlib.rcParams).items() if rc.get(k) != v]
opts2 = {k: pd.get_option(k) for k in opts}
print(json.dumps({"heavy": heavy, "rc": changed, "pd": opts != opts2}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result == {"heavy": [], "rc": [], "pd": False}


def test_import_loads_no_plotting_or_jupyter_machinery():
    code = ("import sys, analystkit\n"
            "from analystkit import load_case, canonical_actor, schema, case, aliases, theme, text\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'ipywidgets', 'IPython', 'jupyterlab', 'ipykernel', 'networkx', 'nbclient'} "
            "or m == 'matplotlib.pyplot'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_shared_samples_are_present():
    """Reader tests use ../shared/samples; without it they must fail, not skip by emptiness."""
    from casefiles import SAMPLES

    assert (SAMPLES / "stix").is_dir() and (SAMPLES / "misp").is_dir(), (
        f"{SAMPLES} is missing: clone the project beside its shared/ folder")
