"""A news article (HTML or plain text) as text, headline and publication date.

HTML goes through trafilatura, which keeps the article's paragraphs and drops navigation,
cookie banners, captions and footers; the publication date, when not given, comes from the
page's metadata through htmldate (``article:published_time``, JSON-LD, ``<time>`` ...). A plain
text file's first line is its headline when a blank line follows it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ..tables import UnreadableFileError, read_regular

__all__ = ["Article", "read_article"]


@dataclass(frozen=True)
class Article:
    """An article's text and what is known of it; ``date_from`` says where ``published`` came
    from (``given`` or ``page metadata``)."""

    text: str
    title: str
    published: dt.date
    date_from: str
    url: str
    file: str


def read_article(path: str | os.PathLike, *, published: str | dt.date | None = None,
                 url: str = "") -> Article:
    """Read an article file.

    Parameters
    ----------
    path : an ``.html`` / ``.htm`` page (or any file starting with ``<``) or a text file.
    published : the publication date (``YYYY-MM-DD``); found in the page when None.
    url : the article's address, kept as its source.

    Raises
    ------
    ValueError
        No publication date given and none in the page (say it with ``published=``), or no
        article text in the page.
    """
    path = Path(path)
    data = read_regular(path)
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(path, "is not UTF-8 text: save the article as UTF-8") from None
    if path.suffix.lower() in (".html", ".htm") or raw.lstrip().startswith("<"):
        text, title, found = _from_html(raw, url)
    else:
        text, title, found = _from_text(raw), "", None
        head, sep, rest = raw.strip().partition("\n\n")
        if sep and "\n" not in head and len(head) < 200:
            text, title = rest.strip(), head.strip()
    if not text.strip():
        raise ValueError(f"{path.name}: no article text found in it")
    if published is not None:
        day = published if isinstance(published, dt.date) else dt.date.fromisoformat(str(published)[:10])
        return Article(text, title, day, "given", url, path.name)
    if found is None:
        raise ValueError(f"{path.name}: no publication date in the page; give it with "
                         "--published YYYY-MM-DD (relative dates such as 'on Wednesday' need it)")
    return Article(text, title, found, "page metadata", url, path.name)


def _from_text(raw: str) -> str:
    return raw.replace("\r\n", "\n").strip()


def _from_html(raw: str, url: str) -> tuple[str, str, dt.date | None]:
    import trafilatura
    from htmldate import find_date

    text = trafilatura.extract(raw, url=url or None, include_comments=False, include_tables=False,
                               include_images=False) or ""
    meta = trafilatura.extract_metadata(raw)
    title = (meta.title if meta and meta.title else "").strip()
    if title and text.startswith(title):
        text = text[len(title):].lstrip()
    found = find_date(raw, extensive_search=False, original_date=True)
    return text, title, dt.date.fromisoformat(found) if found else None
