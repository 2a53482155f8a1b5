"""Hostile strings made safe for display: chart labels, defanged infrastructure, truncation.

Leak-site victim names are written by criminals. Before any of them reaches a chart, a page or a
file, it passes through here: control characters and bidirectional overrides are removed, very
long names are shortened, ``$`` cannot start matplotlib mathtext, and URLs, domains and onion
addresses are defanged (``hxxp``, ``[.]``) so nobody clicks them by accident.

Hand-written on purpose: the defanging packages on PyPI are GPL-licensed or much broader than the
few rules needed here (see FORMATS §5).
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

__all__ = ["NAME_MAX", "TEXT_MAX", "clean", "csv_cell", "defang", "guard_cell", "html_text", "label",
           "refang", "safe_url", "shown", "slug", "source_name", "tame", "tame_all", "unguard_cell"]

#: Longest name (actor, victim, title, id) a reader lets through, and longest free text.
NAME_MAX, TEXT_MAX = 300, 20_000

# Bidirectional controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI) and other invisible marks.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                               "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"\b(h)(tt)(ps?)(?=://)", re.IGNORECASE)
_FTP = re.compile(r"\bftp(?=://)", re.IGNORECASE)
_HOST = re.compile(
    r"(?<![\w.@\[])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)"
    r"(onion|com|net|org|info|biz|io|co|uk|us|de|fr|it|es|nl|ru|cn|jp|br|au|ca|in|ch|se|no|"
    r"pl|be|at|dk|fi|ie|pt|gr|cz|ro|hu|tw|kr|mx|ar|za|nz|sg|hk|id|my|th|vn|tr|il|ae|sa|gov|"
    r"edu|mil|int|eu|asia|xyz|top|site|online|shop|app|dev|ly|me|tv|cc|ws|su|ua|by|kz)\b",
    re.IGNORECASE)
_IPV4 = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")


def clean(text: object, *, max_len: int | None = None) -> str:
    """Remove control and bidi-override characters, fold whitespace, shorten to ``max_len``.

    >>> clean("Evil\\u202eCorp\\x00 Ltd\\n\\t ")
    'EvilCorp Ltd'
    >>> clean("x" * 20, max_len=8)
    'xxxxxxx…'
    """
    if text is None:
        return ""
    s = str(text).translate(_BIDI)
    s = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in s)
    s = _SPACE.sub(" ", s).strip()
    if max_len is not None and len(s) > max_len:
        s = s[: max(max_len - 1, 0)].rstrip() + "…"
    return s


# What a foreign string may not bring in: controls, bidi and zero-width marks, surrogates. Free
# text (multiline) may keep tab and newline.
_MARKS = "\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff\ud800-\udfff"
_UNTAMED = re.compile(f"[\x00-\x1f{_MARKS}]")
_UNTAMED_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_MARKS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def tame(text: object, *, multiline: bool = False, max_len: int | None = NAME_MAX) -> str:
    r"""A string from outside (a feed, a STIX or MISP file) made safe before it reaches a table.

    NUL is removed; lone surrogates become U+FFFD; bidi overrides, isolates and zero-width marks
    are removed; other C0 and C1 controls become spaces, except tab and newline when
    ``multiline`` (CR and CRLF then become newlines). Anything longer than ``max_len`` is cut
    with an ellipsis. Text that needs none of this is returned as it is.

    >>> tame("Evil\x00\rCorp\u202e\ud800"), tame("a\r\nb\tc", multiline=True)
    ('Evil Corp\ufffd', 'a\nb\tc')
    >>> len(tame("x" * 1000))
    300
    """
    s = "" if text is None else str(text)
    if (_UNTAMED_TEXT if multiline else _UNTAMED).search(s):
        s = _SURROGATE.sub("\ufffd", s.replace("\x00", "")).translate(_BIDI)
        if multiline:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = "".join(" " if unicodedata.category(ch) == "Cc" and not (multiline and ch in "\t\n")
                    else ch for ch in s)
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1].rstrip() + "…"
    return s


def tame_all(values: list, *, multiline: bool = False, max_len: int | None = NAME_MAX) -> list:
    r""":func:`tame` over a column of values (None and non-strings pass unchanged), fast when
    nothing needs taming, as in most feeds: one scan of the whole column decides.

    >>> tame_all(["LockBit", None, "Evil\x00Crew"])
    ['LockBit', None, 'EvilCrew']
    """
    try:  # a column of strings only, as in most feeds, is joined without a filtering pass
        joined, strings = "".join(values), values
    except TypeError:
        strings = [v for v in values if isinstance(v, str)]
        joined = "".join(strings)
    too_long = max_len is not None and max(map(len, strings), default=0) > max_len
    # printable ASCII holds nothing to tame; two C scans decide that faster than the pattern
    plain = (not multiline and joined.isascii() and joined.isprintable()) or not (
        _UNTAMED_TEXT if multiline else _UNTAMED).search(joined)
    if plain and not too_long:
        return list(values)
    return [tame(v, multiline=multiline, max_len=max_len) if isinstance(v, str) else v
            for v in values]


def slug(text: object, *, max_len: int = 40) -> str:
    r"""An id safe in any XML attribute or file name, unique per text: lowercase ASCII letters,
    digits and ``-``, then a short hash of the exact text.

    >>> slug("LockBit")[:8], slug("Evil\x00Crew") != slug("EvilCrew")
    ('lockbit-', True)
    """
    import hashlib

    s = "" if text is None else str(text)
    base = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:max_len] or "x"
    digest = hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{base}-{digest}"


def defang(text: object) -> str:
    """Defang URLs, domains, onion addresses and IPv4 addresses; idempotent.

    >>> defang("see https://lockbitapt.onion/post and royalmailgroup.com or 10.0.0.1")
    'see hxxps[://]lockbitapt[.]onion/post and royalmailgroup[.]com or 10[.]0[.]0[.]1'
    >>> defang(defang("http://a.example.com")) == defang("http://a.example.com")
    True
    """
    s = "" if text is None else str(text)
    s = _SCHEME.sub(lambda m: "hxxp" + m.group(3)[1:], s)
    s = _FTP.sub("fxp", s)
    s = re.sub(r"(?<!\[)://(?!\])", "[://]", s)
    s = _HOST.sub(lambda m: m.group(1).rstrip(".").replace(".", "[.]") + "[.]" + m.group(2), s)
    return _IPV4.sub(r"\1[.]\2[.]\3[.]\4", s)


_LINK = re.compile(r"\b(?:https?|ftp)://\S+|(?<![\w.@\[])(?:[a-z0-9-]+\.)+onion\b", re.IGNORECASE)


def source_name(text: object, *, max_len: int | None = None) -> str:
    """The name of a cited publication for display: cleaned, and defanged only where it holds
    something to follow — a URL with a scheme, an onion address or an IPv4 address. A
    publication's own name ("it-daily.net", "PublicTechnology.net") stays as its readers know it.

    >>> source_name("it-daily.net"), source_name("PublicTechnology.net")
    ('it-daily.net', 'PublicTechnology.net')
    >>> source_name("LockBit leak site lockbitapt2d73.onion (http://lockbitapt2d73.onion/post)")
    'LockBit leak site lockbitapt2d73[.]onion (hxxp[://]lockbitapt2d73[.]onion/post)'
    >>> source_name("Panel at 10.0.0.1")
    'Panel at 10[.]0[.]0[.]1'
    """
    s = _LINK.sub(lambda m: defang(m.group(0)), clean(text, max_len=max_len))
    return _IPV4.sub(r"\1[.]\2[.]\3[.]\4", s)


def refang(text: object) -> str:
    """Undo :func:`defang` (and the common ``[dot]`` / ``(.)`` spellings); IPv6 stays intact.

    >>> refang("hxxps[://]lockbitapt[.]onion/post"), refang("[::1]")
    ('https://lockbitapt.onion/post', '[::1]')
    """
    s = "" if text is None else str(text)
    s = s.replace("[://]", "://").replace("[:]//", "://")
    for dot in ("[.]", "(.)", "{.}", "[dot]", "(dot)"):
        s = s.replace(dot, ".")
    s = re.sub(r"\bhxxp", "http", s, flags=re.IGNORECASE)
    return re.sub(r"\bfxp(?=://)", "ftp", s, flags=re.IGNORECASE)


def label(text: object, *, max_len: int | None = 60, defang_hosts: bool = True) -> str:
    """Text that is safe to hand to matplotlib: cleaned, shortened, defanged, ``$`` escaped.

    >>> label("Pay $5m or $ATTACK$ royalmailgroup.com")
    'Pay \\\\$5m or \\\\$ATTACK\\\\$ royalmailgroup[.]com'
    """
    return shown(text, max_len=max_len, defang_hosts=defang_hosts).replace("$", r"\$")


def html_text(text: object, *, max_len: int | None = 300, defang_hosts: bool = True) -> str:
    """Text that is safe inside HTML element content or a quoted attribute.

    Cleaned, shortened, defanged, then every ``<``, ``>``, ``&``, ``"`` and ``'`` escaped, so a
    victim name such as ``<script>`` is shown, never run.

    >>> html_text('<img src=x onerror="alert(1)"> evil.onion')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; evil[.]onion'
    """
    return html.escape(shown(text, max_len=max_len, defang_hosts=defang_hosts), quote=True)


def shown(text: object, *, max_len: int | None = None, defang_hosts: bool = True) -> str:
    """Text as a reader is shown it: cleaned, defanged, then shortened (in that order, so that a
    link cut short is still defanged). :func:`label` and :func:`html_text` build on it.

    >>> shown('=HYPERLINK("http://evil.example/x")', max_len=24)
    '=HYPERLINK("hxxp[://]ev…'
    """
    if not defang_hosts:
        return clean(text, max_len=max_len)
    s = defang(clean(text, max_len=None if max_len is None else max_len + 200))
    return clean(s, max_len=max_len)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Guard one spreadsheet cell against formula injection: a leading ``'`` before risky text.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
    formula by spreadsheet programs; it gets a leading apostrophe. Other values pass unchanged
    (numbers stay numbers).

    >>> csv_cell("=1+2"), csv_cell("-2+3"), csv_cell("Royal Mail"), csv_cell(-2)
    ("'=1+2", "'-2+3", 'Royal Mail', -2)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_GUARDED = re.compile(r"'*[=+\-@\t\r]")


def guard_cell(text: str) -> str:
    """A cell of the kit's own CSV files made safe to open in a spreadsheet, reversibly.

    Text that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
    carriage return, OWASP's list) gets a leading ``'``; so does text that already starts with
    apostrophes before such a character, so that :func:`unguard_cell` gives back exactly what
    was stored. Other text, such as ``'LockBit Green' variant``, is unchanged.

    >>> guard_cell("=HYPERLINK(1)"), guard_cell("'=x"), guard_cell("'LockBit Green'")
    ("'=HYPERLINK(1)", "''=x", "'LockBit Green'")
    >>> all(unguard_cell(guard_cell(s)) == s for s in ("=1", "'=1", "''-2", "'a", "-", "@x", ""))
    True
    """
    return "'" + text if _GUARDED.match(text) else text


def unguard_cell(text: str) -> str:
    """The cell :func:`guard_cell` was given: one leading ``'`` removed where it added one."""
    return text[1:] if text.startswith("'") and _GUARDED.match(text, 1) else text


def safe_url(url: object) -> str | None:
    """The URL if it may become a link: ``http``/``https`` with a host that is not an onion.

    Anything else (``javascript:``, ``data:``, ``file:``, relative paths, onion services,
    URLs with control characters or spaces) returns None and should be shown as defanged text.

    >>> safe_url("https://therecord.media/royal-mail"), safe_url("javascript:alert(1)")
    ('https://therecord.media/royal-mail', None)
    >>> safe_url("http://lockbitapt6vx57t3eeqjofwgcglmutr3a35nygvokja5uuccip4ykyd.onion/post")
    """
    if not isinstance(url, str):
        return None
    s = url.strip()
    if not s or s != clean(s) or any(ch.isspace() for ch in s) or len(s) > 2000:
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme.lower() not in ("http", "https") or not host or host.endswith(".onion"):
        return None
    return s
