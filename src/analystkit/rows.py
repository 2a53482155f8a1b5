"""New rows for a case: the next free id in the case's own style, and the source of a fact.

The event form and the importers add rows one way: an id continues the case's own numbering
(``rm-058`` after ``rm-057``, ``ev-001`` in a case with none), and a source named by a name and a
URL is the case's row with that URL when there is one (a name alone: the row with that name and
no URL), else a new row whose id is made from the name.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from .schema.validation import slug_id

__all__ = ["id_prefix", "next_id", "source_for"]


def id_prefix(ids: pd.Series | list[str], default: str = "ev") -> str:
    """The prefix most of ``ids`` share before their number (``rm`` for ``rm-001``), else ``default``.

    >>> id_prefix(["rm-001", "rm-002", "lb-001"]), id_prefix([])
    ('rm', 'ev')
    """
    found = Counter(m.group(1) for v in ids if (m := re.fullmatch(r"(.+?)-\d+", str(v))))
    return found.most_common(1)[0][0] if found else default


def next_id(existing: pd.Series | list[str], prefix: str) -> str:
    """The first id ``PREFIX-NNN`` after every such id in ``existing``.

    >>> next_id(["rm-001", "rm-009"], "rm"), next_id([], "ev")
    ('rm-010', 'ev-001')
    """
    used = set(existing)
    numbers = [int(m.group(1)) for v in used if (m := re.fullmatch(rf"{re.escape(prefix)}-(\d+)", str(v)))]
    n = max(numbers, default=0) + 1
    while f"{prefix}-{n:03d}" in used:
        n += 1
    return f"{prefix}-{n:03d}"


def source_for(sources: pd.DataFrame, name: str, url: str, *, tlp: str, published: str = "",
               reliability: str = "") -> tuple[pd.DataFrame, str, bool]:
    """The sources table holding the source named by ``name`` / ``url``, its id, and whether it
    is new. An empty name and URL give ``""`` and no row.

    >>> table = pd.DataFrame({"source_id": ["bbc-1"], "name": ["BBC"], "url": ["https://bbc.co.uk/x"],
    ...                       "published": [""], "reliability": [""], "tlp": ["clear"]})
    >>> source_for(table, "BBC News", "https://bbc.co.uk/x", tlp="clear")[1:]
    ('bbc-1', False)
    >>> table, sid, new = source_for(table, "The Record", "https://therecord.media/y", tlp="clear")
    >>> sid, new, len(table)
    ('the-record-001', True, 2)
    """
    name, url = name.strip(), url.strip()
    if not (name or url):
        return sources, "", False
    if url:
        match = sources[sources["url"].eq(url)]
    else:
        match = sources[sources["name"].eq(name) & sources["url"].fillna("").eq("")]
    if len(match):
        return sources, str(match.iloc[0]["source_id"]), False
    source_id = next_id(sources["source_id"], slug_id(name or _host(url), prefix="source", max_len=24))
    row = {"source_id": source_id, "name": name or _host(url), "url": url, "published": published,
           "reliability": reliability, "tlp": tlp}
    return pd.concat([sources, pd.DataFrame([row])], ignore_index=True), source_id, True


def _host(url: str) -> str:
    return re.sub(r"^[a-z]+://(?:www\.)?", "", url, flags=re.IGNORECASE).split("/", 1)[0] or url
