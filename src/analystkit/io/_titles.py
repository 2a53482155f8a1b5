"""Leak-site post titles: which victim each one names, and whether it is the group's own news.

:func:`tidy_victim` and :func:`is_announcement` read one title. :func:`tidy_titles` gives the same
answers for a whole feed's worth of distinct titles at once. It joins them into one string, finds
with a few literal searches and array tests the titles that hold anything unusual (an entity other
than ``&amp;``, a non-ASCII or control character, decoration, a URL, a redaction, a stray leading
or trailing mark, an empty title) and sends only those through :func:`tidy_victim`. The rest, the
plain names that make up most feeds, need nothing but a lower-cased key and a dictionary look-up;
truncation dots, ``&amp;``, bare domains and legal forms are handled for them in bulk as
:func:`tidy_victim` handles them.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import numpy as np

from ..aliases import LEGAL_LAST_WORDS, is_domain, load_aliases, plain_victim_key, victim_key
from ..resources import data_dir

__all__ = ["ends_cut", "is_announcement", "tidy_titles", "tidy_victim", "victim_index"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_TRUNCATED = re.compile(r"\s*(?:\.{3,}|…)\s*$")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
#: Decoration leak sites put around a victim's name, stripped by :func:`tidy_victim`, as
#: ``(where, pattern, hint, example)``. ``hint`` is a short expression that finds, in the
#: lower-cased title, every title a match can be in (the bulk path looks for it first, mostly a
#: literal word); ``where`` is ``prefix`` or ``suffix``.
DECORATION_RULES = (
    ("prefix", r"(?:new\s+)?leak(?:s|age)?\s+(?:from\s+)?company\s+", "leak", "Leaks from company X"),
    ("prefix", r"new\s+leaks?\s+(?:from\s+)?", "leak", "New leak from X"),
    ("prefix", r"leak\s+post\s+", "leak", "Leak post X"),
    ("prefix", r"full\s+data\s+leak\s+(?:of\s+)?", "leak", "Full data leak of X"),
    ("prefix", r"[{\[(]\s*upd(?:ate[ds]?)?\s*[}\])]\s*", "upd", "{UPD} X"),
    ("prefix", r"(?:update|upd)\s*:\s*", "upd", "Update: X"),
    ("prefix", r"attention\s*[,:!]\s*", "attention", "Attention, X updated"),
    ("prefix", r"(?:important\s+)?announcement\s*[.:\-–]\s*(?=\S+\s+\S)", "announce",
     "Announcement: X Y will be leaked in 3 Days"),
    ("suffix", r"[\s./|,-]*\bpart\s*\d+(?:\s*/\s*\d+)?\.?", r"part ?\d", "X. Part 2."),
    ("suffix", r"[\s./|,-]*\bfiles?\s+part\s*\d+\s+published", r"part ?\d", "X FILES PART4 PUBLISHED"),
    ("suffix", r"\s*[-|/]\s*(?:fully\s+)?leaked", "leak", "X - leaked"),
    ("suffix", r"\s+leak(?:ed)?\s+post", "leak", "X leak post"),
    ("suffix", r"[\s|/,-]*\bfull\s+leak", "leak", "X Full Leak"),
    ("suffix", r"\s*-\s*(?:hacked\s+and\s+)?more\s+then\s+[\d.,]+\s*[gt]b\s+data\s+leaked", "leak",
     "x.com - MORE THEN 2.5TB DATA LEAKED"),
    ("suffix", r"\s*/\s*information\s+updated", "updated", "X / Information updated"),
    ("suffix", r"\s+updated", "updated", "X updated"),
    ("suffix", r"\s*\(\s*(?:with\s+data|upd(?:ate[ds]?)?|new)\s*\)", r"\(", "X (with data), X (UPDATE)"),
    ("suffix", r"\s*[-|]\s*announcement", "announce", "X - Announcement"),
    ("suffix", r"\s+announce\s*[-–]\s*hello\s+world\W*", "announce", "X Announce – Hello World !"),
    ("suffix", r"\s*/\s*data\s+on\s+sale(?:\s*/.*)?", "on sale", "X / Data on sale"),
    ("suffix", r"\s+will\s+be\s+(?:leaked|published)\s+in\s+\d+\s+(?:days?|hours?)", "will be",
     "X will be leaked in 3 Days"),
)
_PREFIX = re.compile("^(?:" + "|".join(p for w, p, _, _ in DECORATION_RULES if w == "prefix") + ")",
                     re.IGNORECASE)
_SUFFIX = re.compile("(?:" + "|".join(p for w, p, _, _ in DECORATION_RULES if w == "suffix") + r")\s*$",
                     re.IGNORECASE)
_DECORATION = tuple(re.compile(h) for h in sorted({hint for _, _, hint, _ in DECORATION_RULES}))

#: Titles that are the group's own news, not a victim, as ``(pattern, hint, example)``; ``hint``
#: as for :data:`DECORATION_RULES`. A title naming a victim beside such words ("X - Announcement",
#: "Announcement: X will be leaked") is a victim: the rules ask for the whole title or a phrase
#: no company name holds.
ANNOUNCEMENT_RULES = (
    (r"^\W*(?:important\s+)?announce(?:ment)?s?\W*(?:\w+\W*)?$", "announce",
     "Announcement. ReviLives. / [IMPORTANT ANNOUNCEMENT!]"),
    (r"\bannounce\s+of\b", "announce", "Ragnar_Team Announce of Potential ..."),
    (r"^\W*hello\s+world\W*$", "hello world", "Hello World!"),
    (r"^\W*(?:news|partnership|for\s+press|faq|rules|contacts?|about\s+us|warning|decrypt|test)\W*$",
     "", "News / For Press / WARNING"),
    (r"^\W*how\s+to\s+buy(?:\s+data)?\W*$", "how to buy", "HOW TO BUY DATA?"),
    (r"^\W*(?:\d+\s+)?b[rea]+king\s+news\W*$", "king news", "3 Breaking News / 10 Bearking News"),
    (r"^\W*hot\s+news\W*$", "hot news", "HOT NEWS"),
    (r"^\W*important\s+(?:updates?|information)\b", "important ", "Important Updates"),
    (r"^\W*our\s+first\s+post\W*$", "our first post", "Our first post"),
    (r"^\W*blog\s+is\s+empty\W*$", "blog is empty", "Blog is empty"),
    (r"\bour\s+new\s+partner", "our new partner", "OUR NEW PARTNER - ..."),
    (r"\bwelcome\s+to\s+(?:our|new)\b", "welcome to ", "Welcome to new customers!"),
    (r"\baffiliate\s+program", "affiliate program", "Affiliate program"),
    (r"\bwe\s+are\s+(?:looking|recruiting|hiring)\b", "we are ", "We are looking for ..."),
    (r"\blooking\s+for\s+(?:new\s+)?(?:partners|affiliates|pentesters)\b", "looking for ",
     "Looking for new partners"),
    (r"\bjoin\s+(?:us|our\s+team)\b", "join ", "Join us on RAMP"),
    (r"\brecruit(?:ing|ment)\s+(?:of\s+)?(?:pentesters|affiliates|partners)\b", "recruit",
     "Recruiting pentesters"),
    (r"\baccess(?:es)?\s+(?:on\s+)?sale\b", "sale", "Various accesses on sale"),
    (r"\bmonetize\s+your\b", "monetize your", "Great Opportunity to monetize your corporate access"),
    (r"\bis\s+(?:officially\s+)?online\W*$", "online", "AvosLocker is officially online!"),
    (r"\bwho\s+is\s+the\s+real\b", "who is the real", "Who is the real Bad Guys here? ..."),
    (r"\bsome\s+of\s+our\s+customers\b", "some of our customers", "Some of our customers was not payed"),
    # a numbered series of posts that speaks to its reader ("13 We are kids !") is a story, not a claim
    (r"^\d{1,2}\s+.*!", r"(?m)^\d{1,2} ", "11 you're awake!"),
    (r"^\d{1,2}\s+.*\bwe\b", r"(?m)^\d{1,2} ", "15 All we know"),
    (r"^\d{1,2}\s+.*\byou", r"(?m)^\d{1,2} ", "18 Build your own drone"),
)
_ANNOUNCE = re.compile("|".join(p for p, _, _ in ANNOUNCEMENT_RULES), re.IGNORECASE)

# --- the bulk path -------------------------------------------------------------------------------
# In a lower-case, printable-ASCII title with single spaces every match of _ANNOUNCE holds one of
# these words, and every change _PREFIX / _SUFFIX / the URL and redaction rules would make holds
# one of the _UNUSUAL patterns. Each is searched for on its own: a literal search is many times
# faster than one alternation over the joined titles.
_WHOLE_WORDS = ("news", "partnership", "for press", "faq", "rules", "contact", "about us", "warning",
                "decrypt", "test")  # the words of the one rule without a single hint
_HINTS = tuple(re.compile(hint) for hint in sorted(
    {hint for _, hint, _ in ANNOUNCEMENT_RULES if hint} | {re.escape(w) for w in _WHOLE_WORDS}))
_UNUSUAL = (re.compile(r"://"), re.compile(r"\*\*"), *_DECORATION)
_AMP = re.compile(r"&amp;")
_DOTS_AT_END = re.compile(r"\.\.\.$", re.MULTILINE)
# First / last characters that tidy_victim strips or rewrites (``*.`` wildcards, `` -|/,``).
_ODD_FIRST = np.array([ord(c) for c in " -|/,*"], dtype=np.uint8)
_ODD_LAST = np.array([ord(c) for c in " -|/,"], dtype=np.uint8)


def _literal(pattern: str) -> str:
    r"""The text a pattern matches when it is plain text (``for\ press`` → ``for press``), else
    ``""``, which is found in any text.

    >>> _literal(r"for\ press"), _literal(r"\(\s*"), _literal(r"part ?\d")
    ('for press', '', '')
    """
    if not re.fullmatch(r"(?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])*", pattern):
        return ""  # a metacharacter or a class such as \d
    return re.sub(r"\\(.)", r"\1", pattern)


#: The plain text each literal pattern above matches, for a fast test of whether it can match.
_LITERALS = {rx.pattern: _literal(rx.pattern) for rx in (*_HINTS, *_UNUSUAL, _AMP)}
#: Patterns anchored at a line's start, as the faster pattern that finds them after a newline.
_AT_LINE_START = {rx.pattern: re.compile("\n" + rx.pattern.removeprefix("(?m)^"))
                  for rx in _HINTS if rx.pattern.startswith("(?m)^")}
_NON_ASCII = "analystkit.non-ascii"  # encoding errors: one DEL per character that is not ASCII
codecs.register_error(_NON_ASCII, lambda error: ("\x7f" * (error.end - error.start), error.end))
_NEWLINE, _SPACE, _AMPERSAND, _COMMA, _DOT = (ord(c) for c in "\n &,.")
# Last letters of the legal forms that victim_key removes.
_LEGAL_LAST = np.array(sorted({ord(word[-1]) for word in LEGAL_LAST_WORDS}), dtype=np.uint8)


@lru_cache(maxsize=8)
def victim_index(path: str) -> dict[str, str]:
    """``{victim_key or domain: canonical}`` from the victim rows of the alias table at ``path``.

    >>> victim_index(str(DATA / "aliases.csv"))["royalmailgroup.com"]
    'Royal Mail'
    """
    table = load_aliases(path)
    rows = table[table["kind"] == "victim"]
    index = {victim_key(name): name for name in rows["canonical"]}
    for alias, canonical in zip(rows["alias"], rows["canonical"], strict=True):
        index.setdefault(victim_key(alias), canonical)
    return index


def _default_index() -> dict[str, str]:
    return victim_index(str(data_dir() / "aliases.csv"))


def tidy_victim(title: object, *, index: dict[str, str] | None = None) -> tuple[str, str]:
    """The display name and matching key of the victim named by a raw post title.

    Decodes HTML entities, drops control characters and leak-site decoration
    (:data:`DECORATION_RULES`), reduces URLs and wildcards to their domain and resolves known
    names and domains through the victim alias table. A name cut short by the site keeps what
    it shows and ends in "…" (its key without the dots and without "www."), so a stub never poses
    as a whole name; redactions stay as written, star for star.

    Examples
    --------
    >>> tidy_victim("royalmailgroup.com")
    ('Royal Mail', 'royal mail')
    >>> tidy_victim("Weir &amp; Partners LLP / Part 2")
    ('Weir & Partners LLP', 'weir & partners')
    >>> tidy_victim("hammer-poznan.p..."), tidy_victim("https://www.nov...")
    (('hammer-poznan.p…', 'hammer-poznan.p'), ('www.nov…', 'nov'))
    >>> tidy_victim("B****** *b*")  # a redaction is kept as written: two are never one
    ('B****** *b*', 'b****** *b*')
    """
    index = _default_index() if index is None else index
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
    if any(hint.search(lower) for hint in _DECORATION):
        previous = None
        while previous != text:  # "{UPD} X (with data) Full Leak": every layer, outside in
            previous, text = text, _SUFFIX.sub("", _PREFIX.sub("", text)).strip() or text
    text = text.strip(" -|/,") or text
    if "://" in text:
        text = _SCHEME.sub("", text).rstrip("/")
    elif text.endswith("/"):
        text = text.rstrip("/")
    if text.startswith("*."):
        text = text[2:]
    if not truncated and is_domain(text):
        domain = text.lower().removeprefix("www.")
        found = index.get(domain) or index.get(victim_key(domain))
        return (found, victim_key(found)) if found else (domain, domain)
    key = victim_key(text)
    if truncated:  # "www." means the same cut short or not; the name says it was cut
        key = key.removeprefix("www.")
    found = index.get(key)
    if found:
        return found, victim_key(found)
    return (text + "…" if truncated and text else text), key


def is_announcement(title: object) -> bool:
    """True for a post that is the group's own news rather than a victim.

    >>> is_announcement("Announcement. ReviLives."), is_announcement("Finite Recruitment")
    (True, False)
    """
    return bool(_ANNOUNCE.search(html.unescape(str(title))))


def tidy_titles(titles: Sequence[str], *, index: dict[str, str] | None = None,
                ) -> tuple[list[str], list[str], np.ndarray]:
    """:func:`tidy_victim` and :func:`is_announcement` of many titles, computed together.

    Gives, title for title, exactly what the one-title functions give, several times faster on a
    large feed (see the module notes).

    Parameters
    ----------
    titles : the raw titles (strings), best distinct.
    index : victim alias index as built by :func:`victim_index`; the kit's table when None.

    Returns
    -------
    victims, keys : lists of display names and matching keys, one per title.
    announcements : boolean array, True where the title is the group's own news.

    Examples
    --------
    >>> victims, keys, news = tidy_titles(["royalmailgroup.com", "Acme Ltd...", "Hello World"])
    >>> victims, keys, news.tolist()
    (['Royal Mail', 'Acme Ltd…', 'Hello World'], ['royal mail', 'acme', 'hello world'], [False, False, True])
    """
    index = _default_index() if index is None else index
    if not len(titles):
        return [], [], np.zeros(0, dtype=bool)
    texts, exact, truncated = _prepared(titles)
    low = "\n".join(texts).lower()
    lows = low.split("\n")
    starts = _starts(lows)
    exact, rekey, domain_like, comma = _classify(low, lows, starts, exact)
    # bare domains (never truncated ones) are looked up lower-cased and without "www."
    for i in np.flatnonzero(domain_like & ~truncated & ~exact).tolist():
        if is_domain(lows[i]):
            lows[i] = texts[i] = lows[i].removeprefix("www.")
            rekey[i] = False
    keys = lows  # a plain title's key is its lower case, unless dots, commas or legal forms
    for i in np.flatnonzero(rekey & ~exact).tolist():  # lows[i] is texts[i] lower-cased
        keys[i] = victim_key(texts[i]) if comma[i] else plain_victim_key(lows[i])
    cut = np.flatnonzero(truncated & ~exact).tolist()
    for i in cut:
        keys[i] = keys[i].removeprefix("www.")
    victims = list(texts)
    for i in cut:
        if texts[i]:
            victims[i] = texts[i] + "…"
    canonical_keys = {name: victim_key(name) for name in set(index.values())}
    known = np.fromiter(map(index.__contains__, keys), dtype=bool, count=len(keys))
    for i in np.flatnonzero(known).tolist():  # a known name, cut short or not, is shown whole
        victims[i] = index[keys[i]]
        keys[i] = canonical_keys[victims[i]]
    for i in np.flatnonzero(exact).tolist():
        victims[i], keys[i] = tidy_victim(titles[i], index=index)
    check = exact.copy()  # only unusual titles and those holding a hint word can be news
    check[_lines(_matches(_HINTS, low), starts)] = True
    announcements = np.zeros(len(texts), dtype=bool)
    for i in np.flatnonzero(check).tolist():
        announcements[i] = is_announcement(titles[i])
    return victims, keys, announcements


def _prepared(titles: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The titles with ``&amp;`` decoded and truncation dots cut, those to tidy one by one, and
    those that were truncated."""
    n = len(titles)
    texts = list(titles)
    exact = np.zeros(n, dtype=bool)
    joined = "\n".join(texts)
    if n and joined.count("\n") != n - 1:  # a title holds the separator: set it aside
        for i, text in enumerate(texts):
            if "\n" in text:
                exact[i], texts[i] = True, ""
        joined = "\n".join(texts)
    starts = _starts(texts)
    for i in _lines(_matches([_AMP], joined), starts).tolist():  # other entities: caught later
        texts[i] = texts[i].replace("&amp;", "&")
    truncated = np.zeros(n, dtype=bool)
    truncated[_lines(_matches([_DOTS_AT_END], joined), starts)] = True
    for i in np.flatnonzero(truncated).tolist():
        texts[i] = texts[i].rstrip(".").rstrip(" ")
    return texts, exact, truncated


def _classify(low: str, lows: list[str], starts: np.ndarray,
              exact: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which lines of ``low`` (lower-cased, prepared titles) need :func:`tidy_victim`, which need
    their key recomputed (dots, commas, legal forms), which may be bare domains and which hold a
    comma."""
    lengths = np.diff(np.append(starts, len(low) + 1)) - 1
    # one byte per code point, DEL for any that is not ASCII; the appended separator keeps
    # every look-ahead in range
    codes = np.frombuffer((low + "\n").encode("ascii", _NON_ASCII), dtype=np.uint8)
    first = np.where(lengths > 0, codes[starts], _NEWLINE)
    last = np.where(lengths > 0, codes[starts + lengths - 1], _NEWLINE)
    spaces = codes == _SPACE
    body, after = codes[:-1], codes[1:]
    odd = np.zeros(len(codes), dtype=bool)
    np.greater(body - 32, 94, out=odd[:-1])  # not printable ASCII (controls wrap round)
    odd[:-1] &= body != _NEWLINE
    odd[:-1] |= (body == _AMPERSAND) & (after != _SPACE)  # an entity other than &amp;
    odd[:-1] |= spaces[:-1] & spaces[1:]  # a double space
    exact = exact | (lengths == 0) | np.isin(first, _ODD_FIRST) | np.isin(last, _ODD_LAST) | _any(odd, starts)
    exact[_lines(_matches(_UNUSUAL, low), starts)] = True
    comma = _any(codes == _COMMA, starts)
    rekey = (first == _DOT) | (last == _DOT) | comma
    maybe = np.flatnonzero(np.isin(last, _LEGAL_LAST) & ~rekey & ~exact).tolist()
    rekey[maybe] = [lows[i].rpartition(" ")[2] in LEGAL_LAST_WORDS for i in maybe]
    domain_like = _any(codes == _DOT, starts) & ~_any(spaces, starts)
    return exact, rekey, domain_like, comma


def _matches(patterns: Sequence[re.Pattern], text: str) -> np.ndarray:
    """Start offsets of every match of each pattern in ``text`` (a literal pattern absent from
    the text, as most are, is ruled out by one fast substring test)."""
    found = [rx for rx in patterns if _LITERALS.get(rx.pattern, "") in text]
    at = [m.start() for rx in found if rx.pattern not in _AT_LINE_START for m in rx.finditer(text)]
    lined = [_AT_LINE_START[rx.pattern] for rx in found if rx.pattern in _AT_LINE_START]
    if lined:  # "(?m)^x" searched as "\nx", many times faster; the newline's offset in "\n" +
        text = "\n" + text  # text is that of the line's start in text
        at += [m.start() for rx in lined for m in rx.finditer(text)]
    return np.array(at, dtype=np.int64)


def ends_cut(names: Sequence[str]) -> np.ndarray:
    """True for each name that ends in the "…" of a name cut short.

    >>> ends_cut(["www.nov…", "Royal Mail"]).tolist()
    [True, False]
    """
    return np.fromiter(map(str.endswith, names, repeat("…")), dtype=bool, count=len(names))


def _starts(lines: list[str]) -> np.ndarray:
    """Offset of each line in ``"\\n".join(lines)``."""
    starts = np.zeros(len(lines), dtype=np.int64)
    if len(lines) > 1:
        np.cumsum(np.fromiter(map(len, lines[:-1]), np.int64, len(lines) - 1) + 1, out=starts[1:])
    return starts


def _any(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per line (starting at ``starts``): does ``mask`` hold anywhere on it?"""
    return np.logical_or.reduceat(mask, starts)


def _lines(positions: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The distinct lines (starting at ``starts``) that hold the given offsets, in order."""
    return np.unique(np.searchsorted(starts, positions, side="right") - 1)
