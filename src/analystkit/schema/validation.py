"""Checking and coercing one table: one step per kind of column, then the dates.

:func:`validate` runs the step of each column's kind (:data:`CHECKS`) in the table's column
order, each appending a :class:`Problem` per bad cell and returning the coerced column, and then
parses the date columns once their precisions are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import COLUMNS, SLUG_IDS, Column
from .dates import coerce_dates
from .problems import Problem, ValidationError
from .vocab import (
    CREDIBILITY_MEANING,
    PRECISIONS,
    RELIABILITY,
    TLP_LEVELS,
    country_code,
    country_codes,
    normalise_tlp,
)

__all__ = ["CHECKS", "LIST_SEPARATOR", "Checking", "empty", "slug_id", "text_cells", "validate",
           "validate_entities", "validate_events", "validate_relations", "validate_sources"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9._-]+")


def slug_id(text: object, *, prefix: str = "s", max_len: int = 80) -> str:
    """``text`` as an id the tables accept (``source_id``, ``relation_id``, an incident): lowercase
    letters, digits, ``.``, ``_`` and ``-``; ``prefix`` when nothing of the text is left.

    >>> slug_id("Joint Cybersecurity Advisory LockBit 3.0 MAR 2023")
    'joint-cybersecurity-advisory-lockbit-3.0-mar-2023'
    >>> slug_id("«»", prefix="source"), slug_id("Example News", max_len=7)
    ('source', 'example')
    """
    out = _NOT_SLUG.sub("-", str(text).lower()).strip("-._")[:max_len].rstrip("-._")
    return out if _SLUG.match(out) else prefix


_TRUTH = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}


@dataclass
class Checking:
    """What a column check needs besides the column: where problems go, and the case context."""

    file: str
    problems: list[Problem]
    default_tlp: str | None = None
    source_ids: set[str] | None = None  # ids a ``sources`` cell may cite; None: any

    def add(self, row: int | None, column: str | None, value: object, expected: str) -> None:
        self.problems.append(Problem(self.file, row, column, value, expected))


def text_cells(series: pd.Series) -> pd.Series:
    """Cells as stripped text, with None and NaN as ``""``.

    >>> text_cells(pd.Series([" a ", None, float("nan"), 3])).tolist()
    ['a', '', '', '3']
    """
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip()).astype(object)


#: What separates the items of a list cell (``sources``, ``aliases``) in the case's CSV files.
LIST_SEPARATOR = ";"


def split_ids(value: object) -> tuple[str, ...]:
    """A cell of ``;``-separated ids (or a list of them) as a tuple of stripped ids.

    >>> split_ids("s1; s2;;"), split_ids(["a", " "]), split_ids(None)
    (('s1', 's2'), ('a',), ())
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, (tuple, list)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip())


def check_bools(col: Column, values: pd.Series, at: Checking) -> pd.Series:
    """``true``/``yes``/``1`` or ``false``/``no``/``0``/empty, as booleans."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(bool)
    out = []
    for i, v in enumerate(text_cells(values)):
        key = v.lower()
        if key not in _TRUTH:
            at.add(i + 1, col.name, v, "is not true or false")
        out.append(_TRUTH.get(key, False))
    return pd.Series(out, index=values.index, dtype=bool)


def check_ids(col: Column, values: pd.Series, at: Checking) -> pd.Series:
    """Lists of ids (``sources``) or names (``aliases``); cited sources must be defined."""
    parts = values.map(split_ids)
    for i, ids in enumerate(parts):
        joined = next((v for v in ids if LIST_SEPARATOR in v), None)
        if joined is not None:  # only a list given in memory can hold one: the CSV would split it
            at.add(i + 1, col.name, joined, f"holds {LIST_SEPARATOR!r}, which separates the items of a "
                                             "list in the case's CSV; write it as ','")
        if col.required and not ids:
            at.add(i + 1, col.name, "", "is empty (expected at least one source id)")
        elif col.kind == "ids" and at.source_ids is not None:
            for sid in ids:
                if sid not in at.source_ids:
                    at.add(i + 1, col.name, sid, "is not defined in sources.csv")
    return parts


def check_tlp(col: Column, values: pd.Series, at: Checking) -> list[str]:
    """TLP 2.0 labels; an empty cell takes the case's label (refused when there is none)."""
    labels = []
    for i, v in enumerate(text_cells(values)):
        if not v:
            if at.default_tlp is None:
                at.add(i + 1, col.name, "", f"is empty (expected one of {', '.join(TLP_LEVELS)})")
            labels.append(at.default_tlp or "clear")
            continue
        norm = normalise_tlp(v)
        if norm is None:
            at.add(i + 1, col.name, v, f"is not a TLP 2.0 label (expected one of "
                                       f"{', '.join(TLP_LEVELS)})")
        labels.append(norm or "red")
    return labels


def check_own_tlp(col: Column, values: pd.Series, at: Checking) -> list[str]:
    """A TLP 2.0 label, or empty: the row's marking then comes from the rows that name it."""
    labels = []
    for i, v in enumerate(text_cells(values)):
        norm = normalise_tlp(v) if v else ""
        if norm is None:
            at.add(i + 1, col.name, v, f"is not a TLP 2.0 label (expected one of "
                                       f"{', '.join(TLP_LEVELS)}, or empty to take the strictest "
                                       "marking of the rows that name the entity)")
        labels.append("red" if norm is None else norm)
    return labels


def _expected(col: Column, value: str) -> str:
    """What a bad cell of a vocabulary column should have held, in words."""
    if col.name != "credibility":
        return f"is not a known {col.name} (expected one of {', '.join(col.vocab or PRECISIONS)})"
    hint = (" (the letter is the source's reliability, set in sources.csv; write only the digit)"
            if len(value) == 2 and value[0].upper() in RELIABILITY and value[1] in CREDIBILITY_MEANING
            else "")
    meanings = ", ".join(f"{k} {m}" for k, m in CREDIBILITY_MEANING.items())
    return (f"is not an Admiralty information credibility{hint} (expected one of "
            f"{', '.join(CREDIBILITY_MEANING)}: {meanings}; or empty when not graded)")


def check_vocab(col: Column, values: pd.Series, at: Checking) -> pd.Series:
    """A word from the column's vocabulary (a precision for ``precision`` columns)."""
    text = text_cells(values)
    vocab = col.vocab or PRECISIONS
    norm = text.str.upper() if col.vocab is RELIABILITY else text.str.lower()
    if col.name == "credibility":  # a digit typed as a number: 2 or 2.0
        norm = norm.str.replace(r"^(\d)\.0+$", r"\1", regex=True)
    for i, v in enumerate(norm):
        if v and v not in vocab:
            at.add(i + 1, col.name, text.iat[i], _expected(col, text.iat[i]))
        elif not v and col.required:
            at.add(i + 1, col.name, "", f"is empty (expected one of {', '.join(vocab)})")
    return norm


def check_country(col: Column, values: pd.Series, at: Checking) -> pd.Series:
    """An ISO 3166-1 alpha-2 code, upper-cased."""
    text = text_cells(values)
    countries = country_codes()
    norm = text.str.upper()
    for i, v in enumerate(norm):
        if v and v not in countries:
            near = country_code(text.iat[i])
            hint = f" (did you mean {near}?)" if near else ""
            at.add(i + 1, col.name, text.iat[i], f"is not an ISO 3166-1 alpha-2 country code{hint}")
    return norm


_C1 = re.compile("[\u0080-\u009f]")


def check_controls(col: Column, text: pd.Series, at: Checking) -> None:
    """Refuse C1 control characters (U+0080–U+009F): no real text holds them, but Windows-1252
    text read as Latin-1 does (its – ‘ ’ “ ” become U+0096, U+0091 …)."""
    hits = text.str.contains(_C1)
    for i in np.flatnonzero(hits.to_numpy(dtype=bool)):
        v = text.iat[i]
        ch = _C1.search(v).group(0)
        try:
            meant = f" (in Windows-1252 it is {ch.encode('latin-1').decode('cp1252')!r})"
        except UnicodeDecodeError:
            meant = ""
        at.add(i + 1, col.name, v, f"holds the control character U+{ord(ch):04X}{meant}: probably "
                                   "Windows-1252 text (as Excel saves CSV) read as Latin-1; read "
                                   "it with encoding='cp1252' or save it as UTF-8")


def check_text(col: Column, values: pd.Series, at: Checking) -> pd.Series:
    """Free text; a required cell must be filled, and ids must be unique (and slugs)."""
    text = text_cells(values)
    check_controls(col, text, at)
    if col.required:
        for i, v in enumerate(text):
            if not v:
                at.add(i + 1, col.name, "", "is empty (required)")
    if col.kind == "id" and col.name in SLUG_IDS:
        for i, v in enumerate(text):
            if v and not _SLUG.match(v):
                at.add(i + 1, col.name, v, "is not an id (expected lowercase letters, digits, "
                                           "'-', '.', '_', e.g. rm-001)")
    if col.kind == "id":
        dupes = text[text.duplicated(keep="first") & text.ne("")]
        for i, v in dupes.items():
            first = int(text[text.eq(v)].index[0]) + 1
            at.add(int(i) + 1, col.name, v, f"duplicates the id of row {first} (ids must be unique)")
    return text


#: The check each kind of column gets (``date`` columns are parsed after, by ``coerce_dates``).
CHECKS: dict[str, Callable[[Column, pd.Series, Checking], object]] = {
    "bool": check_bools, "ids": check_ids, "list": check_ids, "tlp": check_tlp,
    "own_tlp": check_own_tlp,    "vocab": check_vocab, "precision": check_vocab, "country": check_country,
    "id": check_text, "text": check_text,
}


def missing_columns(table: str, data: pd.DataFrame, at: Checking) -> bool:
    """Report the required columns ``data`` lacks (as one problem); True when there are any."""
    missing = [c.name for c in COLUMNS[table] if c.required and c.name not in data.columns]
    if missing:
        at.add(None, None, None, f"missing required column{'s' if len(missing) > 1 else ''} "
                                 f"{', '.join(repr(m) for m in missing)} (found: "
                                 f"{', '.join(map(str, data.columns)) or 'no columns'})")
    return bool(missing)


def with_all_columns(table: str, data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` with every column of ``table`` (empty ones added), extras last."""
    spec = COLUMNS[table]
    df = data.reset_index(drop=True).copy()
    known = {c.name for c in spec}
    extras = [c for c in df.columns if c not in known]
    for col in spec:
        if col.name not in df.columns:
            df[col.name] = pd.Series([""] * len(df), dtype=object)
    return df[[c.name for c in spec] + extras]


def validate(table: str, data: pd.DataFrame, *, file: str | None = None,
             default_tlp: str | None = None, source_ids: Iterable[str] | None = None,
             problems: list[Problem] | None = None) -> pd.DataFrame:
    """Check and coerce one table; return a new DataFrame or raise :class:`ValidationError`.

    Parameters
    ----------
    table : {'events', 'relations', 'entities', 'sources'}
    data : DataFrame as read (text cells) or as built in Python (timestamps allowed).
    file : name used in messages (defaults to ``<table>.csv``).
    default_tlp : label given to rows whose ``tlp`` cell is empty; if None such rows are refused.
    source_ids : ids that ``sources`` cells may reference; None skips that check.
    problems : if given, problems are appended to it instead of being raised.

    Examples
    --------
    >>> raw = pd.DataFrame({"event_id": ["e1"], "start": ["2023-01"], "category": ["intrusion"],
    ...                     "title": ["Break-in"], "status": ["reported"], "sources": ["s1"],
    ...                     "tlp": ["TLP:CLEAR"]})
    >>> ev = validate("events", raw)
    >>> ev.loc[0, "start"], ev.loc[0, "precision"], ev.loc[0, "tlp"], ev.loc[0, "sources"]
    (Timestamp('2023-01-01 00:00:00+0000', tz='UTC'), 'month', 'clear', ('s1',))
    >>> validate("events", raw.assign(start="2022-101-27"))
    Traceback (most recent call last):
    ...
    analystkit.schema.ValidationError: 1 problem found:
      - events.csv, line 2 (row 1), column 'start': value '2022-101-27' is not a real date (expected e.g. 2023-01-10, 2023-01, 2023 or 2023-01-12T13:44:00Z)
    """
    if table not in COLUMNS:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(COLUMNS)}")
    own = problems is None
    at = Checking(file or f"{table}.csv", [] if own else problems, default_tlp,
                  None if source_ids is None else set(source_ids))
    start_count = len(at.problems)
    if missing_columns(table, data, at):
        if own:
            raise ValidationError(at.problems)
        return data
    df = with_all_columns(table, data)
    for col in COLUMNS[table]:
        if col.kind != "date":  # dates are parsed after their precision is known
            df[col.name] = CHECKS[col.kind](col, df[col.name], at)
    coerce_dates(table, df, at.file, at.problems)
    if len(at.problems) > start_count and own:
        raise ValidationError(at.problems)
    return df


def validate_events(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`validate` for the events table."""
    return validate("events", data, **kwargs)


def validate_relations(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`validate` for the relations table."""
    return validate("relations", data, **kwargs)


def validate_entities(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`validate` for the entities table."""
    return validate("entities", data, **kwargs)


def validate_sources(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`validate` for the sources table."""
    return validate("sources", data, **kwargs)


def empty(table: str) -> pd.DataFrame:
    """A valid, empty table with every column of ``table``.

    >>> list(empty("sources").columns)
    ['source_id', 'name', 'url', 'published', 'reliability', 'tlp']
    """
    frame = pd.DataFrame({c.name: pd.Series([], dtype=object) for c in COLUMNS[table]})
    return validate(table, frame)
