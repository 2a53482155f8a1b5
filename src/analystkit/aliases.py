"""Canonical names: actor aliases, victim-name normalisation and domain → organisation.

Actors and victims are resolved through separate tables and are never merged: the ransomware
group ``royal`` resolves to the actor *Royal*, and no actor name is ever looked up among victims.
The alias table is ``data/aliases.csv`` (columns ``alias, canonical, kind, note``).
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .resources import data_dir

__all__ = [
    "LEGAL_FORMS",
    "LEGAL_LAST_WORDS",
    "TRUNCATION",
    "canonical_actor",
    "canonical_victim",
    "is_domain",
    "load_aliases",
    "name_key",
    "victim_key",
]

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
    key = TRUNCATION.sub("", base).strip()
    drop = _drop_form if plain and "," not in key else _drop_form_rx
    previous = None
    while previous != key:
        previous, key = key, drop(key).strip(" ,.")
    return key


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


@lru_cache(maxsize=8)
def _load(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"alias", "canonical", "kind"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = table.loc[~table["kind"].isin(["actor", "victim"])]
    if len(bad):
        i = int(bad.index[0])
        raise ValueError(f"{path}, line {i + 2}, column 'kind': value {bad.iloc[0]['kind']!r} "
                         "is not 'actor' or 'victim'")
    return table


def load_aliases(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The alias table (``alias, canonical, kind, note``) as a DataFrame (a copy)."""
    path = Path(path) if path else data_dir() / "aliases.csv"
    return _load(str(path)).copy()


@lru_cache(maxsize=8)
def _index(path: str, kind: str) -> dict[str, str]:
    table = _load(path)
    rows = table[table["kind"] == kind]
    index = {name_key(c): c for c in rows["canonical"]}
    index.update({name_key(a): c for a, c in zip(rows["alias"], rows["canonical"], strict=True)})
    if kind == "victim":
        index.update({victim_key(a): c for a, c in zip(rows["alias"], rows["canonical"],
                                                         strict=True)})
        index.update({victim_key(c): c for c in rows["canonical"]})
    return index


def _path(aliases: str | os.PathLike | None) -> str:
    return str(Path(aliases) if aliases else data_dir() / "aliases.csv")


def canonical_actor(name: object, *, aliases: str | os.PathLike | None = None) -> str:
    """The canonical name of a threat actor; unknown names come back tidied, not guessed.

    >>> canonical_actor("lockbit3"), canonical_actor("LockBit Black"), canonical_actor("BlackCat")
    ('LockBit', 'LockBit', 'ALPHV')
    >>> canonical_actor("royal")  # the Royal ransomware group, never Royal Mail
    'Royal'
    >>> canonical_actor("  some new crew ")
    'some new crew'
    """
    key = name_key(name)
    found = _index(_path(aliases), "actor").get(key)
    if found:
        return found
    return _SPACE.sub(" ", html.unescape(str(name))).strip()


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
