"""Shared fixtures (helpers live in casefiles.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from casefiles import write_case


@pytest.fixture
def demo_case(tmp_path: Path) -> Path:
    return write_case(tmp_path / "demo")


@pytest.fixture(autouse=True)
def _empty_feed_cache(tmp_path_factory, monkeypatch):
    """Every test sees an empty feed cache of its own, never the user's (~/.cache/analystkit)."""
    monkeypatch.setenv("ANALYSTKIT_CACHE", str(tmp_path_factory.mktemp("feed-cache")))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
