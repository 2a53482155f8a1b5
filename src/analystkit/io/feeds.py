"""Today's leak-site posts, on request: ``pull_feed`` keeps dated snapshots of a feed in a cache.

A snapshot is one download of one feed, stored as a Parquet file named by its UTC time,
``CACHE/feeds/NAME/2026-12-04T211530.123456Z.parquet``: the feed's own records, every field kept (text
as text; nested values as JSON text), with the address, time, validators and a SHA-256 of the
body in the file's metadata. ``read_posts(CACHE/feeds/NAME)`` reads the folder with each post
once (:func:`snapshot_columns`). Nothing is downloaded unless :func:`pull_feed` (``analystkit
feeds pull``) is called; the addresses below are where each feed publishes, and ``url=`` points
a feed elsewhere (a mirror, a local copy served for tests).

The cache is ``$ANALYSTKIT_CACHE``, else ``$XDG_CACHE_HOME/analystkit``, else
``~/.cache/analystkit``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._postfiles import PostsError, columns_from_records, load_records, standard_fields
from .download import DownloadError, Fetched, fetch

__all__ = ["FEED_SOURCES", "DownloadError", "FeedError", "Pull", "Snapshot", "default_cache",
           "latest_snapshot", "posts_source", "pull_feed", "snapshot_columns", "snapshots"]

#: Where each feed publishes its posts (``url=`` / ``--url`` points a feed elsewhere).
FEED_SOURCES = {
    "ransomwatch": "https://raw.githubusercontent.com/joshhighet/ransomwatch/main/posts.json",
    "ransomware.live": "https://api.ransomware.live/v2/recentvictims",
    "ransomlook": "https://www.ransomlook.io/api/recent",
}
_SUFFIX = ".parquet"
_META = "analystkit"  # key of the kit's metadata in a snapshot's Parquet schema


class FeedError(ValueError):
    """A pull or a snapshot folder that failed; the message names it and says what to do."""


@dataclass(frozen=True)
class Snapshot:
    """One stored download of a feed."""

    feed: str
    path: Path
    fetched: datetime  # when it was downloaded (UTC)
    posts: int
    url: str

    def describe(self) -> str:
        """``ransomwatch snapshot of 2026-12-04 21:15 UTC (7,354 posts)``."""
        return (f"{self.feed} snapshot of {self.fetched:%Y-%m-%d %H:%M} UTC "
                f"({self.posts:,} posts)")


@dataclass(frozen=True)
class Pull:
    """What :func:`pull_feed` did: ``status`` is ``'new'``, ``'not-modified'`` or ``'unchanged'``
    (downloaded again, the same bytes as the newest snapshot)."""

    status: str
    snapshot: Snapshot | None  # the new snapshot, else the newest one held
    fetched: Fetched | None = None

    def line(self) -> str:
        """One line for the command line."""
        held = self.snapshot.describe() if self.snapshot else "no snapshot"
        if self.status == "new":
            return f"new {held}: {self.snapshot.path}"
        return f"{self.status}: keeping the {held}"


def default_cache() -> Path:
    """The kit's cache folder (see the module notes).

    >>> default_cache().name in ("analystkit",) or "ANALYSTKIT_CACHE" in os.environ
    True
    """
    if os.environ.get("ANALYSTKIT_CACHE"):
        return Path(os.environ["ANALYSTKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "analystkit"


def _folder(name: str, cache: str | os.PathLike | None) -> Path:
    return Path(cache if cache is not None else default_cache()) / "feeds" / name


def pull_feed(name: str, *, url: str | None = None, cache: str | os.PathLike | None = None,
              progress: bool = True, timeout: float = 60.0) -> Pull:
    """Download the current posts of feed ``name`` into a new snapshot of the cache.

    The request is conditional on the last download's validators (a 304 writes nothing); a body
    identical to the newest snapshot is not stored twice; a body that is not a posts feed is
    refused and removed. The cache is never left half-written: the snapshot appears whole or not
    at all.

    Parameters
    ----------
    name : a feed of :data:`FEED_SOURCES`, or any name when ``url`` is given.
    url : the address to download instead of the feed's own.
    cache : the cache folder (default :func:`default_cache`).
    progress : draw a progress bar on stderr.

    Raises
    ------
    FeedError
        An unknown feed name without ``url``, or a body that is not a posts feed.
    DownloadError
        No connection, a server error or an interrupted download (see :func:`fetch`).

    Examples
    --------
    >>> pull_feed("no-such-feed")
    Traceback (most recent call last):
    ...
    analystkit.io.feeds.FeedError: unknown feed 'no-such-feed': pull one of ransomwatch, ...
    """
    if url is None:
        if name not in FEED_SOURCES:
            raise FeedError(f"unknown feed {name!r}: pull one of {', '.join(FEED_SOURCES)}, "
                            "or name any feed with url=")
        url = FEED_SOURCES[name]
    if not name or "/" in name or name.startswith("."):
        raise FeedError(f"{name!r} cannot name a feed folder: use letters, digits, '.', '-', '_'")
    folder = _folder(name, cache)
    folder.mkdir(parents=True, exist_ok=True)
    state = _read_state(folder)
    newest = latest_snapshot(cache, feed=name)
    # the validators say "I hold this copy": only when it is the newest snapshot, of this address
    held = newest is not None and state.get("url") == url and (_metadata(newest.path) or {}).get(
        "sha256") == state.get("sha256")
    got = fetch(url, folder / "download", etag=state.get("etag") if held else None,
                last_modified=state.get("last_modified") if held else None, progress=progress,
                timeout=timeout)
    if got.status == "not-modified":
        _write_state(folder, {**state, "checked": _now().isoformat()})
        return Pull("not-modified", newest, got)
    try:
        return _store(name, url, folder, got, newest)
    finally:
        got.path.unlink(missing_ok=True)


def _store(name: str, url: str, folder: Path, got: Fetched, newest: Snapshot | None) -> Pull:
    """Check the downloaded body is a posts feed and keep it as a snapshot."""
    body = got.path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    records = _records(got.path, url)
    now = _now()
    new_state = {"url": url, "etag": got.etag, "last_modified": got.last_modified,
                 "checked": now.isoformat(), "sha256": digest}
    if newest is not None and (_metadata(newest.path) or {}).get("sha256") == digest:
        _write_state(folder, new_state)
        return Pull("unchanged", newest, got)
    path = folder / f"{now:%Y-%m-%dT%H%M%S.%fZ}{_SUFFIX}"  # names sort as the pulls were made
    meta = {"feed": name, "url": url, "fetched": now.isoformat(), "sha256": digest,
            "etag": got.etag, "last_modified": got.last_modified, "posts": len(records)}
    _write_parquet(path, records, meta)
    _write_state(folder, new_state)
    return Pull("new", Snapshot(name, path, now, len(records), url), got)


def _records(path: Path, url: str) -> list[dict]:
    """The posts of a downloaded body; a body that is not a posts feed is refused."""
    try:
        records = load_records(path)
        if records:
            _, fields = columns_from_records(records, path)
            missing = {"group_name", "post_title"} - set(standard_fields(fields))
            if missing or not ({"discovered", "published", "attackdate"} & set(standard_fields(fields))):
                raise PostsError(str(path), None, None, None,
                                 f"has no group, title or date field (its fields: "
                                 f"{', '.join(sorted(fields)[:12])})")
    except PostsError as exc:
        raise FeedError(f"{url}: the answer is not a leak-site posts feed: {exc.problem}; "
                        "nothing was stored") from None
    return records


def _write_parquet(path: Path, records: list[dict], meta: dict) -> None:
    """The records as one Parquet file (text columns), written to a temporary name and renamed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = sorted(set().union(*records)) if records else []
    columns = {f: pa.array([_text(r.get(f)) for r in records], type=pa.string()) for f in fields}
    table = pa.table(columns) if columns else pa.table({"post_title": pa.array([], pa.string())})
    table = table.replace_schema_metadata({_META: json.dumps(meta)})
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def snapshots(cache: str | os.PathLike | None = None, *, feed: str | None = None) -> list[Snapshot]:
    """The snapshots held, oldest first (of one feed, or of every feed in the cache)."""
    root = Path(cache if cache is not None else default_cache()) / "feeds"
    folders = [root / feed] if feed else sorted(p for p in root.glob("*") if p.is_dir())
    found = [_snapshot(path) for folder in folders for path in sorted(folder.glob(f"*{_SUFFIX}"))]
    return sorted((s for s in found if s is not None), key=lambda s: (s.fetched, s.path.name))


def latest_snapshot(cache: str | os.PathLike | None = None, *,
                    feed: str | None = None) -> Snapshot | None:
    """The newest snapshot held (of one feed, or of any), or None."""
    held = snapshots(cache, feed=feed)
    return held[-1] if held else None


def _snapshot(path: Path) -> Snapshot | None:
    meta = _metadata(path)
    if meta is None:
        return None
    return Snapshot(meta.get("feed", path.parent.name), path, datetime.fromisoformat(meta["fetched"]),
                    int(meta.get("posts", 0)), meta.get("url", ""))


def _metadata(path: Path) -> dict | None:
    import pyarrow.parquet as pq

    try:
        raw = pq.read_schema(path).metadata or {}
        return json.loads(raw[_META.encode()])
    except (OSError, KeyError, ValueError):
        return None


def snapshot_columns(folder: str | os.PathLike) -> tuple[dict[str, list], set[str], str]:
    """The posts of every snapshot in ``folder`` as columns (each post once, as the newest
    snapshot holding it has it), every field name, and the feed's name.

    A post is the same post in two snapshots when its group, title and dates are the same.

    Raises
    ------
    FeedError
        A folder holding no snapshot (saying how to pull one), or snapshots of several feeds.
    """
    import pyarrow.parquet as pq

    folder = Path(folder)
    held = [s for s in (_snapshot(p) for p in sorted(folder.glob(f"*{_SUFFIX}"))) if s is not None]
    if not held:
        raise FeedError(f"{folder}: no feed snapshot here; `analystkit feeds pull NAME` stores one "
                        f"(NAME one of {', '.join(FEED_SOURCES)})")
    feeds = sorted({s.feed for s in held})
    if len(feeds) > 1:
        raise FeedError(f"{folder}: snapshots of several feeds ({', '.join(feeds)}); read one "
                        "feed's folder at a time")
    held.sort(key=lambda s: (s.fetched, s.path.name))
    fields = set().union(*(pq.read_schema(s.path).names for s in held))
    named = standard_fields(sorted(fields))
    ident = [named[f] for f in ("group_name", "post_title", "discovered", "published", "attackdate")
             if f in named]
    rows: dict[tuple, dict] = {}
    for snap in held:  # the newest snapshot's copy of a post wins
        for record in pq.read_table(snap.path).to_pylist():
            rows[tuple(record.get(f) for f in ident)] = record
    records = list(rows.values())
    cols, _ = columns_from_records(records, folder) if records else ({}, set())
    return cols, fields, feeds[0]


def posts_source(posts: str | os.PathLike | None = None, *,
                 cache: str | os.PathLike | None = None) -> tuple[Path, Snapshot | None]:
    """What to read for leak-site posts: ``posts`` when named, else the folder of the newest
    snapshot in the cache, with that snapshot.

    Raises
    ------
    FeedError
        No feed named and no snapshot cached: the message says how to pull one.
    """
    if posts is not None:
        return Path(posts), None
    newest = latest_snapshot(cache)
    if newest is None:
        raise FeedError(f"no feed named and no feed snapshot in {Path(cache or default_cache())}: "
                        "`analystkit feeds pull ransomwatch` (or ak.io.feeds.pull_feed) stores one, "
                        "or name a posts file")
    return newest.path.parent, newest


def _read_state(folder: Path) -> dict:
    try:
        return json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(folder: Path, state: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".state-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)
    os.replace(tmp, folder / "state.json")


def _now() -> datetime:
    return datetime.now(UTC)

