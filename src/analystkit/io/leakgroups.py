"""Leak-site feeds' ``groups.json``: one row per group, with its sites and when they were scraped."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..aliases import display_actor
from ._postfiles import PostsError, load_records

__all__ = ["read_groups"]


def read_groups(path: str | os.PathLike, *, aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read a ransomwatch / ransomware.live ``groups.json``: one row per group.

    Returns columns ``actor`` (canonical), ``group_name``, ``locations`` (number of sites),
    ``available`` (sites up at the last scrape), ``fqdns`` (tuple), ``last_scrape`` (UTC),
    ``parser`` (bool), ``profile`` (tuple of references) and ``meta``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "groups.json"
    >>> _ = tmp.write_text(json.dumps([{"name": "lockbit3", "captcha": False, "parser": True,
    ...     "javascript_render": False, "meta": None, "profile": [], "locations": [
    ...     {"fqdn": "lockbitapt.onion", "title": "LockBit", "version": 3, "slug": "http://x",
    ...      "available": True, "updated": "2023-08-19 10:00:00.0", "lastscrape":
    ...      "2023-08-19 10:00:00.0", "enabled": True}]}]))
    >>> read_groups(tmp)[["actor", "group_name", "locations", "available"]].to_dict("records")
    [{'actor': 'LockBit', 'group_name': 'lockbit3', 'locations': 1, 'available': 1}]
    """
    path = Path(path)
    records = load_records(path)
    rows = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or not rec.get("name"):
            raise PostsError(str(path), i, "name", rec.get("name") if isinstance(rec, dict) else rec,
                             "is missing (every group needs a name)")
        locations = rec.get("locations") or []
        if not isinstance(locations, list):
            raise PostsError(str(path), i, "locations", locations, "is not a list of sites")
        scrapes = [loc.get("lastscrape") for loc in locations if isinstance(loc, dict)]
        stamps = pd.to_datetime(pd.Series([s for s in scrapes if s], dtype=object),
                                format="ISO8601", utc=True, errors="coerce")
        profile = rec.get("profile") or []
        rows.append({
            "actor": display_actor(rec["name"], aliases=aliases),
            "group_name": str(rec["name"]),
            "locations": len(locations),
            "available": sum(bool(loc.get("available")) for loc in locations if isinstance(loc, dict)),
            "fqdns": tuple(str(loc.get("fqdn", "")) for loc in locations if isinstance(loc, dict)),
            "last_scrape": stamps.max() if len(stamps) else pd.NaT,
            "parser": bool(rec.get("parser")),
            "profile": tuple(map(str, profile)) if isinstance(profile, list) else (str(profile),),
            "meta": "" if rec.get("meta") is None else str(rec["meta"]),
        })
    out = pd.DataFrame(rows, columns=["actor", "group_name", "locations", "available", "fqdns",
                                      "last_scrape", "parser", "profile", "meta"])
    out["last_scrape"] = pd.to_datetime(out["last_scrape"], utc=True)
    return out
