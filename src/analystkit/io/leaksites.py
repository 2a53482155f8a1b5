"""Leak-site feeds (ransomwatch, ransomware.live) read into the kit's posts table.

A post is a criminal's claim, written by the criminal: titles arrive truncated (``hammer-poznan.p...``),
HTML-escaped (``&amp;``), redacted (``R*** M***``), as bare domains (``royalmailgroup.com``),
repeated on every re-crawl and mixed with the group's own news. :func:`read_posts` turns a feed
file into one row per distinct (actor, victim, day) claim with the columns of
:data:`analystkit.schema.POSTS_COLUMNS`; the raw title is always kept in ``post_title``.

Work is done once per distinct group name and once per distinct title, then mapped back, so a
feed of a million posts reads in seconds.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..aliases import (
    LEGAL_FORMS,
    canonical_actor,
    data_dir,
    is_domain,
    load_aliases,
    victim_key,
)
from ..schema import POSTS_COLUMNS, show_value

__all__ = ["FEEDS", "PostsError", "is_announcement", "read_groups", "read_posts", "tidy_victim"]

#: Feed names accepted by ``format=``.
FEEDS = ("ransomwatch", "ransomware.live")
_DATE_CHOICES = ("discovered", "published")
# ransomware.live API v2 names its fields differently; they are renamed to the v1 names.
_V2_NAMES = {"victim": "post_title", "group": "group_name", "activity": "sector",
             "domain": "website"}
_OPTIONAL = ("country", "sector", "website")
_LIVE_ONLY = {"published", "website", "country", "activity", "post_url", "description", "victim",
              "group", "screenshot", "infostealer", "attackdate"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")
_TRUNCATED = re.compile(r"\s*(?:\.{3,}|…)\s*$")
_REDACTED = re.compile(r"[*█]{2,}")
_WILDCARD = re.compile(r"^\*\.")
_SCHEME = re.compile(r"^(?:https?://)(?:www\.)?", re.IGNORECASE)
# Decoration that leak sites wrap around a victim's name ("Leaks from company X", "X. Part 2.").
_PREFIX = re.compile(
    r"^(?:(?:new\s+)?leak(?:s|age)?\s+(?:from\s+)?company\s+|new\s+leaks?\s+(?:from\s+)?|"
    r"leak\s+post\s+|full\s+data\s+leak\s+(?:of\s+)?)", re.IGNORECASE)
_SUFFIX = re.compile(
    r"(?:[\s./|,-]*\bpart\s*\d+(?:\s*/\s*\d+)?\.?|\s*[-|/]\s*(?:fully\s+)?leaked|\s+leak(?:ed)?\s+post|"
    r"\s*-\s*(?:hacked\s+and\s+)?more\s+then\s+[\d.,]+\s*[gt]b\s+data\s+leaked|"
    r"\s*/\s*information\s+updated)\s*$", re.IGNORECASE)
_DECORATION = ("leak", "part", "updated", "more then")
# Posts that announce something rather than name a victim.
_ANNOUNCE = re.compile(
    r"^\W*(?:important\s+)?announce(?:ment)?\b|\bannounce\s+(?:of|-)|hello\s+world|"
    r"^(?:news|partnership|for\s+press|faq|rules|contacts?|about\s+us|how\s+to\s+buy|"
    r"\d+\s+b[re]+a?king\s+news)\W*$|our\s+new\s+partner|welcome\s+to\s+(?:our|new)|"
    r"\baffiliate\s+program|\bwe\s+are\s+(?:looking|recruiting|hiring)\b|\bjoin\s+(?:us|our\s+team)\b|"
    r"\brecruit(?:ing|ment)\s+(?:of\s+)?(?:pentesters|affiliates|partners)\b",
    re.IGNORECASE)
# In a lower-case title with single spaces, every match of _ANNOUNCE contains one of these.
_ANNOUNCE_HINT = re.compile(r"announce|hello world|news|partnership|for press|faq|rules|contact|"
                            r"about us|how to buy|our new partner|welcome to |affiliate program|we are |"
                            r"join |recruit")
# Last words of the legal forms that victim_key removes ("pty ltd" -> "ltd").
_LEGAL_WORDS = frozenset(form.split()[-1] for form in LEGAL_FORMS)


@dataclass
class PostsError(ValueError):
    """A feed file that cannot be read; names the file, the record, the field and the value."""

    file: str
    record: int | None
    field: str | None
    value: object
    problem: str

    def __str__(self) -> str:
        where = self.file
        if self.record is not None:
            where += f", record [{self.record}]"
        if self.field is not None:
            where += f", field '{self.field}'"
        value = "" if self.value is None else f"value {show_value(self.value)} "
        return f"{where}: {value}{self.problem}"


@lru_cache(maxsize=8)
def _victim_index(path: str) -> dict[str, str]:
    """``{victim_key or domain: canonical}`` from the victim rows of the alias table."""
    table = load_aliases(path)
    rows = table[table["kind"] == "victim"]
    index = {victim_key(name): canonical for name, canonical in zip(rows["canonical"], rows["canonical"],
                                                               strict=True)}
    for alias, canonical in zip(rows["alias"], rows["canonical"], strict=True):
        index.setdefault(victim_key(alias), canonical)
    return index


def tidy_victim(title: object, *, index: dict[str, str] | None = None) -> tuple[str, str]:
    """The display name and matching key of the victim named by a raw post title.

    Decodes HTML entities, drops control characters, leak-site decoration ("Leaks from company",
    "Part 2") and truncation marks, writes redactions as ``***``, reduces URLs and wildcards to
    their domain and resolves known names and domains through the victim alias table.

    Examples
    --------
    >>> tidy_victim("royalmailgroup.com")
    ('Royal Mail', 'royal mail')
    >>> tidy_victim("Weir &amp; Partners LLP / Part 2")
    ('Weir & Partners LLP', 'weir & partners')
    >>> tidy_victim("hammer-poznan.p...")
    ('hammer-poznan.p', 'hammer-poznan.p')
    """
    index = _victim_index(str(data_dir() / "aliases.csv")) if index is None else index
    text = str(title)
    if "&" in text:
        text = html.unescape(text)
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    truncated = text.endswith((".", "…")) and bool(_TRUNCATED.search(text))
    if truncated:
        text = _TRUNCATED.sub("", text)
    lower = text.lower()
    if any(word in lower for word in _DECORATION):
        text = _SUFFIX.sub("", _PREFIX.sub("", text))
    text = text.strip(" -|/,") or text
    if "://" in text:
        text = _SCHEME.sub("", text).rstrip("/")
    elif text.endswith("/"):
        text = text.rstrip("/")
    if text.startswith("*."):
        text = text[2:]
    if "**" in text or "█" in text:
        text = _REDACTED.sub("***", text)
    if not truncated and is_domain(text):
        domain = text.lower().removeprefix("www.")
        found = index.get(domain) or index.get(victim_key(domain))
        return (found, victim_key(found)) if found else (domain, domain)
    key = victim_key(text)
    found = index.get(key)
    return (found, victim_key(found)) if found else (text, key)


def _tidy_many(titles: list[str], index: dict[str, str]) -> tuple[list[str], list[str], np.ndarray]:
    """:func:`tidy_victim` and the announcement flag of many titles, the same for every title.

    Titles that are printable ASCII with single spaces once entities are decoded take a short
    path of string methods (truncation dots, domains and the alias index handled as
    :func:`tidy_victim` does); the rest go through :func:`tidy_victim`. Only titles holding a
    word of ``_ANNOUNCE_HINT`` (or not plain ASCII) are searched for announcements.
    """
    victims, keys, lows = [], [], []
    for t in titles:
        victim, key = _tidy_plain(t, index) or tidy_victim(t, index=index)
        victims.append(victim)
        keys.append(key)
        lows.append(t.lower() if t.isascii() and t.isprintable() and "  " not in t else None)
    check = np.array([low is None for low in lows], dtype=bool)
    lows = ["" if low is None else low for low in lows]
    starts = np.cumsum([0] + [len(low) + 1 for low in lows[:-1]])
    hits = np.fromiter((m.start() for m in _ANNOUNCE_HINT.finditer("\n".join(lows))), dtype=np.int64)
    check[np.searchsorted(starts, hits, side="right") - 1] = True
    flags = np.zeros(len(titles), dtype=bool)
    for i in np.flatnonzero(check).tolist():
        flags[i] = bool(_ANNOUNCE.search(titles[i]))
    return victims, keys, flags


def _tidy_plain(title: str, index: dict[str, str]) -> tuple[str, str] | None:
    """:func:`tidy_victim` for a title that needs no regular expression, else None."""
    text = title
    if "&" in text:
        text = html.unescape(text)
        if html.unescape(text) != text:
            return None
    if not (text.isascii() and text.isprintable()) or "/" in text or "*" in text or "  " in text:
        return None
    truncated = text.endswith("...")
    if truncated:
        text = text.rstrip(".").rstrip(" ")
    elif text.endswith(".."):
        return None
    low = text.lower()
    if not text or text != text.strip(" -|,"):
        return None
    if ("leak" in low or "part" in low or "updated" in low or "more then" in low) and (
            _SUFFIX.sub("", _PREFIX.sub("", text)) != text):
        return None
    if not truncated and " " not in text and "." in text and is_domain(text):
        name = low.removeprefix("www.")
        found = index.get(name)
        return (found, victim_key(found)) if found else (name, name)
    if low[-1] in " ,." or low[0] in " ,." or low[max(low.rfind(" "), low.rfind(",")) + 1:] in _LEGAL_WORDS:
        low = victim_key(text)
    found = index.get(low)
    return (found, victim_key(found)) if found else (text, low)


def is_announcement(title: object) -> bool:
    """True for a post that is the group's own news rather than a victim.

    >>> is_announcement("Announcement. ReviLives."), is_announcement("Finite Recruitment")
    (True, False)
    """
    return bool(_ANNOUNCE.search(html.unescape(str(title))))


def _load_json(path: Path) -> list:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PostsError(str(path), _failing_record(text), None, None,
                         f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                         "(is the file truncated?)") from exc
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise PostsError(str(path), None, None, None,
                             "holds a JSON object; expected an array of posts")
        data = data[lists[0]]
    if not isinstance(data, list):
        raise PostsError(str(path), None, None, None, "expected a JSON array of posts")
    return data


def _failing_record(text: str) -> int | None:
    """Index of the first array element that does not parse (for the error message)."""
    decoder = json.JSONDecoder()
    pos = text.find("[")
    if pos < 0:
        return None
    pos, index = pos + 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return index
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return index
        index += 1


def _columns_from_json(records: list, path: Path) -> tuple[dict[str, list], set[str]]:
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise PostsError(str(path), i, None, rec, "is not a JSON object (expected one post)")
    fields: set[str] = set()
    for rec in records[:1000]:
        fields.update(rec)
    if "victim" in fields and "post_title" not in fields:
        records = [{_V2_NAMES.get(k, k): v for k, v in rec.items()} for rec in records]
        fields = {_V2_NAMES.get(k, k) for k in fields}
    elif "activity" in fields:
        fields = (fields - {"activity"}) | {"sector"}
        records = [{("sector" if k == "activity" else k): v for k, v in rec.items()}
                   for rec in records]
    wanted = ("post_title", "group_name", "discovered", "published", *_OPTIONAL)
    return {name: [rec.get(name) for rec in records] for name in wanted if name in fields}, fields


def _columns_from_csv(path: Path) -> tuple[dict[str, list], set[str]]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PostsError(str(path), None, None, None, f"is not a readable CSV file: {exc}") from exc
    frame = frame.rename(columns={**_V2_NAMES, "activity": "sector"})
    wanted = ("post_title", "group_name", "discovered", "published", *_OPTIONAL)
    cols = {name: frame[name].tolist() for name in wanted if name in frame.columns}
    return cols, set(frame.columns)


def _detect(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip()
    if not head:
        raise PostsError(str(path), None, None, None, "is empty (expected a JSON array or CSV)")
    return "json" if head[:1] in (b"[", b"{") else "csv"


def read_posts(path: str | os.PathLike, *, format: str | None = None, date: str | None = None,
               domains: dict[str, str] | None = None,
               aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read a ransomwatch or ransomware.live posts file into the kit's posts table.

    Parameters
    ----------
    path : a ransomwatch ``posts.json``, a ransomware.live ``posts.json`` / ``victims.json``
        (API v1 or v2 field names) or a ransomware.live CSV export.
    format : ``'ransomwatch'`` or ``'ransomware.live'``; detected from the fields when None.
    date : which feed date becomes the event ``date``: ``'discovered'`` (crawl time) or
        ``'published'`` (the group's own post date, ransomware.live only). None takes
        ``discovered`` when it is the only date in the file and refuses to guess when the file
        has both.
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
        For truncated JSON, a record without a required field, an unparseable date or an
        ambiguous date choice, naming the file, record index, field and value.

    Examples
    --------
    >>> posts = read_posts(DATA / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> row = posts[posts["victim"] == "Royal Mail"].iloc[0]
    >>> row["actor"], row["group_name"], row["post_title"], str(row["date"])
    ('LockBit', 'lockbit3', 'royalmailgroup.com', '2023-02-07 05:11:14.822203+00:00')
    """
    path = Path(path)
    if format is not None and format not in FEEDS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FEEDS)}")
    if date is not None and date not in _DATE_CHOICES:
        raise ValueError(f"unknown date {date!r}; expected 'discovered' or 'published'")
    if not path.is_file():
        raise FileNotFoundError(f"posts file not found: {path}")
    if _detect(path) == "json":
        cols, fields = _columns_from_json(_load_json(path), path)
        first_row = 0
    else:
        cols, fields = _columns_from_csv(path)
        first_row = 2  # CSV records are reported by their line number
    feed = format or ("ransomware.live" if fields & _LIVE_ONLY else "ransomwatch")
    date_field = _choose_date(path, feed, fields, date)
    for name in ("post_title", "group_name", date_field):
        if name not in cols:
            raise PostsError(str(path), None, name, None,
                             f"is missing from every record (found fields: {', '.join(sorted(fields))})")
        bad = next((i for i, v in enumerate(cols[name]) if v is None or (v == "" and name != "post_title")),
                   None)
        if bad is not None:
            raise PostsError(str(path), bad + first_row, name, cols[name][bad],
                             "is missing or empty (every post needs a group, a title and a date)")
    n = len(cols["post_title"])
    frame = pd.DataFrame({
        "raw_date": cols[date_field],
        "group_name": pd.Series(cols["group_name"], dtype=object).astype(str),
        "post_title": pd.Series(cols["post_title"], dtype=object).astype(str),
        **{name: pd.Series(cols[name], dtype=object).fillna("").astype(str).str.strip()
           if name in cols else np.full(n, "", dtype=object) for name in _OPTIONAL},
    })
    frame["date"] = _parse_dates(frame["raw_date"], path, date_field, first_row)
    frame["feed"] = feed
    return _finish(frame, domains=domains, aliases=aliases)


def _choose_date(path: Path, feed: str, fields: set[str], date: str | None) -> str:
    if feed == "ransomwatch":
        if date == "published":
            raise PostsError(str(path), None, "published", None,
                             "is not a ransomwatch field: ransomwatch posts carry only 'discovered'")
        return "discovered"
    has = [name for name in _DATE_CHOICES if name in fields]
    if date is None:
        if len(has) == 2:
            raise PostsError(str(path), None, "date", None,
                             "is ambiguous: this ransomware.live file has both 'discovered' (crawl "
                             "time) and 'published' (the group's post date); pass "
                             "date='discovered' or date='published'")
        if not has:
            raise PostsError(str(path), None, "discovered", None, "is missing from every record")
        return has[0]
    if date not in fields:
        raise PostsError(str(path), None, date, None,
                         f"is not in this file (its dates: {', '.join(has) or 'none'})")
    return date


def _parse_dates(raw: pd.Series, path: Path, field: str, first_row: int) -> pd.Series:
    parsed = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
    bad = parsed.isna()
    if bad.any():  # padded or non-string values: parse those again from their stripped text
        again = pd.to_datetime(raw[bad].astype(str).str.strip(), format="ISO8601", utc=True,
                               errors="coerce")
        parsed = parsed.where(~bad, again)
        bad = parsed.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise PostsError(str(path), i + first_row, field, raw.iat[i],
                         "is not a date (expected e.g. '2023-02-07 05:11:14.822203')")
    return parsed.astype("datetime64[ns, UTC]")


def _finish(frame: pd.DataFrame, *, domains: dict[str, str] | None,
            aliases: str | os.PathLike | None) -> pd.DataFrame:
    alias_path = str(Path(aliases) if aliases else data_dir() / "aliases.csv")
    index = dict(_victim_index(alias_path))
    index.update({k.lower(): v for k, v in (domains or {}).items()})
    group_code, groups = pd.factorize(frame["group_name"])
    actor_code, actors = pd.factorize(np.array([canonical_actor(g, aliases=aliases) for g in groups],
                                               dtype=object))
    actor_code = actor_code[group_code]
    title_code, titles = pd.factorize(frame["post_title"])
    victims, keys, announce = _tidy_many(titles.tolist(), index)
    key_code, key_names = pd.factorize(np.array(keys, dtype=object))
    key_code = key_code[title_code]
    # one row per (actor, victim key, UTC day), numbered in order of first post (oldest first)
    stamp = frame["date"].array.asi8
    order = np.argsort(stamp, kind="stable")
    day = stamp[order] // (86_400 * 10**9)
    day -= day.min()
    combo = (actor_code[order].astype(np.int64) * len(key_names) + key_code[order]) * (day.max() + 1) + day
    claim, _ = pd.factorize(combo)
    _, first = np.unique(claim, return_index=True)
    rows = order[first]
    out = pd.DataFrame({
        "date": frame["date"].take(rows).reset_index(drop=True),
        "actor": np.asarray(actors, dtype=object)[actor_code[rows]],
        "victim": np.array(victims, dtype=object)[title_code[rows]],
        "victim_key": np.asarray(key_names, dtype=object)[key_code[rows]],
        "count": np.bincount(claim).astype("int64"),
        "announcement": announce[title_code[rows]]})
    for name in ("group_name", "post_title", "feed"):
        out[name] = frame[name].to_numpy(dtype=object)[rows]
    for name in _OPTIONAL:  # first non-empty value of the collapsed posts
        values = frame[name].to_numpy(dtype=object)[order]
        filled = np.flatnonzero(values != "")
        best = np.full(len(first), "", dtype=object)
        if len(filled):
            got, at = np.unique(claim[filled], return_index=True)
            best[got] = values[filled[at]]
        out[name] = best
    # oldest first; posts at the same instant by actor, then victim key
    tie = out["date"].duplicated(keep=False).to_numpy()
    if tie.any():  # rows of one instant are contiguous: reorder them among themselves
        perm = np.arange(len(out))
        at = np.flatnonzero(tie)
        perm[at] = out.iloc[at].sort_values(["date", "actor", "victim_key"], kind="mergesort").index
        out = out.take(perm)
    return out[list(POSTS_COLUMNS)].reset_index(drop=True)


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
    records = _load_json(path)
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
            "actor": canonical_actor(rec["name"], aliases=aliases),
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
