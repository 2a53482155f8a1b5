"""The actor → victim graph of a leak-site posts table, and its tables, aggregated on integer codes.

A feed of a million posts is grouped by (actor, victim) pair with numpy and pandas; the tables the
metrics read (:mod:`analystkit.graph.tables`) come out of the same pass, in the order networkx
will iterate the graph, so they need not be read back from it. See :mod:`analystkit.graph` for the
node and edge attributes.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

from .bulk import bulk_fill
from .keys import in_window
from .tables import EDGE_COLUMNS, store_tables

__all__ = ["posts_graph", "posts_tables"]

_ROLE_NAMES = {"source_label": "actor", "target_label": "victim"}


class _Victims(NamedTuple):
    """One node per display name: ``code`` of each row's victim key, ``label_code`` of each key."""

    code: np.ndarray
    label_code: np.ndarray
    labels: pd.Index
    sector: np.ndarray
    country: np.ndarray
    sector_origin: np.ndarray  # "" throughout when the posts do not say (victimology.enrich_victims)
    country_origin: np.ndarray
    origins: bool  # the posts said where their values came from


class _Pairs(NamedTuple):
    """One edge per (actor, victim node) pair, in the order of its first post."""

    actor_names: pd.Index
    src_code: np.ndarray
    dst_code: np.ndarray
    firsts: pd.Series
    lasts: pd.Series
    counts: np.ndarray
    feeds: list


class _Parts(NamedTuple):
    """What the graph and its tables are made of; ``actor_keys`` / ``victim_keys`` are node keys."""

    victims: _Victims
    pairs: _Pairs
    actor_keys: np.ndarray
    victim_keys: np.ndarray
    tables: dict


def posts_graph(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> nx.DiGraph:
    """The graph of ``posts`` in ``[lo, hi]``, its tables already cached on it."""
    G = nx.DiGraph()
    parts = _parts(posts, lo, hi, include_announcements)
    if parts is None:
        return G
    victims, pairs = parts.victims, parts.pairs
    first_ts = pairs.firsts.tolist()
    same = pairs.firsts.array.asi8 == pairs.lasts.array.asi8
    last_ts = [f if eq else la
               for f, la, eq in zip(first_ts, _boxed(pairs.lasts, ~same), same, strict=True)]
    node_data = [{"role": "actor", "bipartite": 0, "label": a, "sector": "", "country": ""}
                 for a in pairs.actor_names]
    node_data += [{"role": "victim", "bipartite": 1, "label": la, "sector": s, "country": c}
                  for la, s, c in zip(victims.labels, victims.sector, victims.country, strict=True)]
    if victims.origins:  # where each value came from, as the posts said
        for data, so, co in zip(node_data[len(pairs.actor_names):], victims.sector_origin,
                                victims.country_origin, strict=True):
            data["sector_origin"], data["country_origin"] = so, co
    edge_data = [{"first": f, "last": la, "count": c, "relation": "claimed", "status": "claimed",
                  "sources": s, "via": ""}
                 for f, la, c, s in zip(first_ts, last_ts, pairs.counts.tolist(), pairs.feeds,
                                        strict=True)]
    bulk_fill(G, parts.tables["nodes"]["node"].tolist(), node_data,
              parts.actor_keys[pairs.src_code].tolist(), parts.victim_keys[pairs.dst_code].tolist(),
              edge_data)
    store_tables(G, **parts.tables)
    return G


def posts_tables(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> dict | None:
    """The cached tables of :func:`posts_graph` (``None`` when no post is left), without the graph."""
    parts = _parts(posts, lo, hi, include_announcements)
    return None if parts is None else parts.tables


def _parts(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> _Parts | None:
    """Victim nodes, pair edges and the cached tables of the graph of ``posts`` (None when empty)."""
    rows = _rows(posts, lo, hi, include_announcements)
    if rows is None:
        return None
    victims = _victims(rows)
    pairs = _pairs(rows, victims)
    actor_keys = np.array([f"actor:{a}" for a in pairs.actor_names], dtype=object)  # as node_key()
    victim_keys = np.array([f"victim:{v}" for v in victims.labels], dtype=object)  # writes them
    tables = _tables(victims, pairs, actor_keys, victim_keys)
    return _Parts(victims, pairs, actor_keys, victim_keys, tables)


def _rows(posts: pd.DataFrame, lo, hi, include_announcements: bool) -> pd.DataFrame | None:
    """The posts in the window (announcements left out unless asked for); None when none is."""
    keep = in_window(posts["date"], lo, hi).to_numpy()
    if not include_announcements and "announcement" in posts.columns:
        keep &= ~posts["announcement"].to_numpy(dtype=bool)
    if not keep.any():
        return None
    cols = [c for c in ("date", "actor", "victim", "victim_key", "count", "feed", "sector", "country",
                        "sector_origin", "country_origin") if c in posts.columns]
    return posts if keep.all() else posts.loc[keep, cols]  # columns are only read: no copy


def _victims(rows: pd.DataFrame) -> _Victims:
    """Victim nodes: the first name seen of each victim key, its first known sector and country.

    Two keys can share a display name (one node); the later key wins the node's sector and
    country, as it would on a networkx graph.
    """
    code, _ = pd.factorize(rows["victim_key"])
    n_keys = int(code.max()) + 1
    names = rows["victim"].to_numpy(dtype=object)[_first_index(code, n_keys)]
    facts = [_first_filled(rows[c], code, n_keys) if c in rows.columns
             else np.full(n_keys, "", dtype=object)
             for c in ("sector", "country", "sector_origin", "country_origin")]
    label_code, labels = pd.factorize(names)
    last_key = pd.Series(np.arange(n_keys)).groupby(label_code).last().to_numpy()
    return _Victims(code, label_code, labels, *(f[last_key] for f in facts),
                    origins="sector_origin" in rows.columns or "country_origin" in rows.columns)


def _pairs(rows: pd.DataFrame, victims: _Victims) -> _Pairs:
    """Posts grouped by (actor, victim node): first and last date, summed count, feeds."""
    actor_code, actor_names = pd.factorize(rows["actor"])
    target = victims.label_code[victims.code]
    pair, _ = pd.factorize(actor_code.astype(np.int64) * len(victims.labels) + target)
    by_pair = rows[["date", "count"]].groupby(pair, sort=True)
    firsts, lasts = by_pair["date"].min(), by_pair["date"].max()
    counts = by_pair["count"].sum().to_numpy(dtype=np.int64)
    pair_row = _first_index(pair, len(counts))
    if "feed" in rows.columns and rows["feed"].nunique() > 1:
        feeds = rows["feed"].groupby(pair).agg(lambda s: tuple(sorted(set(s)))).tolist()
    else:
        only = tuple(rows["feed"].iloc[:1]) if "feed" in rows.columns else ()
        feeds = [only] * len(counts)
    return _Pairs(actor_names, actor_code[pair_row], target[pair_row], firsts, lasts, counts, feeds)


def _tables(victims: _Victims, pairs: _Pairs, actor_keys: np.ndarray, victim_keys: np.ndarray) -> dict:
    """Node, edge and claim tables, claim codes and edge index, in the graph's iteration order."""
    n_actors = len(actor_keys)
    names = np.asarray(pairs.actor_names, dtype=object)
    nodes = pd.DataFrame({
        "node": np.concatenate([actor_keys, victim_keys]),
        "role": np.repeat(np.array(["actor", "victim"], dtype=object), [n_actors, len(victim_keys)]),
        "label": np.concatenate([names, np.asarray(victims.labels, dtype=object)]),
        "sector": np.concatenate([np.full(n_actors, "", dtype=object), victims.sector]),
        "country": np.concatenate([np.full(n_actors, "", dtype=object), victims.country]),
        "more": 0,
        "sector_origin": np.concatenate([np.full(n_actors, "", dtype=object), victims.sector_origin]),
        "country_origin": np.concatenate([np.full(n_actors, "", dtype=object), victims.country_origin])},
        copy=False)
    order = np.argsort(pairs.src_code, kind="stable")  # the order of G.edges: by source, then insertion
    src, dst = pairs.src_code[order], pairs.dst_code[order]
    sources = np.fromiter(pairs.feeds, dtype=object, count=len(pairs.feeds))  # tuples stay tuples
    edges = pd.DataFrame({
        "source": actor_keys[src], "target": victim_keys[dst], "source_label": names[src],
        "target_label": np.asarray(victims.labels, dtype=object)[dst], "source_role": "actor",
        "target_role": "victim", "first": _utc(pairs.firsts).array.take(order),
        "last": _utc(pairs.lasts).array.take(order), "count": pairs.counts[order],
        "relation": "claimed", "status": "claimed", "sources": sources[order], "via": ""},
        columns=EDGE_COLUMNS, copy=False)  # no consolidation copy of a million-row object block
    claims = edges.copy(deep=False)  # shares the edge table's columns (never changed in place)
    claims.columns = [_ROLE_NAMES.get(c, c) for c in claims.columns]
    claims["sector"], claims["country"] = victims.sector[dst], victims.country[dst]
    claims["sector_origin"] = victims.sector_origin[dst]
    claims["country_origin"] = victims.country_origin[dst]
    by_name = sorted(range(n_actors), key=list(pairs.actor_names).__getitem__)
    rank = np.empty(n_actors, dtype=np.int64)
    rank[by_name] = np.arange(n_actors)
    codes = {"actor": rank[src], "actor_names": names[by_name], "target": dst.astype(np.int64),
             "targets": victim_keys}
    return {"nodes": nodes, "edges": edges, "claims": claims, "claim_codes": codes,
            "edge_index": (src.astype(np.intp), n_actors + dst.astype(np.intp))}


def _first_index(codes: np.ndarray, n: int) -> np.ndarray:
    """Row of the first occurrence of each code ``0 .. n-1`` (every code occurs)."""
    return np.unique(codes, return_index=True)[1][:n]


def _first_filled(values: pd.Series, codes: np.ndarray, n: int) -> np.ndarray:
    """First non-empty value of ``values`` per code (``""`` when none is)."""
    out = np.full(n, "", dtype=object)
    arr = values.to_numpy(dtype=object)
    filled = np.flatnonzero(pd.notna(arr) & (arr != ""))
    if len(filled):
        c = codes[filled]
        got, at = np.unique(c, return_index=True)
        out[got] = arr[filled[at]]
    return out


def _boxed(dates: pd.Series, mask: np.ndarray) -> list:
    """Timestamps of ``dates`` where ``mask`` (None elsewhere), boxing only what is needed."""
    out = [None] * len(dates)
    idx = np.flatnonzero(mask)
    for i, t in zip(idx.tolist(), dates.iloc[idx].tolist(), strict=True):
        out[i] = t
    return out


def _utc(dates: pd.Series) -> pd.Series:
    """``dates`` renumbered from 0, as UTC stamps (already so in a posts table: no copy then).

    Not :func:`analystkit.times.utc_series`: that one also makes every column nanoseconds, and
    the edge table keeps the posts' own resolution.
    """
    values = dates.reset_index(drop=True)
    return values if str(values.dtype) == "datetime64[ns, UTC]" else pd.to_datetime(values, utc=True)
