"""Doctest namespace for the examples in src/ (run by ``pytest --doctest-modules``)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace, request):
    doctest_namespace["DATA"] = ROOT / "data"
    if isinstance(request.node, pytest.DoctestItem):  # a folder of the example's own to write into
        doctest_namespace["TMP"] = request.getfixturevalue("tmp_path")
    doctest_namespace["SAMPLES"] = ROOT.parent / "shared" / "samples"  # third-party files


def pytest_addoption(parser):
    parser.addoption("--update-baselines", action="store_true", default=False,
                     help="write the image baselines of tests/test_images.py anew instead of comparing")
