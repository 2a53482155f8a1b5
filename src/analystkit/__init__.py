"""analystkit: actor → victim graphs and disruption timelines for CTI notebooks.

Importing the package has no side effects: it sets no matplotlib or pandas option and imports
no Jupyter machinery. Plotting, export and widget modules load on first use
(``analystkit.plot``, ``analystkit.export``, ``analystkit.widgets``, ...).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .aliases import canonical_actor, canonical_victim
from .case import Case, load_case
from .schema import ValidationError, validate

__all__ = [
    "Case",
    "ValidationError",
    "__version__",
    "canonical_actor",
    "canonical_victim",
    "load_case",
    "validate",
]

# Submodules loaded on first attribute access, and top-level names that live in them.
_SUBMODULES = {"aliases", "case", "cli", "display", "export", "extract", "files", "filters", "graph", "io",
               "newcase", "plot", "schema", "text", "theme", "times", "timeline", "ui", "widgets"}
_LAZY_NAMES = {
    "read_posts": "analystkit.io.leaksites",
    "actor_victim_graph": "analystkit.graph",
    "new_case": "analystkit.newcase",
    "show": "analystkit.display",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"analystkit.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'analystkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY_NAMES))
