"""The derived alias table: actor names from public sources, each row naming its source.

:func:`build` reads the MISP ransomware galaxy (cluster names and their synonyms) and leak-site
feeds' ``groups.json`` files (the group names the crawlers know), resolves each name against the
hand-written table first, and gives the rows of ``data/aliases_derived.csv``. The hand-written
``data/aliases.csv`` stays the authority: a derived row never changes what a curated name means.
Two names listed in ``data/kept_apart.csv`` are never made one actor, and a synonym two galaxy
clusters claim is left out rather than guessed. Rebrands are not aliases: they are the dated edges
of ``data/lineage.csv`` (:func:`lineage`).

Regenerate the shipped file with ``python -m analystkit.io.aliastable GALAXY GROUPS... -o FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..aliases import ALIAS_FILES, actor_lookup, group_key, name_key, read_alias_file, title_slug
from ..resources import data_dir
from ..tables import read_json_text
from ._common import ImportFormatError
from .misp import galaxy_aliases

__all__ = ["build", "kept_apart", "lineage", "wrong_merges"]

_COLUMNS = ["alias", "canonical", "kind", "note", "source"]


def kept_apart(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Pairs of names that must never resolve to one actor (``name, other, why``).

    >>> pairs = kept_apart()
    >>> ("medusalocker", "Medusa") in set(zip(pairs["name"], pairs["other"]))
    True
    """
    return pd.read_csv(Path(path) if path else data_dir() / "kept_apart.csv", dtype=str,
                       keep_default_na=False)


def lineage(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Rebrands as dated edges (``predecessor, successor, date, precision, source, url, note``).

    >>> row = lineage().set_index("successor").loc["BlackSuit"]
    >>> row["predecessor"], row["date"], row["precision"]
    ('Royal', '2023', 'year')
    """
    return pd.read_csv(Path(path) if path else data_dir() / "lineage.csv", dtype=str,
                       keep_default_na=False)


def wrong_merges(resolve, pairs: pd.DataFrame) -> list[str]:
    """The kept-apart pairs that ``resolve`` (name → canonical or None) makes one actor.

    >>> from analystkit.aliases import display_actor
    >>> wrong_merges(display_actor, kept_apart()), wrong_merges(lambda n: "X", kept_apart())[:1]
    ([], ['medusalocker = Medusa (both X)'])
    """
    found = []
    for name, other in zip(pairs["name"], pairs["other"], strict=True):
        a, b = resolve(name), resolve(other)
        if a is not None and a == b:
            found.append(f"{name} = {other} (both {a})")
    return found


def _cluster_names(galaxy: Mapping) -> Iterable[tuple[str, str]]:
    values = galaxy.get("values")
    if galaxy.get("type") != "ransomware" or not isinstance(values, list):
        raise ImportFormatError("the galaxy file is not the MISP ransomware galaxy (type 'ransomware' "
                                "with a 'values' list)")
    for cluster in values:
        value = cluster.get("value") if isinstance(cluster, Mapping) else None
        if isinstance(value, str) and value.strip():
            yield " ".join(value.split()), str(cluster.get("uuid", ""))


def _apart(alias: str, canonical: str, apart: set[frozenset[str]]) -> bool:
    return frozenset((group_key(alias), group_key(canonical))) in apart


def _galaxy_rows(galaxy: Mapping, curated: Path, apart: set[frozenset[str]]) -> list[dict]:
    """Rows from the galaxy: the synonyms and 'similar' clusters :func:`galaxy_aliases` places
    (the curated table winning), then every cluster's own name not placed yet."""
    source = f"MISP galaxy ransomware, version {galaxy.get('version', '?')}"
    enriched = galaxy_aliases(galaxy, aliases=curated)
    placed = enriched.iloc[len(read_alias_file(curated)):]
    rows = [{"alias": r.alias, "canonical": r.canonical, "kind": "actor", "note": r.note,
             "source": source} for r in placed.itertuples() if not _apart(r.alias, r.canonical, apart)]
    known = actor_lookup(zip(enriched["alias"], enriched["canonical"], strict=True))
    for value, uuid in _cluster_names(galaxy):
        if known(value) is not None:
            continue
        canonical = known(value, loose=True)
        if canonical is None or _apart(value, canonical, apart):
            canonical = title_slug(value)
        rows.append({"alias": value, "canonical": canonical, "kind": "actor",
                     "note": "cluster name in the galaxy", "source": f"{source}, cluster {uuid}"})
    return rows


def _group_rows(path: Path, resolve, apart: set[frozenset[str]]) -> list[dict]:
    records = json.loads(read_json_text(path, kind="groups"))
    if not isinstance(records, list):
        raise ImportFormatError(f"{path}: not a feed's groups file (expected a JSON list of groups)")
    rows = []
    for i, record in enumerate(records):
        name = record.get("name") if isinstance(record, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise ImportFormatError(f"{path}, record [{i}], field 'name': every group needs a name")
        canonical = resolve(name, loose=True) or title_slug(name.strip())
        if _apart(name, canonical, apart):
            canonical = title_slug(name.strip())
        rows.append({"alias": name.strip(), "canonical": canonical, "kind": "actor",
                     "note": "group name the feed's crawler uses", "source": f"{path.name}: group name"})
    return rows


def build(*, galaxy: str | os.PathLike | Mapping, groups: Sequence[str | os.PathLike] = (),
          curated: str | os.PathLike | None = None,
          apart: str | os.PathLike | None = None) -> pd.DataFrame:
    """The derived alias rows (``alias, canonical, kind, note, source``), sorted.

    Parameters
    ----------
    galaxy : the MISP ransomware galaxy's ``clusters/ransomware.json`` (path or parsed dict).
    groups : leak-site feeds' ``groups.json`` files.
    curated : the hand-written table (default ``data/aliases.csv``); its names always win.
    apart : the kept-apart pairs (default ``data/kept_apart.csv``).
    """
    curated = Path(curated or data_dir() / ALIAS_FILES[0])
    table = read_alias_file(curated)
    actors = table[table["kind"] == "actor"]
    pairs = list(zip(actors["alias"], actors["canonical"], strict=True))
    kept = kept_apart(apart)
    apart_keys = {frozenset((group_key(a), group_key(b))) for a, b in zip(kept["name"], kept["other"],
                                                                           strict=True)}
    data = galaxy if isinstance(galaxy, Mapping) else json.loads(read_json_text(Path(galaxy), kind="galaxy"))
    rows = _galaxy_rows(data, curated, apart_keys)
    resolve = actor_lookup([*pairs, *((r["alias"], r["canonical"]) for r in rows)])
    for path in groups:
        rows += _group_rows(Path(path), resolve, apart_keys)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["_key"] = out["alias"].map(name_key)
    said = set(actors["alias"].map(name_key)) | set(actors["canonical"].map(name_key))
    out = out[~out["_key"].isin(said)]  # the curated table already says what these names mean
    out = out.drop_duplicates(["_key", "canonical"]).drop(columns="_key")
    return out.sort_values(["canonical", "alias", "source"], key=lambda s: s.str.casefold(),
                           ignore_index=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analystkit.io.aliastable",
                                     description="build the derived alias table from public files")
    parser.add_argument("galaxy", help="the MISP galaxy's clusters/ransomware.json")
    parser.add_argument("groups", nargs="*", help="leak-site feeds' groups.json files")
    parser.add_argument("-o", "--output", default=str(data_dir() / ALIAS_FILES[1]))
    args = parser.parse_args(argv)
    table = build(galaxy=args.galaxy, groups=args.groups)
    table.to_csv(args.output, index=False, lineterminator="\n")
    print(f"{args.output}: {len(table)} rows, {table['canonical'].nunique()} actors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
