"""Leak-site feeds (ransomwatch, ransomware.live) read into the kit's posts table.

A post is a criminal's claim, written by the criminal: titles arrive truncated (``hammer-poznan.p...``),
HTML-escaped (``&amp;``), redacted (``R*** M***``), as bare domains (``royalmailgroup.com``),
repeated on every re-crawl and mixed with the group's own news. :func:`read_posts` turns a feed
file into one row per distinct (actor, victim, day) claim with the columns of
:data:`analystkit.schema.POSTS_COLUMNS`; the raw title is always kept in ``post_title``.

Work is done once per distinct group name and title, then mapped back (``_titles.tidy_titles``
agrees with :func:`tidy_victim` and :func:`is_announcement`), so a million posts read in seconds.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._gc import paused_gc
from ..aliases import display_actor
from ..arrays import sorted_unique
from ..resources import data_dir
from ..schema import POST_DATES, POSTS_COLUMNS
from ..tables import UnreadableFileError, regular_file_problem
from ._common import tame_column
from ._postfiles import (
    FIELD_WORDS,
    OPTIONAL,
    PostsError,
    columns_from_csv,
    columns_from_records,
    detect,
    load_records,
)
from ._titles import (
    ANNOUNCEMENT_RULES,
    DECORATION_RULES,
    ends_cut,
    is_announcement,
    tidy_titles,
    tidy_victim,
    victim_index,
)
from .feeds import snapshot_columns
from .leakgroups import read_groups

__all__ = ["ANNOUNCEMENT_RULES", "DECORATION_RULES", "FEEDS", "PostsError", "collapse_posts",
           "empty_posts", "is_announcement", "parse_dates", "read_groups", "read_posts", "tidy_victim"]

#: Feed names accepted by ``format=``.
FEEDS = ("ransomwatch", "ransomware.live", "ransomlook")
_CRAWL_ONLY = ("ransomwatch", "ransomlook")  # feeds whose only date is the crawler's
# dtypes of the posts table when a feed holds no post
_EMPTY = {name: "object" for name in POSTS_COLUMNS} | {"date": "datetime64[ns, UTC]", "count": "int64",
                                                        "announcement": "bool"}
# field names only RansomLook's posts use (its post link, screenshot and torrent)
_RANSOMLOOK_ONLY = {"link", "screen", "magnet"}
# field names only ransomware.live (v1 or v2) uses
_LIVE_ONLY = {"published", "website", "country", "activity", "post_url", "description", "group",
              "screenshot", "infostealer", "attackdate", "domain"}


def empty_posts() -> pd.DataFrame:
    """A posts table with no rows and the columns and dtypes of a full one.

    >>> empty_posts().dtypes["date"], list(empty_posts().columns) == list(POSTS_COLUMNS)
    (datetime64[ns, UTC], True)
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _EMPTY.items()})


def _feed_name(fields: set[str]) -> str:
    """Which feed wrote a file, from its field names; ``table`` for any other table of posts."""
    if fields & _RANSOMLOOK_ONLY and "group_name" in fields:
        return "ransomlook"
    if fields & _LIVE_ONLY:
        return "ransomware.live"
    return "ransomwatch" if {"group_name", "post_title"} <= fields else "table"


def read_posts(path: str | os.PathLike, *, format: str | None = None, date: str | None = None,
               domains: dict[str, str] | None = None,
               aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read a ransomwatch or ransomware.live posts file into the kit's posts table.

    Parameters
    ----------
    path : a ransomwatch ``posts.json``, a ransomware.live ``posts.json`` / ``victims.json``
        (API v1 or v2 field names), a ransomware.live CSV export, RansomLook posts (JSON), any
        table of claims, or a folder of snapshots written by :func:`analystkit.io.feeds.pull_feed`
        (each post read once, from the newest snapshot that holds it).
    format : one of :data:`FEEDS`; detected from the fields when None.
    date : which feed date becomes the event ``date`` (:data:`analystkit.schema.POST_DATES`):
        ``'discovered'`` (crawl time), ``'published'`` (the group's own post date) or
        ``'attackdate'`` (the attack date the group states, ransomware.live v2). None takes the
        file's one date and refuses to guess when it has several.
    domains : extra ``{domain: organisation}`` pairs (e.g. from a case's entities table).
    aliases : alias table to use instead of ``data/aliases.csv``.

    Returns
    -------
    DataFrame
        Columns :data:`analystkit.schema.POSTS_COLUMNS`, one row per (actor, victim key, UTC
        day), oldest first; ``count`` says how many raw posts were collapsed into the row.

    Raises
    ------
    PostsError
        For truncated JSON, a CSV row with the wrong number of fields, a record without a
        required field, an unparseable date or an ambiguous date choice, naming the file, record
        index (CSV: line), field and value.
    UnreadableFileError
        For a folder or named pipe, and for text in neither UTF-8 nor (JSON only) UTF-16 or
        UTF-32: a Windows-1252 file is named as such, not read with replacement characters.

    Examples
    --------
    >>> posts = read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> row = posts[posts["victim"] == "Royal Mail"].iloc[0]
    >>> row["actor"], row["group_name"], row["post_title"], str(row["date"])
    ('LockBit', 'lockbit3', 'royalmailgroup.com', '2023-02-07 05:11:14.822203+00:00')
    """
    path = Path(path)
    if format is not None and format not in FEEDS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FEEDS)}")
    if date is not None and date not in POST_DATES:
        raise ValueError(f"unknown date {date!r}; expected one of {', '.join(POST_DATES)}")
    why = None if path.is_dir() else regular_file_problem(path)
    if why == "does not exist":
        raise FileNotFoundError(2, "no such posts file", str(path))
    if why is not None:
        raise UnreadableFileError(path, f"{why}; name a posts file")
    got = _columns(path)
    if got is None:
        return empty_posts()
    cols, fields, pulled, first_row = got
    feed = format or pulled or _feed_name(fields)
    date_field = _choose_date(path, feed, set(cols), date)
    # the feed's strings tamed at the door; the date is parsed, never shown but through show_value
    cols = {k: v if k == date_field else tame_column(k, v) for k, v in cols.items()}
    for name in ("post_title", "group_name", date_field):
        if name not in cols:
            raise PostsError(str(path), None, name, None,
                             f"is missing from every record (found fields: {', '.join(sorted(fields))}; "
                             f"read as {name}: {', '.join(FIELD_WORDS[name])})")
        bad = _first_missing(cols[name], empty_ok=name == "post_title")
        if bad is not None:
            raise PostsError(str(path), bad + first_row, name, cols[name][bad],
                             "is missing or empty (every post needs a group, a title and a date)")
    dates = parse_dates(pd.Series(_objects(cols[date_field]), copy=False), str(path), date_field,
                        first_row)
    out = collapse_posts(cols, dates, feed, domains=domains, aliases=aliases)
    out.attrs["date"] = date_field  # what "date" means: the crawler's or the group's (see the charts)
    return out


def _columns(path: Path) -> tuple[dict[str, list], set[str], str | None, int] | None:
    """The post fields of a posts file or snapshot folder as columns, every field name, the feed
    a snapshot folder names, and the number of the first record; None for an empty feed."""
    if path.is_dir():  # a feed's snapshots (feeds.pull_feed), each post once
        cols, fields, pulled = snapshot_columns(path)
        return (cols, fields, pulled if pulled in FEEDS else None, 0) if cols else None
    if detect(path) == "json":
        with paused_gc():  # a million small dicts, none of them in a cycle
            records = load_records(path)
            if not records:
                return None
            cols, fields = columns_from_records(records, path)
        return cols, fields, None, 0
    cols, fields = columns_from_csv(path)
    return cols, fields, None, 2  # CSV records are reported by their line number


def _first_missing(values: list, *, empty_ok: bool) -> int | None:
    """Index of the first None (or, unless ``empty_ok``, empty string) in ``values``."""
    found = [values.index(v) for v in ((None,) if empty_ok else (None, "")) if v in values]
    return min(found) if found else None


def _choose_date(path: Path, feed: str, fields: set[str], date: str | None) -> str:
    if feed in _CRAWL_ONLY:
        if date not in (None, "discovered"):
            raise PostsError(str(path), None, date, None,
                             f"is not a {feed} field: {feed} posts carry only 'discovered'")
        return "discovered"
    has = [name for name in POST_DATES if name in fields]
    if date is None:
        if len(has) > 1:
            raise PostsError(str(path), None, "date", None,
                             f"is ambiguous: this {feed} file has {_said(has)}; pass "
                             + " or ".join(f"date={name!r}" for name in has))
        if not has:
            raise PostsError(str(path), None, "discovered", None, "is missing from every record")
        return has[0]
    if date not in fields:
        raise PostsError(str(path), None, date, None,
                         f"is not in this file (its dates: {', '.join(has) or 'none'})")
    return date


def _said(dates: list[str]) -> str:
    """The dates of a file, each with what it means."""
    return ", ".join(f"{name!r} ({POST_DATES[name]})" for name in dates)


def parse_dates(raw: pd.Series, path: str, field: str, first_row: int) -> pd.Series:
    """UTC timestamps of a date column; the first value that is none names its record (counted
    from ``first_row``)."""
    parsed = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
    bad = parsed.isna()
    if bad.any():  # padded or non-string values: parse those again from their stripped text
        again = pd.to_datetime(raw[bad].astype(str).str.strip(), format="ISO8601", utc=True,
                               errors="coerce")
        parsed = parsed.where(~bad, again)
        bad = parsed.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise PostsError(path, i + first_row, field, raw.iat[i],
                         "is not a date (expected e.g. '2023-02-07 05:11:14.822203')")
    return parsed.astype("datetime64[ns, UTC]")


def collapse_posts(cols: dict[str, list], dates: pd.Series, feed: str, *,
                   domains: dict[str, str] | None = None,
                   aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per (actor, victim key, UTC day) of the posts in ``cols`` (``group_name``,
    ``post_title`` and any of the optional fields, each a list), oldest first."""
    if not len(dates):
        return empty_posts()
    alias_path = str(Path(aliases) if aliases else data_dir() / "aliases.csv")
    index = dict(victim_index(alias_path))
    index.update({k.lower(): v for k, v in (domains or {}).items()})
    group_code, groups = _factorize_text(cols["group_name"])
    actor_code, actors = pd.factorize(np.array([display_actor(g, aliases=aliases) for g in groups],
                                               dtype=object))
    actor_code = actor_code[group_code]
    title_code, titles = _factorize_text(cols["post_title"])
    victims, keys, announce = tidy_titles(titles.tolist(), index=index)
    key_code, key_names = pd.factorize(_objects(keys))
    key_code = key_code[title_code]
    shown = _objects(victims)[title_code]
    cut = ends_cut(victims)[title_code]
    key_code, shown = _completed(actor_code, key_code, key_names, shown, cut)
    # one claim per (actor, victim key, UTC day), numbered in order of first post (oldest first)
    stamp = dates.array.asi8
    order = np.argsort(stamp, kind="stable")
    day = stamp[order] // (86_400 * 10**9)
    day -= day.min()
    combo = (actor_code[order].astype(np.int64) * len(key_names) + key_code[order]) * (day.max() + 1) + day
    claim, _ = pd.factorize(combo)
    _, first = np.unique(claim, return_index=True)
    rows = order[first]
    # oldest first; claims made at the same instant by actor, then victim key
    by = _tie_order(stamp[rows], actors[actor_code[rows]], key_names, key_code[rows])
    rows = rows[by]
    columns = {
        "date": dates.take(rows).array,
        "actor": actors.astype(object)[actor_code[rows]],
        "group_name": groups.astype(object)[group_code[rows]],
        "victim": shown[rows],
        "victim_key": key_names.astype(object)[key_code[rows]],
        "post_title": titles.astype(object)[title_code[rows]],
        "count": np.bincount(claim)[by].astype("int64"),
        "announcement": announce[title_code[rows]],
        "feed": np.full(len(rows), feed, dtype=object)}
    for name in OPTIONAL:  # first non-empty value of the collapsed posts
        best = np.full(len(first), "", dtype=object)
        if name in cols:
            values = pd.Series(_objects(cols[name])).fillna("").astype(str).str.strip().to_numpy()[order]
            filled = np.flatnonzero(values != "")
            if len(filled):
                got, at = np.unique(claim[filled], return_index=True)
                best[got] = values[filled[at]]
        columns[name] = best[by]
    return pd.DataFrame({name: columns[name] for name in POSTS_COLUMNS}, copy=False)


_MIN_STEM = 5  # "www.nov…" says too little to be completed as novotech.com


def _completed(actor_code: np.ndarray, key_code: np.ndarray, key_names: np.ndarray,
               shown: np.ndarray, cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posts whose name the site cut short ("www.continental…") joined to the one complete name
    of the same actor's posts that starts the same way; left as they are when there are none or
    several, or when fewer than five letters were kept. ``cut`` marks the posts cut short."""
    if not cut.any():
        return key_code, shown
    names = key_names.astype(object)
    n = len(names)
    pair = actor_code.astype(np.int64) * n + key_code
    stub_pairs = sorted_unique(pair[cut])
    whole = sorted_unique(pair[~cut])  # grouped by actor: each actor's complete names in one run
    bounds = np.searchsorted(whole, np.arange(int(actor_code.max()) + 2, dtype=np.int64) * n)
    complete: dict[int, list[str]] = {}
    stubs, into = [], []
    for p in stub_pairs.tolist():
        actor, stem = p // n, names[p % n]
        if len(stem) < _MIN_STEM:
            continue
        if actor not in complete:  # sorted once per actor, in C
            complete[actor] = sorted(names[whole[bounds[actor]:bounds[actor + 1]] % n].tolist())
        found = complete[actor]
        at = bisect.bisect_left(found, stem)  # the names starting with the stem follow it
        longer = [t for t in found[at:at + 3] if t.startswith(stem) and t != stem]
        if len(longer) == 1:
            stubs.append(p)
            into.append(longer[0])
    if not stubs:
        return key_code, shown
    stub_pairs, new_codes = np.array(stubs, dtype=np.int64), pd.Index(names).get_indexer(into)
    at = np.searchsorted(stub_pairs, pair).clip(max=len(stub_pairs) - 1)
    hit = cut & (stub_pairs[at] == pair)
    targets = np.isin(key_code, new_codes) & ~cut  # a complete post of each name joined to
    codes, first = np.unique(key_code[targets], return_index=True)
    first_shown = dict(zip(codes.tolist(), shown[targets][first].tolist(), strict=True))
    key_code, shown = key_code.copy(), shown.copy()
    key_code[hit] = new_codes[at[hit]]
    shown[hit] = [first_shown[c] for c in key_code[hit].tolist()]
    return key_code, shown


def _factorize_text(values: list) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of a feed column, every value made a string."""
    array = _objects(values)
    if pd.api.types.infer_dtype(array, skipna=False) != "string":
        array = pd.Series(array).astype(str).to_numpy(dtype=object)
    return pd.factorize(array)


def _objects(values: list) -> np.ndarray:
    """A list as a 1-D object array (items that are lists or dicts stay whole)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _tie_order(stamp: np.ndarray, actors: np.ndarray, key_names: np.ndarray,
               key_code: np.ndarray) -> np.ndarray:
    """Order of date-sorted claims with the claims of one instant sorted by actor, then key."""
    by = np.arange(len(stamp))
    same = stamp[1:] == stamp[:-1]
    tie = np.flatnonzero(np.append(same, False) | np.insert(same, 0, False))
    if len(tie):  # claims of one instant are contiguous: reorder them among themselves
        ties = pd.DataFrame({"stamp": stamp[tie], "actor": actors[tie], "key": key_names[key_code[tie]]})
        by[tie] = tie[ties.sort_values(["stamp", "actor", "key"], kind="mergesort").index]
    return by
