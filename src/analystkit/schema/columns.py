"""The four tables' columns (one definition of each), and the leak-site posts table's columns."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .vocab import (
    CATEGORIES,
    CREDIBILITY,
    ENTITY_KINDS,
    RELATIONS,
    RELIABILITY,
    SECTORS,
    STATUSES,
    highest_tlp,
)

__all__ = ["COLUMNS", "POSTS_COLUMNS", "SLUG_IDS", "Column", "column_of", "entity_marks", "id_column",
           "in_conflict", "naming_marks"]


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, kind, whether it is required, and its vocabulary.

    A ``sparse`` column is written to a file only when some row fills it, so that files made
    before the column existed stay as they are (it is added, empty, when a file lacks it).
    """

    name: str
    kind: str  # id | text | date | precision | bool | vocab | tlp | own_tlp | ids | list | country
    required: bool = False
    vocab: tuple[str, ...] = ()
    doc: str = ""
    sparse: bool = False


Column.__module__ = "analystkit.schema"  # shown under the package users import it from

COLUMNS: dict[str, tuple[Column, ...]] = {
    "events": (
        Column("event_id", "id", True, doc="unique id within the case"),
        Column("incident", "text", doc="incident id, e.g. royal-mail-2023"),
        Column("start", "date", True, doc="start of the event (UTC)"),
        Column("end", "date", doc="end of a period; empty for a point event"),
        Column("ongoing", "bool", doc="true for a period still open at the as-of date"),
        Column("precision", "precision", doc="precision of start; inferred from its form if empty"),
        Column("end_precision", "precision", doc="precision of end; defaults to precision"),
        Column("category", "vocab", True, CATEGORIES),
        Column("title", "text", True),
        Column("description", "text"),
        Column("actor", "text", doc="canonical actor name"),
        Column("victim", "text", doc="canonical victim name"),
        Column("status", "vocab", True, STATUSES),
        Column("sources", "ids", True, doc="source ids separated by ';'"),
        Column("tlp", "tlp", doc="TLP 2.0 label; empty takes the case's label"),
        Column("conflict", "text", doc="shared by rows that are rival accounts of one fact"),
        Column("notes", "text"),
        Column("credibility", "vocab", False, CREDIBILITY, sparse=True,
               doc="Admiralty information credibility 1-6 (1 confirmed by other sources ... "
                   "6 truth cannot be judged); empty: not graded"),
    ),
    "relations": (
        Column("relation_id", "id", True),
        Column("source", "text", True, doc="actor (or supplier) name"),
        Column("target", "text", True, doc="victim (or actor) name"),
        Column("relation", "vocab", True, RELATIONS),
        Column("via", "text", doc="supplier through which a via-supplier victim was hit"),
        Column("date", "date"),
        Column("precision", "precision"),
        Column("status", "vocab", True, STATUSES),
        Column("incident", "text"),
        Column("description", "text"),
        Column("sources", "ids", True),
        Column("tlp", "tlp"),
        Column("credibility", "vocab", False, CREDIBILITY, sparse=True,
               doc="Admiralty information credibility 1-6 (1 confirmed by other sources ... "
                   "6 truth cannot be judged); empty: not graded"),
    ),
    "entities": (
        Column("name", "id", True, doc="canonical name"),
        Column("kind", "vocab", True, ENTITY_KINDS),
        Column("aliases", "list", doc="other names separated by ';'"),
        Column("sector", "vocab", False, SECTORS),
        Column("sector_detail", "text"),
        Column("country", "country", doc="ISO 3166-1 alpha-2"),
        Column("domain", "text"),
        Column("description", "text"),
        Column("tlp", "own_tlp", sparse=True,
               doc="TLP 2.0 label of the entity's own record (an imported object's marking); "
                   "empty: the strictest marking of the rows that name it"),
    ),
    "sources": (
        Column("source_id", "id", True),
        Column("name", "text", True),
        Column("url", "text"),
        Column("published", "date"),
        Column("reliability", "vocab", False, RELIABILITY),
        Column("tlp", "tlp"),
    ),
}
#: Columns of the leak-site posts table built by ``analystkit.io.leaksites.read_posts``: one row per
#: distinct (actor, victim, day) claim; ``count`` is how many raw posts collapsed into it.
POSTS_COLUMNS = (
    "date",          # datetime64[ns, UTC]: the event date the analyst chose (discovered / published)
    "actor",         # canonical actor name (LockBit for lockbit2 / lockbit3)
    "group_name",    # the feed's own group name, as written
    "victim",        # tidied victim name for display (entities decoded, truncation marks removed)
    "victim_key",    # matching key (case-folded, legal suffix removed, domain kept)
    "post_title",    # the raw title, untouched
    "count",         # int: raw posts collapsed into this row
    "announcement",  # bool: not a victim (group news, recruitment, ...)
    "country",       # ISO alpha-2 or ""
    "sector",        # free text from the feed or ""
    "website",       # victim website from the feed or ""
    "feed",          # ransomwatch | ransomware.live
)

_ID_COLUMN = {"events": "event_id", "relations": "relation_id", "entities": "name",
              "sources": "source_id"}
#: Id columns whose values must be slugs (``rm-001``); entity names are free text.
SLUG_IDS = frozenset({"event_id", "relation_id", "source_id"})


def id_column(table: str) -> str:
    """Name of the column that identifies a row of ``table``.

    >>> id_column("events"), id_column("entities")
    ('event_id', 'name')
    """
    return _ID_COLUMN[table]


def column_of(table: str, name: str) -> Column | None:
    """The definition of column ``name`` of ``table``, or None for an extra (user) column.

    >>> column_of("events", "start").kind, column_of("events", "my_note")
    ('date', None)
    """
    return next((c for c in COLUMNS[table] if c.name == name), None)


def in_conflict(events: pd.DataFrame) -> pd.Series:
    """True for the events that carry a ``conflict`` slug: one account of a fact sources dispute.

    Rows sharing a slug are rival accounts of one fact; a slug on a single row marks a fact whose
    rival account lives in the row's notes. Either way sources disagree about it.

    >>> in_conflict(pd.DataFrame({"conflict": ["day", "", None, " "]})).tolist()
    [True, False, False, False]
    """
    if "conflict" not in events:
        return pd.Series(False, index=events.index)
    return events["conflict"].map(lambda v: isinstance(v, str) and bool(v.strip())).astype(bool)


#: The columns of each table that name an entity.
_NAMING = {"events": ("actor", "victim"), "relations": ("source", "target", "via")}


def naming_marks(events: pd.DataFrame, relations: pd.DataFrame) -> dict[str, list[str]]:
    """The TLP labels of the rows that name each entity (actor, victim, source, target, via).

    >>> ev = pd.DataFrame({"actor": ["LockBit", "LockBit"], "victim": ["", "Royal Mail"],
    ...                    "tlp": ["clear", "red"]})
    >>> naming_marks(ev, pd.DataFrame(columns=["source", "target", "via", "tlp"]))
    {'LockBit': ['clear', 'red'], 'Royal Mail': ['red']}
    """
    marks: dict[str, list[str]] = {}
    for frame, columns in ((events, _NAMING["events"]), (relations, _NAMING["relations"])):
        for column in columns:
            if column not in frame or "tlp" not in frame:
                continue
            for name, label in zip(frame[column], frame["tlp"], strict=True):
                if isinstance(name, str) and name and isinstance(label, str) and label:
                    marks.setdefault(name, []).append(label)
    return marks


def entity_marks(entities: pd.DataFrame, events: pd.DataFrame, relations: pd.DataFrame, *,
                 default: str) -> pd.Series:
    """Each entity's marking: its own ``tlp``, else the strictest of the rows that name it, else
    ``default`` (an entity no row names).

    >>> ent = pd.DataFrame({"name": ["LockBit", "Royal Mail", "ACME"], "tlp": ["", "", "green"]})
    >>> ev = pd.DataFrame({"actor": ["LockBit", "LockBit"], "victim": ["", ""], "tlp": ["clear", "red"]})
    >>> entity_marks(ent, ev, pd.DataFrame(), default="amber").tolist()
    ['red', 'amber', 'green']
    """
    named = naming_marks(events, relations)
    own = entities["tlp"] if "tlp" in entities else pd.Series("", index=entities.index)
    return pd.Series([mark if isinstance(mark, str) and mark else highest_tlp(named.get(name, ()), default)
                      for name, mark in zip(entities["name"], own, strict=True)],
                     index=entities.index, dtype=object)
