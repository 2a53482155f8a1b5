"""Several leak-site feeds as one: one victim however each feed spells it, one post however many
feeds saw it, and what each claim is (first, re-post, co-claimed, recycled).

Three crawlers of the same leak sites write the same claim three times, with crawl times hours
apart and the victim spelt as a domain in one feed and a name in another. :func:`combine_feeds`
links the victims (:func:`link_victims`), then counts each post once: rows of one actor and
victim from different feeds within ``window`` days of each other are one post, seen by every feed
listed in its ``feeds``. Every link between two victims is a row of a merge table that says which
rule made it and how sure it is; the analyst can drop rows and apply the table again
(:func:`apply_merges`), so no merge is hidden or final.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from ..aliases import is_domain

__all__ = ["MERGE_COLUMNS", "apply_merges", "claim_flags", "combine_feeds", "link_victims"]

#: Columns of the merge table: the key merged, the key it joins, why, how sure, and both names.
MERGE_COLUMNS = ["victim_key", "into", "rule", "score", "victim", "into_victim"]
_SUFFIXES = ("co.uk", "com.au", "co.jp", "com.br", "co.za", "com.mx", "co.nz", "com.sg", "co.in",
             "com.tr", "gov.uk", "ac.uk", "org.uk", "gob.mx", "com.ar", "com.co")
_MIN_LABEL = 6  # a shorter domain label ("abc.com") says too little to name a company
_FUZZY_MIN = 96.0  # rapidfuzz ratio of two compact names, 0-100
_FUZZY_LEN = 10


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _label(domain: str) -> str:
    """The name part of a domain: ``www.acme-group.co.uk`` → ``acmegroup``."""
    host = domain.casefold().removeprefix("www.")
    for suffix in _SUFFIXES:
        if host.endswith("." + suffix):
            return _compact(host[: -len(suffix) - 1].rsplit(".", 1)[-1])
    return _compact(host.rsplit(".", 1)[0].rsplit(".", 1)[-1]) if "." in host else ""


def link_victims(posts: pd.DataFrame) -> pd.DataFrame:
    """The merge table of a posts table: which victim keys name the same organisation, and why.

    Rules, in order: ``website`` (a domain-key's domain is the website a feed gives for a named
    victim), ``name`` (the same letters and digits: ``acme-industries`` and ``acme industries``),
    ``domain-name`` (a domain's name part equals a victim's name, at least six letters,
    one such name only), ``fuzzy`` (two names of ten letters or more that start alike and score at
    least 96 of 100 in rapidfuzz's ratio). Redacted names are never linked. Each victim joins the
    name its posts use most.

    Examples
    --------
    >>> posts = pd.DataFrame({"victim_key": ["acme-industries.com", "acme industries", "acme industrie"],
    ...                       "victim": ["acme-industries.com", "Acme Industries", "ACME Industrie"],
    ...                       "website": ["", "", ""], "count": [1, 3, 1]})
    >>> for row in link_victims(posts)[["victim_key", "into", "rule"]].values.tolist():
    ...     print(row)
    ['acme industrie', 'acme industries', 'fuzzy']
    ['acme-industries.com', 'acme industries', 'domain-name']
    """
    if not len(posts):
        return pd.DataFrame(columns=MERGE_COLUMNS)
    weight = posts["count"] if "count" in posts else pd.Series(1, index=posts.index)
    names = (pd.DataFrame({"key": posts["victim_key"].astype(str), "victim": posts["victim"].astype(str),
                           "w": weight}).groupby(["key", "victim"], sort=True)["w"].sum().reset_index()
             .sort_values(["key", "w"], ascending=[True, False]).drop_duplicates("key"))
    shown = dict(zip(names["key"], names["victim"], strict=True))
    size = names.set_index("key")["w"].to_dict()
    plain = [k for k in shown if "*" not in k and "█" not in k]
    domains = [k for k in plain if is_domain(k)]
    named = [k for k in plain if not is_domain(k)]
    links: list[tuple[str, str, str, float]] = []
    if "website" in posts:  # a feed that gives a named victim's website
        sites = posts.loc[posts["website"].astype(str).str.strip().ne(""), ["victim_key", "website"]]
        by_site: dict[str, set[str]] = {}
        for key, site in zip(sites["victim_key"], sites["website"], strict=True):
            host = re.sub(r"^(?:https?://)?(?:www\.)?", "", str(site).strip().casefold()).rstrip("/")
            if key in named:
                by_site.setdefault(host, set()).add(key)
        for key in domains:
            found = by_site.get(key.removeprefix("www."), set())
            if len(found) == 1:
                links.append((key, next(iter(found)), "website", 1.0))
    linked = {a for a, _, _, _ in links}
    by_name: dict[str, list[str]] = {}
    for key in named:
        by_name.setdefault(_compact(key), []).append(key)
    for keys in by_name.values():  # "acme-industries" and "acme industries"
        top = max(keys, key=lambda k: (size[k], k))
        links += [(k, top, "name", 1.0) for k in keys if k != top and len(_compact(k)) >= 4]
    for key in domains:
        label = _label(key)
        if key not in linked and len(label) >= _MIN_LABEL and len(by_name.get(label, [])) == 1:
            links.append((key, by_name[label][0], "domain-name", 1.0))
    links += _fuzzy(named, size)
    return _resolve(links, shown, size)


def _fuzzy(named: Sequence[str], size: Mapping[str, float]) -> list[tuple[str, str, str, float]]:
    """Conservative fuzzy links among names that share their first four letters."""
    blocks: dict[str, list[str]] = {}
    for key in named:
        compact = _compact(key)
        if len(compact) >= _FUZZY_LEN:
            blocks.setdefault(compact[:4], []).append(key)
    links = []
    for keys in blocks.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if _compact(a) == _compact(b):
                    continue  # the "name" rule's
                score = fuzz.ratio(_compact(a), _compact(b))
                if score >= _FUZZY_MIN:
                    small, big = sorted((a, b), key=lambda k: (size[k], k))
                    links.append((small, big, "fuzzy", round(score / 100, 3)))
    return links


def _resolve(links: list[tuple[str, str, str, float]], shown: Mapping[str, str],
             size: Mapping[str, float]) -> pd.DataFrame:
    """Chains of links joined (union-find): every key points at its group's most-posted name."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for a, b, _, _ in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, list[str]] = {}
    for key in {k for a, b, _, _ in links for k in (a, b)}:
        groups.setdefault(root(key), []).append(key)
    best = {}
    for members in groups.values():
        names = [k for k in members if not is_domain(k)] or members
        top = max(names, key=lambda k: (size.get(k, 0), k))
        best.update(dict.fromkeys(members, top))
    why = {a: (rule, score) for a, _, rule, score in links}
    rows = [{"victim_key": key, "into": into, "rule": why.get(key, ("chain", 1.0))[0],
             "score": why.get(key, ("chain", 1.0))[1], "victim": shown[key], "into_victim": shown[into]}
            for key, into in sorted(best.items()) if key != into]
    return pd.DataFrame(rows, columns=MERGE_COLUMNS)


def apply_merges(posts: pd.DataFrame, merges: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with every ``victim_key`` in ``merges`` replaced by its ``into`` key and name.

    The table may have been edited: rows dropped, ``into`` changed. A key merged into a key that is
    merged in turn follows the chain.
    """
    if not len(merges):
        return posts
    into = dict(zip(merges["victim_key"].astype(str), merges["into"].astype(str), strict=True))
    names = dict(zip(merges["into"].astype(str), merges["into_victim"].astype(str), strict=True))
    for _ in range(len(into)):  # follow chains, never loop
        step = {k: into.get(v, v) for k, v in into.items()}
        if step == into:
            break
        into = step
    out = posts.copy()
    keys = out["victim_key"].map(lambda k: into.get(k, k))
    moved = keys.ne(out["victim_key"])
    out["victim"] = out["victim"].where(~moved, keys.map(lambda k: names.get(k, k)))
    out["victim_key"] = keys
    return out


def combine_feeds(feeds: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame], *,
                  merges: pd.DataFrame | None = None,
                  window: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several posts tables as one, each post once, with the feeds that saw it.

    Parameters
    ----------
    feeds : posts tables, named (``{"ransomwatch 2023-08-19": posts, ...}``) or in a list (named
        by their ``feed`` column, numbered when two share one).
    merges : the victim merge table to apply; None links victims with :func:`link_victims`;
        an empty table merges none.
    window : days within which two feeds' rows of one actor and victim are one post.

    Returns
    -------
    posts, merges : DataFrames
        The posts: their columns plus ``feeds`` (the names of every feed that saw the post, sorted) and
        the :func:`claim_flags`; ``feed`` is the first feed that saw it; ``count`` the most raw
        posts any one feed collapsed into it. The merge table applied (:data:`MERGE_COLUMNS`),
        to read, edit and pass back as ``merges``.

    Examples
    --------
    >>> day = pd.Timestamp("2023-02-07", tz="UTC")
    >>> one = pd.DataFrame({"date": [day], "actor": ["LockBit"], "victim": ["Royal Mail"],
    ...                     "victim_key": ["royal mail"], "count": [1], "feed": ["ransomwatch"]})
    >>> two = one.assign(date=day + pd.Timedelta(hours=5), feed="ransomware.live")
    >>> posts, merges = combine_feeds([one, two])
    >>> len(posts), posts["feeds"].iloc[0], posts["claim"].iloc[0]
    (1, ('ransomware.live', 'ransomwatch'), 'first')
    """
    named = dict(feeds) if isinstance(feeds, Mapping) else _names(feeds)
    frames = [table.assign(feed=name) for name, table in named.items() if len(table)]
    if not frames:
        return next(iter(named.values()), pd.DataFrame()).assign(feeds=[]), link_victims(pd.DataFrame())
    union = pd.concat(frames, ignore_index=True)
    table = link_victims(union) if merges is None else merges
    union = apply_merges(union, table)
    union = union.sort_values(["actor", "victim_key", "date", "feed"], kind="mergesort",
                              ignore_index=True)
    post = _posts(union, window)
    grouped = union.groupby(post.to_numpy(), sort=True)
    first = grouped.head(1).copy()  # the post's earliest row: rows are in date order
    at = post[first.index].to_numpy()
    first["count"] = grouped["count"].max().loc[at].to_numpy()
    first["feeds"] = grouped["feed"].agg(lambda f: tuple(sorted(set(f)))).loc[at].to_numpy()
    out = first.sort_values(["date", "actor", "victim_key"], kind="mergesort", ignore_index=True)
    return claim_flags(out), table


def _names(tables: Sequence[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    named: dict[str, pd.DataFrame] = {}
    for table in tables:
        base = str(table["feed"].iloc[0]) if len(table) and "feed" in table else "feed"
        name, n = base, 1
        while name in named:
            n += 1
            name = f"{base} #{n}"
        named[name] = table
    return named


def _posts(union: pd.DataFrame, window: int) -> pd.Series:
    """A post number per row of ``union`` (sorted by actor, victim, date): a new post starts when
    the actor or victim changes, the date is more than ``window`` days after the post's first row,
    or the row's feed has already given a row to the post."""
    actor, key = union["actor"].to_numpy(dtype=object), union["victim_key"].to_numpy(dtype=object)
    dates = union["date"].to_numpy(dtype="datetime64[ns]")
    feeds = union["feed"].to_numpy(dtype=object)
    span = np.timedelta64(window, "D")
    numbers = np.empty(len(union), dtype=np.int64)
    post, start, seen = -1, None, set()
    for i in range(len(union)):
        new = (post < 0 or actor[i] != actor[i - 1] or key[i] != key[i - 1]
               or dates[i] - start > span or feeds[i] in seen)
        if new:
            post, start, seen = post + 1, dates[i], set()
        seen.add(feeds[i])
        numbers[i] = post
    return pd.Series(numbers, index=union.index)


def claim_flags(posts: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with what each claim is, per actor and victim.

    ``claim`` is ``first`` for the actor's first post of the victim and ``re-post`` after it;
    ``co_claimed`` is True when another actor claims the same victim too (at any time);
    ``recycled`` when the actor's first claim came after another actor's.

    >>> posts = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01"]),
    ...                       "actor": ["A", "A", "B"], "victim_key": ["x", "x", "x"]})
    >>> claim_flags(posts)[["actor", "claim", "co_claimed", "recycled"]].values.tolist()
    [['A', 'first', True, False], ['A', 're-post', True, False], ['B', 'first', True, True]]
    """
    out = posts.copy()
    if not len(out):
        return out.assign(claim=pd.Series(dtype=object), co_claimed=pd.Series(dtype=bool),
                          recycled=pd.Series(dtype=bool))
    order = out.sort_values("date", kind="mergesort").index
    pair = out.loc[order].groupby(["actor", "victim_key"], sort=False).cumcount()
    out["claim"] = np.where(pair.reindex(out.index).eq(0), "first", "re-post")
    actors = out.groupby("victim_key")["actor"].transform("nunique")
    out["co_claimed"] = actors.gt(1).to_numpy()
    first_by_pair = out.groupby(["actor", "victim_key"])["date"].transform("min")
    first_by_victim = out.groupby("victim_key")["date"].transform("min")
    out["recycled"] = (first_by_pair > first_by_victim).to_numpy()
    return out
