"""Fetching one file over HTTP for the feed cache: conditional, resumable, with a progress bar.

:func:`fetch` asks the server only for what changed: the validators of the last copy (``ETag``,
``Last-Modified``) go out as ``If-None-Match`` / ``If-Modified-Since``, and a 304 answer writes
nothing. The body is streamed into ``DEST.part``; only a complete body is moved to ``DEST`` (an
atomic rename), so a killed or failed download never leaves a half file where a whole one is
expected. When the connection drops and the server said it serves byte ranges for a body it can
name (an ``ETag`` or ``Last-Modified``), the part is kept with its validator and the next call
asks for the rest (``Range`` with ``If-Range``: a changed file comes back whole); otherwise the
part is removed. Every failure is a :class:`DownloadError` of one line that names the address.

Only the standard library speaks HTTP here (``urllib.request``): one GET with a few headers
needs no client library; the progress bar is tqdm's.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from urllib.parse import urlsplit

from .._version import __version__

__all__ = ["DownloadError", "Fetched", "fetch"]

_CHUNK = 1 << 16


class DownloadError(OSError):
    """A download that did not complete: the message names the address and what to do."""


@dataclass(frozen=True)
class Fetched:
    """What :func:`fetch` did: ``status`` is ``'downloaded'`` or ``'not-modified'``."""

    status: str
    url: str
    path: Path | None = None  # the complete body, when downloaded
    size: int = 0  # bytes of the body
    etag: str | None = None
    last_modified: str | None = None
    resumed_at: int = 0  # bytes kept from an earlier interrupted download


def fetch(url: str, dest: str | os.PathLike, *, etag: str | None = None,
          last_modified: str | None = None, progress: bool = True, timeout: float = 60.0) -> Fetched:
    """Download ``url`` to ``dest`` unless the server says the copy named by ``etag`` /
    ``last_modified`` is current.

    Parameters
    ----------
    url : an ``http://`` or ``https://`` address.
    dest : the file to write (its folder must exist); ``dest.part`` holds the body meanwhile.
    etag, last_modified : validators of the copy already held, from an earlier :class:`Fetched`.
    progress : draw a progress bar on stderr.
    timeout : seconds to wait for the server at any one step.

    Raises
    ------
    DownloadError
        No connection, a server error, an unsupported address or an interrupted body; the
        message says whether the part was kept for the next call.

    Examples
    --------
    >>> fetch("ftp://example.org/posts.json", "posts.json")
    Traceback (most recent call last):
    ...
    analystkit.io.download.DownloadError: ftp://example.org/posts.json: not an http(s) address
    """
    dest = Path(dest)
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"{url}: not an http(s) address")
    part, note = dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")
    held = _held_part(part, note, url)
    headers = {"User-Agent": f"analystkit/{__version__}", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if held:
        headers["Range"] = f"bytes={held['size']}-"
        headers["If-Range"] = held["validator"]
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched("not-modified", url, etag=etag, last_modified=last_modified)
        if exc.code == 416 and held:  # the part no longer fits the file: start again
            _discard(part, note)
            return fetch(url, dest, etag=etag, last_modified=last_modified, progress=progress,
                         timeout=timeout)
        raise DownloadError(f"{url}: the server answered {exc.code} {exc.reason}; nothing was "
                            "written, try again later or check the address") from None
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{url}: cannot reach {urlsplit(url).hostname} ({reason}); check the "
                            "connection, or point the feed at another address with --url") from None
    with response:
        return _receive(response, url, dest, part, note, held, progress)


def _receive(response, url: str, dest: Path, part: Path, note: Path, held: dict | None,
             progress: bool) -> Fetched:
    """Stream the body of ``response`` into ``part``, then move it to ``dest``."""
    from tqdm.auto import tqdm

    resumed = response.status == 206 and held is not None
    start = held["size"] if resumed else 0
    length = response.headers.get("Content-Length")
    total = start + int(length) if length and length.isdigit() else None
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    resumable = response.headers.get("Accept-Ranges", "").lower() == "bytes" and bool(etag or modified)
    if resumable:
        note.write_text(json.dumps({"url": url, "validator": etag or modified}), encoding="utf-8")
    got = start
    bar = tqdm(total=total, initial=start, unit="B", unit_scale=True, leave=False,
               desc=urlsplit(url).path.rsplit("/", 1)[-1] or url, disable=not progress)
    try:
        with open(part, "ab" if resumed else "wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                got += len(chunk)
                bar.update(len(chunk))
    except (OSError, HTTPException) as exc:
        raise _interrupted(url, got, total, part, note, resumable, exc) from None
    finally:
        bar.close()
    if total is not None and got < total:
        raise _interrupted(url, got, total, part, note, resumable, "the connection closed early")
    os.replace(part, dest)
    note.unlink(missing_ok=True)
    return Fetched("downloaded", url, dest, got, etag, modified, start)


def _interrupted(url: str, got: int, total: int | None, part: Path, note: Path, resumable: bool,
                 why: object) -> DownloadError:
    of = f" of {total:,}" if total is not None else ""
    if resumable:
        return DownloadError(f"{url}: download interrupted after {got:,}{of} bytes ({why}); the "
                             "part is kept: run the same command again to resume")
    _discard(part, note)
    return DownloadError(f"{url}: download interrupted after {got:,}{of} bytes ({why}); the "
                         "server cannot resume it, so the part was discarded: run the command again")


def _held_part(part: Path, note: Path, url: str) -> dict | None:
    """The kept part of an earlier download of ``url``, or None (a stray part is removed)."""
    if not part.exists():
        note.unlink(missing_ok=True)
        return None
    try:
        said = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        said = {}
    if said.get("url") != url or not said.get("validator") or not part.stat().st_size:
        _discard(part, note)
        return None
    return {"size": part.stat().st_size, "validator": said["validator"]}


def _discard(part: Path, note: Path) -> None:
    part.unlink(missing_ok=True)
    note.unlink(missing_ok=True)

