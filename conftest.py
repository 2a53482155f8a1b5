"""Doctest namespace for the examples in src/ (run by ``pytest --doctest-modules``)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace["DATA"] = ROOT / "data"
