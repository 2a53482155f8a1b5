"""Who the victims are, and how much of that is known: sector and country with their origin.

A leak-site feed seldom says a victim's sector or country, and what it says may be a guess of
its own. :func:`enrich_victims` fills each post's ``sector`` and ``country`` from, in order, the
case's curated entities (``curated``: the analyst's reviewed values), the feed itself (``feed``)
and, for the country only, the country-code top-level domain of the victim's domain
(``inferred``: ``harbourside-logistics.co.uk`` → GB); it records which in ``sector_origin`` /
``country_origin`` and leaves a value it cannot source empty. Placeholders some feeds write for
"unknown" (``Not Found``, ``N/A``) count as empty. A sector is never inferred: a domain says
nothing of it.

:func:`coverage` says how many distinct victims have a value and where the values came from, in
one sentence, such as ``country known for 41 % of 200 victims (29 % from the feed, 12 %
inferred)``; the kit's sector and country tables and charts carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ..aliases import is_domain
from ..schema import country_code, country_codes
from .build import graph_of
from .tables import claim_codes, claim_table

__all__ = ["FIELDS", "GENERIC_TLDS", "ORIGINS", "Coverage", "country_from_domain", "coverage",
           "enrich_victims"]

FIELDS = ("sector", "country")
#: Where a value came from, most trusted first.
ORIGINS = ("curated", "feed", "inferred")
#: Country-code domains used the world over for their letters, not their country (.io, .ai, .co …):
#: a victim's domain there says nothing of where it is.
GENERIC_TLDS = frozenset({"ac", "ad", "ai", "am", "as", "bz", "cc", "cd", "co", "dj", "fm", "gg", "io",
                          "la", "ly", "me", "ms", "mu", "nu", "sh", "so", "st", "tk", "to", "tv", "vc",
                          "ws", "eu", "su"})
_PLACEHOLDERS = frozenset({"", "not found", "notfound", "unknown", "n/a", "na", "none", "null", "-",
                           "?", "other", "undefined"})
_TLD_COUNTRY = {"uk": "GB"}  # the one ccTLD that is not the country's ISO code
_ORIGIN_WORDS = {"curated": "curated", "feed": "from the feed", "inferred": "inferred"}


def country_from_domain(domain: object) -> str:
    """The ISO country of a domain's country-code TLD, or ``""`` (generic and vanity TLDs too).

    >>> country_from_domain("harbourside-logistics.co.uk"), country_from_domain("https://www.acme.de/x")
    ('GB', 'DE')
    >>> [country_from_domain(d) for d in ("example.io", "example.com", "Acme")]
    ['', '', '']
    """
    host = str(domain or "").strip().lower().split("://", 1)[-1].split("/", 1)[0].rstrip(".")
    if not is_domain(host):
        return ""
    tld = host.rsplit(".", 1)[-1]
    if tld in GENERIC_TLDS or len(tld) != 2:
        return ""
    code = _TLD_COUNTRY.get(tld, tld.upper())
    return code if code in country_codes() else ""


def enrich_victims(posts: pd.DataFrame, *, entities: pd.DataFrame | None = None) -> pd.DataFrame:
    """``posts`` with ``sector`` and ``country`` filled where a source allows, and their origins.

    Parameters
    ----------
    posts : a posts table (:func:`analystkit.read_posts`).
    entities : a case's entities table; its rows' ``sector`` / ``country`` are the curated values
        of the victims they name (matched on ``name``).

    Returns
    -------
    DataFrame
        A copy with ``sector``, ``country`` (ISO alpha-2), ``sector_origin`` and
        ``country_origin`` (one of :data:`ORIGINS`, ``""`` when the value is unknown).

    Examples
    --------
    >>> posts = pd.DataFrame({"victim": ["Acme", "beta.co.uk", "Gamma"], "website": ["", "", "gamma.io"],
    ...                       "sector": ["Not Found", "", "Retail"], "country": ["", "", ""]})
    >>> ents = pd.DataFrame({"name": ["Acme"], "sector": ["manufacturing"], "country": ["DE"]})
    >>> cols = ["sector", "sector_origin", "country", "country_origin"]
    >>> enrich_victims(posts, entities=ents)[cols].values.tolist()
    [['manufacturing', 'curated', 'DE', 'curated'], ['', '', 'GB', 'inferred'], ['Retail', 'feed', '', '']]
    """
    out = posts.copy()
    n = len(out)
    curated = _curated(out, entities)
    for field in FIELDS:
        raw = out[field] if field in out.columns else pd.Series([""] * n, index=out.index)
        feed = raw.fillna("").astype(str).str.strip()
        feed = feed.where(~feed.str.lower().isin(_PLACEHOLDERS), "")
        if field == "country":
            feed = feed.map(lambda v: country_code(v) if v else "")
        value, origin = feed.to_numpy(dtype=object), np.where(feed.to_numpy() != "", "feed", "")
        mine = curated[field]
        value, origin = np.where(mine != "", mine, value), np.where(mine != "", "curated", origin)
        if field == "country":
            guess = _inferred_countries(out)
            use = (value == "") & (guess != "")
            value, origin = np.where(use, guess, value), np.where(use, "inferred", origin)
        out[field], out[f"{field}_origin"] = value.astype(object), origin.astype(object)
    return out


def _curated(posts: pd.DataFrame, entities: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The entities' sector and country of each post's victim (``""`` where none is given)."""
    empty = {f: np.full(len(posts), "", dtype=object) for f in FIELDS}
    if entities is None or entities.empty or "victim" not in posts.columns:
        return empty
    table = entities.drop_duplicates("name").set_index("name")
    for field in FIELDS:
        if field in table.columns:
            values = table[field].fillna("").astype(str).str.strip()
            if field == "country":
                values = values.map(lambda v: country_code(v) if v else "")
            empty[field] = posts["victim"].map(values).fillna("").to_numpy(dtype=object)
    return empty


def _inferred_countries(posts: pd.DataFrame) -> np.ndarray:
    """The country of each post's victim domain (its ``website``, else a title that is one)."""
    sites = posts["website"].fillna("").astype(str) if "website" in posts.columns else None
    names = posts["post_title"] if "post_title" in posts.columns else posts.get("victim")
    domains = sites.where(sites != "", names.fillna("").astype(str)) if sites is not None else names
    if domains is None:
        return np.full(len(posts), "", dtype=object)
    distinct = pd.unique(domains.to_numpy(dtype=object))
    found = {d: country_from_domain(d) for d in distinct.tolist()}
    return domains.map(found).fillna("").to_numpy(dtype=object)


@dataclass(frozen=True)
class Coverage:
    """How many of ``victims`` distinct victims have a ``field`` value, by origin."""

    field: str
    victims: int
    by_origin: dict[str, int]  # origin ("unspecified" when the table does not say) -> victims

    @property
    def known(self) -> int:
        return sum(self.by_origin.values())

    def line(self) -> str:
        """One sentence: how many victims have a value, and where the values came from.

        >>> Coverage("country", 200, {"feed": 58, "inferred": 24}).line()
        'country known for 41 % of 200 victims (29 % from the feed, 12 % inferred)'
        >>> Coverage("sector", 200, {"feed": 58}).line()
        'sector known for 29 % of 200 victims (all from the feed)'
        >>> Coverage("sector", 0, {}).line()
        'sector: no victims'
        """
        if not self.victims:
            return f"{self.field}: no victims"
        share = f"{self.field} known for {_pct(self.known, self.victims)} of {self.victims:,} victims"
        said = [f"{_pct(self.by_origin[o], self.victims)} {_ORIGIN_WORDS[o]}" for o in ORIGINS
                if self.by_origin.get(o)]
        if said == [f"{_pct(self.known, self.victims)} {_ORIGIN_WORDS['feed']}"]:
            said = ["all from the feed"]
        return share + (f" ({', '.join(said)})" if said else "")


def _pct(part: int, whole: int) -> str:
    value = 100 * part / whole
    return f"{value:.0f} %" if value >= 1 or value == 0 else "<1 %"


def coverage(data: pd.DataFrame | nx.DiGraph, field: str) -> Coverage:
    """How many distinct victims of a posts table or graph have a ``field`` (sector or country).

    A posts table counts victims by ``victim_key`` (else ``victim``); a graph or its claims
    table, its victim nodes.
    Origins come from the ``{field}_origin`` column when there is one (:func:`enrich_victims`).
    """
    if field not in FIELDS:
        raise ValueError(f"field must be 'sector' or 'country', not {field!r}")
    if isinstance(data, pd.DataFrame):
        table = data[~data["announcement"].astype(bool)] if "announcement" in data.columns else data
        key = next(k for k in ("victim_key", "target", "victim") if k in table.columns)
        codes, distinct = pd.factorize(table[key])
    else:  # a graph: its claims, victims by their integer codes
        G = graph_of(data)
        table = claim_table(G)
        codes, distinct = claim_codes(G)["target"], claim_codes(G)["targets"]
    if table.empty:
        return Coverage(field, 0, {})
    values = table[field].fillna("").to_numpy(dtype=object)
    n = len(distinct)
    first = np.full(n, -1, dtype=np.int64)  # each victim's first row with a value
    rows = np.flatnonzero(values != "")
    first[codes[rows][::-1]] = rows[::-1]
    shown = first[first >= 0]
    column = f"{field}_origin"
    origins = (pd.Series(table[column].to_numpy(dtype=object)[shown]).replace("", "unspecified")
               if column in table.columns else pd.Series(["unspecified"] * len(shown), dtype=object))
    return Coverage(field, n, {str(k): int(v) for k, v in origins.value_counts().items()})
