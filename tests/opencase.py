"""Test helper: a case still open at its as-of date (a library rebuilding its systems a year on).

Day 0 is 28 Oct 2023, the as-of date 7 Mar 2025, and the main disruption is ``ongoing``: no
output of the kit may call this incident restored. A shorter website outage is closed, and a
read-only catalogue coming back is a partial recovery step, not full restoration.
"""

from __future__ import annotations

import json
from pathlib import Path

from casefiles import EVENTS_HEADER, write_case

OPEN_DAYS = 496  # 28 Oct 2023 → 7 Mar 2025

_ROWS = [
    "{p}-001,{inc},2023-10-28,,true,day,,disruption,Catalogue and reading rooms down,"
    "Most systems encrypted,Rhysida,Example Library,confirmed,lib-notice,clear,,",
    "{p}-002,{inc},2023-10-28,2023-12-10,false,day,day,disruption,Website offline,,,"
    "Example Library,confirmed,lib-notice,clear,,",
    "{p}-003,{inc},2023-10-31,,false,day,,disclosure,Library announces a technology outage,,,"
    "Example Library,confirmed,lib-notice,clear,,",
    "{p}-004,{inc},2023-11-20,,false,day,,extortion,Leak site lists the library,,Rhysida,"
    "Example Library,claimed,lib-notice,clear,,",
    "{p}-005,{inc},2024-01-15,,false,day,,recovery,Read-only catalogue back online,,,"
    "Example Library,reported,lib-notice,clear,,",
]
_SOURCES = ("source_id,name,url,published,reliability,tlp\n"
            "lib-notice,Example Library notice,https://library.example/notice,2023-10-31,B,clear\n")


def write_open_case(folder: Path, *, incident: str = "library-2023", prefix: str = "lib",
                    day0: str = "2023-10-28", as_of: str = "2025-03-07",
                    title: str = "Example Library ransomware attack (2023)") -> Path:
    """Write the open library case into ``folder`` (its ids start with ``prefix``)."""
    rows = [r.format(p=prefix, inc=incident) for r in _ROWS]
    meta = {"as_of": as_of, "day0": day0, "incident": incident, "summary": "Still rebuilding.",
            "title": title, "tlp": "clear"}
    return write_case(folder, events="\n".join([EVENTS_HEADER, *rows]) + "\n", sources=_SOURCES,
                      meta=json.dumps(meta, indent=2) + "\n")


def restoration_claims(text: str) -> list[str]:
    """Every place ``text`` claims restoration: "restored" without a "not" just before it, and
    the closed wordings ("Full restoration · day N", "fully restored day N")."""
    import re

    out = []
    for m in re.finditer(r"restored", text, flags=re.IGNORECASE):
        before = text[max(0, m.start() - 12):m.start()].lower()
        if "not" not in before:
            out.append(text[max(0, m.start() - 30):m.end() + 30])
    out += re.findall(r"full restoration · day \d+", text, flags=re.IGNORECASE)
    return out
