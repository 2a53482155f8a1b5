"""Readers and writers for outside formats, one module each.

``leaksites`` (ransomwatch / ransomware.live posts), ``claims`` (those posts as a case's
relations), ``graphfiles`` (GraphML, GEXF, node-link JSON), ``stix`` (STIX 2.1 bundles) and
``misp`` (MISP event JSON and multi-event exports), ``galaxy`` (MISP galaxy clusters, to
entities and aliases). ``detect`` tells which of them a file is for, and ``importing`` reads any
of them into a new or an existing case with a report of what was kept and left out. ``feeds``
pulls a feed's current posts into a local cache of dated snapshots (over ``download``). Each
reader returns the kit's validated tables; nothing downstream needs to know where a row came
from.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._common import ImportFormatError, SkippedObjectsWarning
from ._markings import MarkingWarning

__all__ = ["ImportFormatError", "MarkingWarning", "SkippedObjectsWarning", "claims", "detect",
           "download", "feeds", "galaxy", "graphfiles", "importing", "leaksites", "misp", "stix"]
_READERS = {"claims", "detect", "download", "feeds", "galaxy", "graphfiles", "importing", "leaksites",
            "misp", "stix"}


def __getattr__(name: str) -> ModuleType:
    if name in _READERS:
        return importlib.import_module(f"analystkit.io.{name}")
    raise AttributeError(f"module 'analystkit.io' has no attribute {name!r}")
