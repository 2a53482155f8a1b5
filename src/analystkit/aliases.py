"""Canonical names: actor aliases, victim-name normalisation and domain → organisation.

Actors and victims are resolved through separate tables and are never merged: the ransomware
group ``royal`` resolves to the actor *Royal*, and no actor name is ever looked up among victims.

The alias table has columns ``alias, canonical, kind, note, source`` and lives in two files:
``data/aliases.csv``, written and reviewed by hand (its rows win), and ``data/aliases_derived.csv``,
built from public sources by :mod:`analystkit.io.aliastable` (the MISP ransomware galaxy and
leak-site feeds' groups files), each row naming the file it came from. A name not in the table is
looked up again by its :func:`group_key` (``lockbit3_fs``, ``Hive Leaks``, ``Royal Ransomware``),
unless that key would point at two different actors.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .resources import data_dir

__all__ = [
    "ALIAS_FILES",
    "GROUP_NAME_RULES",
    "LEGAL_FORMS",
    "LEGAL_LAST_WORDS",
    "TRUNCATION",
    "actor_lookup",
    "canonical_actor",
    "canonical_victim",
    "display_actor",
    "group_key",
    "is_domain",
    "load_aliases",
    "name_key",
    "plain_victim_key",
    "read_alias_file",
    "resolve_actor",
    "title_slug",
    "victim_key",
]

#: Alias files of the kit's data folder, the hand-written one first (its rows win).
ALIAS_FILES = ("aliases.csv", "aliases_derived.csv")
_ALIAS_COLUMNS = ["alias", "canonical", "kind", "note", "source"]
_KIT = "kit:"

_SPACE = re.compile(r"\s+")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                     r"[a-z]{2,24})/?$", re.IGNORECASE)
TRUNCATION = re.compile(r"(?:\.{2,}|…)\s*$")
#: Legal-form suffixes removed when comparing organisation names (not when displaying them).
LEGAL_FORMS = (
    "ltd", "limited", "plc", "inc", "incorporated", "llc", "llp", "l.l.c", "gmbh", "ag", "sa",
    "s.a", "sas", "s.a.s", "srl", "s.r.l", "spa", "s.p.a", "bv", "b.v", "nv", "n.v", "oy", "ab",
    "as", "a/s", "kg", "co", "corp", "corporation", "company", "pty", "pty ltd", "sdn bhd",
    "bhd", "s.l", "sl", "se", "kk", "k.k", "pte", "pte ltd",
)
_LEGAL = re.compile(r"[\s,]+(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r")\.?$",
                    re.IGNORECASE)


def name_key(name: object) -> str:
    """The comparison key of a name: entities decoded, Unicode-normalised, case-folded.

    >>> name_key("  LockBit&nbsp;3.0 "), name_key("ＬｏｃｋＢｉｔ")
    ('lockbit 3.0', 'lockbit')
    """
    text = html.unescape(str(name))
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return _SPACE.sub(" ", text).strip().casefold()


def is_domain(name: object) -> bool:
    """True for a bare domain or a URL of one (``royalmailgroup.com``, ``https://x.co.uk/``).

    >>> is_domain("royalmailgroup.com"), is_domain("Royal Mail"), is_domain("LockBit 3.0")
    (True, False, False)
    """
    return bool(_DOMAIN.match(str(name).strip()))


def _domain(name: str) -> str:
    match = _DOMAIN.match(name.strip())
    return match.group(1).lower() if match else ""


def victim_key(name: object) -> str:
    """Key for matching organisations: :func:`name_key` without truncation marks or legal form.

    >>> victim_key("Pendragon PLC"), victim_key("ACME Holdings, Inc."), victim_key("Bosch Gmb...")
    ('pendragon', 'acme holdings', 'bosch gmb')
    """
    text = str(name)
    plain = text.isascii() and text.isprintable() and "&" not in text  # nothing to decode
    base = " ".join(text.split()).casefold() if plain else name_key(text)
    if plain and "," not in base:
        return plain_victim_key(base)
    key = TRUNCATION.sub("", base).strip()
    previous = None
    while previous != key:
        previous, key = key, _drop_form_rx(key).strip(" ,.")
    return key


def plain_victim_key(text: str) -> str:
    """:func:`victim_key` of a lower-case, printable ASCII text with single spaces and no comma
    (most leak-site titles once lower-cased), without checking that it is one.

    >>> plain_victim_key("acme holdings pty ltd."), plain_victim_key("bosch gmb...")
    ('acme holdings', 'bosch gmb')
    """
    key = TRUNCATION.sub("", text).strip() if text.endswith((".", " ")) else text
    while True:
        shorter = _drop_form(key).strip(" ,.")
        if shorter == key:
            return key
        key = shorter


_FORMS = frozenset(LEGAL_FORMS)
_FORM_WORDS = max(len(form.split()) for form in LEGAL_FORMS)
#: Last words of the legal forms ("pty ltd" -> "ltd").
LEGAL_LAST_WORDS = frozenset(form.split()[-1] for form in LEGAL_FORMS)


def _drop_form_rx(key: str) -> str:
    return _LEGAL.sub("", key)


def _drop_form(key: str) -> str:
    """:func:`_drop_form_rx` of a lower-case ASCII key with single spaces and no comma, by words.

    The expression's leftmost match is the longest form ending the key ("pty ltd" before "ltd"),
    after a space, with an optional dot; compared word by word that is several times faster.
    """
    parts = key.rsplit(" ", _FORM_WORDS)  # what precedes the last words, then the last words
    if parts[-1].removesuffix(".") not in LEGAL_LAST_WORDS:
        return key
    for span in range(len(parts) - 1, 0, -1):
        if " ".join(parts[-span:]).removesuffix(".") in _FORMS:
            return " ".join(parts[:-span])
    return key


#: How a leak-site group name is reduced for the second look-up, in order, repeated until nothing
#: changes: (pattern, what it removes). Both the table's names and the name looked up are reduced.
GROUP_NAME_RULES = (
    (r"^(?:ransomblog|ransomware)[ _.-]+", "a feed's prefix for the site (ransomblog_noname)"),
    (r"[ _.-]*(?:leaks?|blog|torrents?|ransomware|team|news|onion|cronos|fs)$",
     "a word for the site or the malware (Hive Leaks, clop torrents, Royal Ransomware, lockbit3_fs)"),
    (r"(?<=[a-z])[ _.-]*v?\d+(?:\.\d+)?$", "a version after a letter (lockbit3, LockBit 3.0)"),
    (r"[^0-9a-z]+", "spaces and punctuation (alphv-blackcat, ALPHV BlackCat)"),
)
_GROUP_RULES = tuple(re.compile(pattern) for pattern, _ in GROUP_NAME_RULES)
_MIN_GROUP_KEY = 3  # a shorter key ("lv", "v") says too little to match on


def group_key(name: object) -> str:
    """The key a leak-site group name is matched on when it is not in the alias table.

    >>> [group_key(n) for n in ("lockbit3_fs", "Lockbit3.0", "Hive Leaks", "ransomblog_noname")]
    ['lockbit', 'lockbit', 'hive', 'noname']
    >>> group_key("medusalocker") == group_key("Medusa")  # kept apart: no rule removes "locker"
    False
    """
    key, previous = name_key(name), None
    while key != previous:
        previous = key
        for rule in _GROUP_RULES[:-1]:
            key = rule.sub("", key)
    return _GROUP_RULES[-1].sub("", key)


def read_alias_file(path: str | os.PathLike) -> pd.DataFrame:
    """One alias file as it is (no derived rows added), checked, with every column present."""
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"alias", "canonical", "kind"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = table.loc[~table["kind"].isin(["actor", "victim"])]
    if len(bad):
        i = int(bad.index[0])
        raise ValueError(f"{path}, line {i + 2}, column 'kind': value {bad.iloc[0]['kind']!r} "
                         "is not 'actor' or 'victim'")
    for column in _ALIAS_COLUMNS:
        if column not in table:
            table[column] = ""
    return table[_ALIAS_COLUMNS]


@lru_cache(maxsize=8)
def _load(path: str) -> pd.DataFrame:
    """The table at ``path``; for ``kit:FOLDER``, that data folder's curated file and the derived
    one after it."""
    if not path.startswith(_KIT):
        return read_alias_file(path)
    folder = Path(path.removeprefix(_KIT))
    tables = [read_alias_file(folder / name) for name in ALIAS_FILES if (folder / name).is_file()]
    return pd.concat(tables, ignore_index=True)


def load_aliases(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The alias table (``alias, canonical, kind, note, source``) as a DataFrame (a copy).

    With no ``path``, the data folder's hand-written table followed by the derived one; with a
    path, that file alone.

    >>> table = load_aliases()
    >>> table[table["alias"] == "lockbit3"][["canonical", "kind"]].values.tolist()
    [['LockBit', 'actor']]
    """
    return _load(_path(path)).copy()


@lru_cache(maxsize=8)
def _index(path: str, kind: str) -> dict[str, str]:
    table = _load(path)
    rows = table[table["kind"] == kind]
    index: dict[str, str] = {}
    for alias, canonical in zip(rows["alias"], rows["canonical"], strict=True):
        index.setdefault(name_key(canonical), canonical)  # earlier rows (the curated ones) win
        index.setdefault(name_key(alias), canonical)
    if kind == "victim":
        for alias, canonical in zip(rows["alias"], rows["canonical"], strict=True):
            index.setdefault(victim_key(alias), canonical)
            index.setdefault(victim_key(canonical), canonical)
    return index


def actor_lookup(pairs: Iterable[tuple[str, str]]) -> Callable[..., str | None]:
    """A resolver over ``(alias, canonical)`` pairs, earlier pairs winning: a name's canonical
    actor by its :func:`name_key`; with ``loose=True`` (a leak-site feed's group name), else by its
    :func:`group_key` when that key points at one actor.

    >>> find = actor_lookup([("lockbit3", "LockBit"), ("medusa", "Medusa"), ("medusa2", "Other")])
    >>> find("LockBit 3.0"), find("LockBit 3.0", loose=True), find("Medusa Blog", loose=True)
    (None, 'LockBit', None)
    """
    exact: dict[str, str] = {}
    for alias, canonical in pairs:
        exact.setdefault(name_key(canonical), canonical)
        exact.setdefault(name_key(alias), canonical)
    found: dict[str, set[str]] = {}
    for name, canonical in exact.items():
        key = group_key(name)
        if len(key) >= _MIN_GROUP_KEY:
            found.setdefault(key, set()).add(canonical)
    by_group = {key: next(iter(names)) for key, names in found.items() if len(names) == 1}

    def resolve(name: object, *, loose: bool = False) -> str | None:
        hit = exact.get(name_key(name))
        if hit is None and loose:
            key = group_key(name)
            hit = by_group.get(key) if len(key) >= _MIN_GROUP_KEY else None
        return hit

    return resolve


@lru_cache(maxsize=8)
def _actor_lookup(path: str) -> Callable[..., str | None]:
    rows = _load(path)
    rows = rows[rows["kind"] == "actor"]
    return actor_lookup(zip(rows["alias"], rows["canonical"], strict=True))


def _path(aliases: str | os.PathLike | None) -> str:
    """The cache key of an alias table: its path, or ``kit:`` and the data folder for the kit's own."""
    return str(Path(aliases)) if aliases else _KIT + str(data_dir())


def resolve_actor(name: object, *, aliases: str | os.PathLike | None = None,
                  loose: bool = False) -> str | None:
    """The canonical actor the alias table gives for ``name``, or None when it gives none.

    ``loose=True`` is for a leak-site feed's group names: a name not in the table is matched by
    its :func:`group_key` too. Names from reports and other tools (``APT1``, ``APT12``) are only
    ever looked up as written: the feed rules would make them one.

    >>> resolve_actor("Royal Ransomware"), resolve_actor("Royal Ransomware", loose=True)
    (None, 'Royal')
    >>> resolve_actor("lockbit3_fs", loose=True), resolve_actor("no such crew", loose=True)
    ('LockBit', None)
    """
    return _actor_lookup(_path(aliases))(name, loose=loose)


def canonical_actor(name: object, *, aliases: str | os.PathLike | None = None) -> str:
    """The canonical name of a threat actor; unknown names come back tidied, not guessed.

    >>> canonical_actor("lockbit3"), canonical_actor("LockBit Black"), canonical_actor("BlackCat")
    ('LockBit', 'LockBit', 'ALPHV')
    >>> canonical_actor("royal")  # the Royal ransomware group, never Royal Mail
    'Royal'
    >>> canonical_actor("  some new crew ")
    'some new crew'
    """
    found = resolve_actor(name, aliases=aliases)
    return found if found else _SPACE.sub(" ", html.unescape(str(name))).strip()


def display_actor(name: object, *, aliases: str | os.PathLike | None = None) -> str:
    """A leak-site feed's group name as an actor: its canonical name (matched loosely, see
    :func:`resolve_actor`), or, unknown, the name tidied, an all-lower-case one in title case.

    Leak-site feeds write group names as lower-case slugs; shown beside the table's canonical
    names they read as a different kind of thing. A name with capitals is kept as the feed spells it.

    >>> display_actor("some new crew"), display_actor("NewCrewX"), display_actor("Hive Leaks")
    ('Some New Crew', 'NewCrewX', 'Hive')
    """
    found = resolve_actor(name, aliases=aliases, loose=True)
    if found:
        return found
    return title_slug(_SPACE.sub(" ", html.unescape(str(name))).strip())


def title_slug(name: str) -> str:
    """A lower-case slug in title case, word by word; any other spelling as written.

    >>> title_slug("black suit"), title_slug("LockBit"), title_slug("8base")
    ('Black Suit', 'LockBit', '8base')
    """
    if not (name.islower() and name == name_key(name)):
        return name
    return " ".join(word[:1].upper() + word[1:] for word in name.split(" "))


def canonical_victim(name: object, *, domains: dict[str, str] | None = None,
                     aliases: str | os.PathLike | None = None) -> str:
    """The canonical name of a victim organisation, or the tidied name when it is unknown.

    Resolves HTML entities, case, spacing, legal-form suffixes and known domains
    (``royalmailgroup.com`` → ``Royal Mail``). ``domains`` adds ``{domain: name}`` pairs, for
    instance from a case's entities table. Only victim aliases are consulted.

    >>> canonical_victim("royalmailgroup.com"), canonical_victim("ROYAL MAIL GROUP LTD")
    ('Royal Mail', 'Royal Mail')
    >>> canonical_victim("Smith &amp; Sons   Ltd")
    'Smith & Sons Ltd'
    >>> canonical_victim("royal")  # not a known victim: returned as is, never Royal Mail
    'royal'
    """
    text = _SPACE.sub(" ", html.unescape(str(name))).strip()
    index = _index(_path(aliases), "victim")
    domain = _domain(text)
    if domain:
        extra = {k.lower(): v for k, v in (domains or {}).items()}
        for candidate in (domain, domain.removeprefix("www.")):
            if candidate in extra:
                return extra[candidate]
            if candidate in index:
                return index[candidate]
        return domain
    for key in (name_key(text), victim_key(text)):
        if key in index:
            return index[key]
    return TRUNCATION.sub("", text).strip() or text
