"""The kit's vocabularies, and the one place TLP labels are read and compared.

TLP 2.0 labels run from ``clear`` (anyone) to ``red`` (named recipients only); a row "may be
shared at" a level when its label is no more restricted than that level.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

__all__ = [
    "CATEGORIES",
    "CREDIBILITY",
    "CREDIBILITY_MEANING",
    "ENTITY_KINDS",
    "PAP_LEVELS",
    "POST_DATES",
    "PRECISIONS",
    "RELATIONS",
    "RELIABILITY",
    "SECTORS",
    "STATUSES",
    "TLP_COLORS",
    "TLP_LEVELS",
    "country_code",
    "country_codes",
    "highest_tlp",
    "normalise_pap",
    "normalise_tlp",
    "tlp_allows",
    "tlp_rank",
    "tlp_within",
]

#: The dates a leak-site feed may carry, and what each means; ``date=`` picks one as the claim date.
POST_DATES = {"discovered": "the crawler's first sight of the post",
              "published": "the group's own post date",
              "attackdate": "the attack date the group states"}

PRECISIONS = ("exact", "day", "month", "year", "approximate")
CATEGORIES = (
    "intrusion", "disruption", "extortion", "disclosure", "response",
    "recovery", "law-enforcement", "impact", "background",
)
STATUSES = ("confirmed", "reported", "claimed", "disputed")
#: TLP 2.0 labels, least to most restricted.
TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
#: FIRST TLP 2.0 colours: (text colour, background colour) for each label.
TLP_COLORS = {
    "clear": ("#FFFFFF", "#000000"),
    "green": ("#33FF00", "#000000"),
    "amber": ("#FFC000", "#000000"),
    "amber+strict": ("#FFC000", "#000000"),
    "red": ("#FF2B2B", "#000000"),
}
#: PAP (Permissible Actions Protocol) levels, least to most restricted: what a recipient may *do*
#: with the information (RED: nothing that could be seen from outside), not who may read it.
PAP_LEVELS = ("clear", "green", "amber", "red")
RELATIONS = (
    "targets", "claimed", "via-supplier", "supplier-of", "affiliate-of",
    "rebrand-of", "uses", "attributed-to",
)
ENTITY_KINDS = ("actor", "victim", "supplier", "authority", "other")
#: STIX 2.1 industry-sector-ov, plus ``legal``, ``culture`` and ``other``.
SECTORS = (
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
    "construction", "defense", "education", "energy", "entertainment", "financial-services",
    "government", "emergency-services", "government-local", "government-national",
    "government-public-services", "government-regional", "healthcare", "hospitality-leisure",
    "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing", "mining",
    "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
    "transportation", "utilities", "legal", "culture", "other",
)
#: Admiralty code source reliability (A completely reliable ... F cannot be judged).
RELIABILITY = ("A", "B", "C", "D", "E", "F")
#: Admiralty code information credibility, assessed apart from the source's reliability: the
#: digit of a two-character grade such as ``B2``.
CREDIBILITY_MEANING = {
    "1": "confirmed by other sources", "2": "probably true", "3": "possibly true",
    "4": "doubtful", "5": "improbable", "6": "truth cannot be judged",
}
CREDIBILITY = tuple(CREDIBILITY_MEANING)

_TLP_SYNONYMS = {"white": "clear", "amber-strict": "amber+strict", "amber strict": "amber+strict"}


def normalise_tlp(value: object) -> str | None:
    """Return the TLP 2.0 label for ``value`` (``'TLP:WHITE'`` → ``'clear'``), or None.

    >>> normalise_tlp("TLP:AMBER+STRICT"), normalise_tlp("white"), normalise_tlp("pink")
    ('amber+strict', 'clear', None)
    """
    text = str(value).strip().lower()
    text = text.removeprefix("tlp:").strip()
    text = _TLP_SYNONYMS.get(text, text)
    return text if text in TLP_LEVELS else None


def normalise_pap(value: object) -> str | None:
    """Return the PAP level for ``value`` (``'PAP:WHITE'`` → ``'clear'``), or None.

    >>> normalise_pap("PAP:AMBER"), normalise_pap("white"), normalise_pap("PAP:PURPLE")
    ('amber', 'clear', None)
    """
    text = str(value).strip().lower().removeprefix("pap:").strip()
    text = "clear" if text == "white" else text
    return text if text in PAP_LEVELS else None


def tlp_rank(label: str) -> int:
    """Position of a TLP label from 0 (clear) to 4 (red).

    >>> tlp_rank("amber") > tlp_rank("green")
    True
    """
    norm = normalise_tlp(label)
    if norm is None:
        raise ValueError(f"unknown TLP label {label!r}; expected one of {', '.join(TLP_LEVELS)}")
    return TLP_LEVELS.index(norm)


def tlp_allows(label: str, level: str) -> bool:
    """True when a row marked ``label`` may be shared at ``level`` (it is no more restricted).

    >>> tlp_allows("green", "amber"), tlp_allows("TLP:RED", "amber+strict")
    (True, False)
    """
    return tlp_rank(label) <= tlp_rank(level)


def tlp_within(labels: pd.Series, level: str) -> pd.Series:
    """:func:`tlp_allows` for a column of labels: a boolean mask with the same index.

    >>> tlp_within(pd.Series(["clear", "amber", "red"]), "amber").tolist()
    [True, True, False]
    """
    return labels.map(tlp_rank) <= tlp_rank(level)


def highest_tlp(labels: Iterable[str], default: str) -> str:
    """The most restricted of ``labels`` (``default`` when none is a TLP label).

    >>> highest_tlp(["TLP:GREEN", "amber", "pink"], "clear"), highest_tlp([], "clear")
    ('amber', 'clear')
    """
    ranked = [tlp_rank(label) for label in labels if normalise_tlp(label)]
    return TLP_LEVELS[max(ranked)] if ranked else default


#: Names feeds write that ISO's own names do not match.
_COUNTRY_NAMES = {"uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                  "northern ireland": "GB", "great britain": "GB", "britain": "GB", "usa": "US",
                  "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "russia": "RU",
                  "turkey": "TR", "iran": "IR", "south korea": "KR", "korea": "KR", "north korea": "KP",
                  "vietnam": "VN", "taiwan": "TW", "czech republic": "CZ", "bolivia": "BO",
                  "venezuela": "VE", "tanzania": "TZ", "syria": "SY", "laos": "LA", "moldova": "MD",
                  "uae": "AE", "ivory coast": "CI", "holland": "NL"}


def country_code(value: str) -> str:
    """A country written as a code or a name as ISO alpha-2 (``GB``, ``gbr``, ``United Kingdom``,
    ``UK`` → ``GB``), else ``""``.

    >>> [country_code(v) for v in ("UK", "England", "Russia", "Turkey", "USA", "gbr", "Narnia")]
    ['GB', 'GB', 'RU', 'TR', 'US', 'GB', '']
    """
    import pycountry

    text = value.strip()
    if len(text) == 2 and text.upper() in country_codes():
        return text.upper()
    if text.lower() in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[text.lower()]
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return ""


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (from pycountry), e.g. ``"GB"``."""
    import pycountry  # loaded on first use: importing the kit stays light

    return frozenset(c.alpha_2 for c in pycountry.countries)
