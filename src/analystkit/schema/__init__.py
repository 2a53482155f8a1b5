"""The kit's four tables: every column, type and vocabulary, and their validation.

One definition of each column lives here. Readers call :func:`validate` on whatever they
parsed; it returns a coerced copy (UTC timestamps, categories, tuples of source ids) or raises a
single :class:`ValidationError` listing *every* problem found, each naming the file, row, column,
offending value and what was expected.

Row numbers are 1-based data rows; ``line`` is the line in the CSV file (the header is line 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "ENTITY_KINDS",
    "POSTS_COLUMNS",
    "PRECISIONS",
    "RELATIONS",
    "RELIABILITY",
    "SECTORS",
    "STATUSES",
    "TLP_LEVELS",
    "Column",
    "Problem",
    "ValidationError",
    "country_codes",
    "empty",
    "format_date",
    "infer_precision",
    "normalise_tlp",
    "show_value",
    "tlp_rank",
    "to_text",
    "validate",
    "validate_entities",
    "validate_events",
    "validate_relations",
    "validate_sources",
]

PRECISIONS = ("exact", "day", "month", "year", "approximate")
CATEGORIES = (
    "intrusion", "disruption", "extortion", "disclosure", "response",
    "recovery", "law-enforcement", "impact", "background",
)
STATUSES = ("confirmed", "reported", "claimed", "disputed")
#: TLP 2.0 labels, least to most restricted.
TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
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

_TLP_SYNONYMS = {"white": "clear", "amber-strict": "amber+strict", "amber strict": "amber+strict"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE_FORMS = {
    "year": (re.compile(r"^\d{4}$"), "YYYY"),
    "month": (re.compile(r"^\d{4}-\d{2}$"), "YYYY-MM"),
    "day": (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "YYYY-MM-DD"),
    "exact": (re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"),
              "YYYY-MM-DDTHH:MM:SSZ"),
}


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, kind, whether it is required, and its vocabulary."""

    name: str
    kind: str  # id | text | date | precision | bool | vocab | tlp | ids | list | country
    required: bool = False
    vocab: tuple[str, ...] = ()
    doc: str = ""


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
_SLUG_IDS = {"event_id", "relation_id", "source_id"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or a whole file when ``row`` is None)."""

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row + 1} (row {self.row})"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f"value {show_value(self.value)} "
        return f"{where}: {value}{self.expected}"


@dataclass
class ValidationError(ValueError):
    """Raised with every problem found; ``str()`` lists them one per line."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def show_value(value: object) -> str:
    """A value as quoted in messages: repr for text, shortened past 80 characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def normalise_tlp(value: object) -> str | None:
    """Return the TLP 2.0 label for ``value`` (``'TLP:WHITE'`` → ``'clear'``), or None.

    >>> normalise_tlp("TLP:AMBER+STRICT"), normalise_tlp("white"), normalise_tlp("pink")
    ('amber+strict', 'clear', None)
    """
    text = str(value).strip().lower()
    text = text.removeprefix("tlp:").strip()
    text = _TLP_SYNONYMS.get(text, text)
    return text if text in TLP_LEVELS else None


def tlp_rank(label: str) -> int:
    """Position of a TLP label from 0 (clear) to 4 (red).

    >>> tlp_rank("amber") > tlp_rank("green")
    True
    """
    norm = normalise_tlp(label)
    if norm is None:
        raise ValueError(f"unknown TLP label {label!r}; expected one of {', '.join(TLP_LEVELS)}")
    return TLP_LEVELS.index(norm)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (from pycountry), e.g. ``"GB"``."""
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def infer_precision(text: str) -> str | None:
    """Precision implied by the written form of a date, or None if it is not a date form.

    >>> [infer_precision(t) for t in ("2023", "2023-01", "2023-01-10", "2023-01-12T13:44Z", "x")]
    ['year', 'month', 'day', 'exact', None]
    """
    for precision, (pattern, _) in _DATE_FORMS.items():
        if pattern.match(text):
            return precision
    return None


def _missing(value: object) -> bool:
    """True for None, NaN, NaT and pd.NA (but not for an empty string)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _parse_dates(values: pd.Series, precisions: pd.Series, table: str, column: str,
                 file: str, problems: list[Problem], required: bool = False) -> pd.Series:
    """Parse a date column whose written form must match its precision; return UTC timestamps.

    Vectorised: each written form (year, month, day, date-time) is parsed in one call, and only
    the rows that fail are looked at one by one to say why.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    stamped = values.map(lambda v: isinstance(v, pd.Timestamp)).to_numpy(bool)
    for i in np.flatnonzero(stamped):  # timestamps built in Python: convert as they are
        raw = values.iat[i]
        out.iat[i] = raw.tz_convert("UTC") if raw.tzinfo else raw.tz_localize("UTC")
    text = values.map(lambda v: "" if isinstance(v, pd.Timestamp) or _missing(v)
                      else str(v).strip())
    wanted = precisions.fillna("").astype(str).replace("approximate", "day")
    written = pd.Series("", index=values.index, dtype=object)
    for form, (pattern, _) in _DATE_FORMS.items():
        written = written.mask(written.eq("") & text.str.match(pattern), form)
    # an unknown precision is reported by its own column; parse such dates by their form
    wanted = wanted.where(wanted.isin(list(_DATE_FORMS)), written)
    bad: dict[int, str] = {}
    for form, (_, shape) in _DATE_FORMS.items():
        mismatch = wanted.eq(form) & written.ne("") & written.ne(form)
        for i in np.flatnonzero(mismatch.to_numpy(bool)):
            bad[int(i)] = (f"does not match precision '{precisions.iat[i]}' "
                           f"(expected a date written {shape})")
        rows = wanted.eq(form) & written.eq(form)
        if not rows.any():
            continue
        if form == "exact":
            parsed = pd.to_datetime(text[rows].str.replace(" ", "T", n=1), utc=True,
                                    errors="coerce", format="ISO8601")
        else:
            fmt = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}[form]
            parsed = pd.to_datetime(text[rows], format=fmt, errors="coerce").dt.tz_localize("UTC")
        out[rows] = parsed.astype("datetime64[ns, UTC]")
    unreadable = text.ne("") & out.isna() & ~pd.Series(stamped, index=values.index)
    for i in np.flatnonzero(unreadable.to_numpy(bool)):
        bad.setdefault(int(i), "is not a real date (expected e.g. 2023-01-10, 2023-01, "
                               "2023 or 2023-01-12T13:44:00Z)")
    if required:
        for i in np.flatnonzero((text.eq("") & ~pd.Series(stamped, index=values.index)).to_numpy(bool)):
            bad[int(i)] = "is empty (a date is required)"
    for i in sorted(bad):
        value = "" if bad[i].startswith("is empty") else text.iat[i]
        problems.append(Problem(file, i + 1, column, value, bad[i]))
    out[[i for i in bad]] = pd.NaT
    return out


def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip()).astype(object)


def _split(value: object) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part.strip() for part in str(value).split(";") if part.strip())


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
    file = file or f"{table}.csv"
    own = problems is None
    problems = [] if own else problems
    start_count = len(problems)
    spec = COLUMNS[table]
    missing = [c.name for c in spec if c.required and c.name not in data.columns]
    if missing:
        problems.append(Problem(file, None, None, None,
                                f"missing required column{'s' if len(missing) > 1 else ''} "
                                f"{', '.join(repr(m) for m in missing)} (found: "
                                f"{', '.join(map(str, data.columns)) or 'no columns'})"))
        if own:
            raise ValidationError(problems)
        return data
    df = data.reset_index(drop=True).copy()
    known = {c.name for c in spec}
    extras = [c for c in df.columns if c not in known]
    for col in spec:
        if col.name not in df.columns:
            df[col.name] = pd.Series([""] * len(df), dtype=object)
    df = df[[c.name for c in spec] + extras]
    valid_sources = None if source_ids is None else set(source_ids)
    countries = None

    for col in spec:
        if col.kind in ("date",):
            continue  # parsed after precision is known
        s = df[col.name]
        if col.kind == "bool":
            df[col.name] = _parse_bools(s, file, col.name, problems)
            continue
        if col.kind in ("ids", "list"):
            parts = s.map(lambda v: () if v is None or (isinstance(v, float) and np.isnan(v))
                          else _split(v))
            for i, ids in enumerate(parts):
                if col.required and not ids:
                    problems.append(Problem(file, i + 1, col.name, "",
                                            "is empty (expected at least one source id)"))
                elif col.kind == "ids" and valid_sources is not None:
                    for sid in ids:
                        if sid not in valid_sources:
                            problems.append(Problem(file, i + 1, col.name, sid,
                                                    "is not defined in sources.csv"))
            df[col.name] = parts
            continue
        text = _text(s)
        if col.kind == "tlp":
            labels = []
            for i, v in enumerate(text):
                if not v:
                    if default_tlp is None:
                        problems.append(Problem(file, i + 1, col.name, "",
                                                f"is empty (expected one of {', '.join(TLP_LEVELS)})"))
                    labels.append(default_tlp or "clear")
                    continue
                norm = normalise_tlp(v)
                if norm is None:
                    problems.append(Problem(file, i + 1, col.name, v,
                                            f"is not a TLP 2.0 label (expected one of "
                                            f"{', '.join(TLP_LEVELS)})"))
                labels.append(norm or "red")
            df[col.name] = labels
            continue
        if col.kind in ("vocab", "precision"):
            vocab = col.vocab or PRECISIONS
            norm = text if col.vocab is RELIABILITY else text.str.lower()
            if col.vocab is RELIABILITY:
                norm = text.str.upper()
            for i, v in enumerate(norm):
                if v and v not in vocab:
                    problems.append(Problem(file, i + 1, col.name, text.iat[i],
                                            f"is not a known {col.name} (expected one of "
                                            f"{', '.join(vocab)})"))
                elif not v and col.required:
                    problems.append(Problem(file, i + 1, col.name, "",
                                            f"is empty (expected one of {', '.join(vocab)})"))
            df[col.name] = norm
            continue
        if col.kind == "country":
            countries = countries or country_codes()
            norm = text.str.upper()
            for i, v in enumerate(norm):
                if v and v not in countries:
                    hint = " (did you mean GB?)" if v == "UK" else ""
                    problems.append(Problem(file, i + 1, col.name, text.iat[i],
                                            f"is not an ISO 3166-1 alpha-2 country code{hint}"))
            df[col.name] = norm
            continue
        if col.required:
            for i, v in enumerate(text):
                if not v:
                    problems.append(Problem(file, i + 1, col.name, "", "is empty (required)"))
        if col.kind == "id" and col.name in _SLUG_IDS:
            for i, v in enumerate(text):
                if v and not _SLUG.match(v):
                    problems.append(Problem(file, i + 1, col.name, v,
                                            "is not an id (expected lowercase letters, digits, "
                                            "'-', '.', '_', e.g. rm-001)"))
        if col.kind == "id":
            dupes = text[text.duplicated(keep="first") & text.ne("")]
            for i, v in dupes.items():
                first = int(text[text.eq(v)].index[0]) + 1
                problems.append(Problem(file, int(i) + 1, col.name, v,
                                        f"duplicates the id of row {first} (ids must be unique)"))
        df[col.name] = text

    _coerce_dates(table, df, file, problems)
    if len(problems) > start_count and own:
        raise ValidationError(problems)
    return df


def _parse_bools(s: pd.Series, file: str, column: str, problems: list[Problem]) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(bool)
    truth = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}
    out = []
    for i, v in enumerate(_text(s)):
        key = v.lower()
        if key not in truth:
            problems.append(Problem(file, i + 1, column, v, "is not true or false"))
        out.append(truth.get(key, False))
    return pd.Series(out, index=s.index, dtype=bool)


def _coerce_dates(table: str, df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Parse the date columns of ``df`` in place, inferring missing precisions."""
    pairs = {"events": [("start", "precision"), ("end", "end_precision")],
             "relations": [("date", "precision")], "sources": [("published", None)]}.get(table, [])
    for date_col, prec_col in pairs:
        raw = df[date_col]
        if prec_col is None:
            precisions = pd.Series(["day"] * len(df), index=df.index, dtype=object)
        else:
            precisions = df[prec_col].copy()
            if date_col == "end":  # end precision defaults to the start's precision
                precisions = precisions.where(precisions.ne(""), df["precision"])
            is_text = raw.map(lambda v: isinstance(v, str))
            inferred = raw.map(lambda v: infer_precision(v.strip()) if isinstance(v, str) else None)
            if date_col == "end":
                # a written end whose form differs from the start's precision keeps its own form
                own = is_text & df[prec_col].eq("") & inferred.notna() & inferred.ne(precisions)
                own &= ~precisions.eq("approximate")
                precisions = precisions.where(~own, inferred)
            empty = precisions.eq("") | precisions.isna()
            stamped = raw.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)))
            if pd.api.types.is_datetime64_any_dtype(raw.dtype):
                stamped = raw.notna()
            fallback = inferred.where(inferred.notna(), stamped.map({True: "exact", False: ""}))
            precisions = precisions.where(~empty, fallback)
            has_value = raw.map(lambda v: not (_missing(v) or (isinstance(v, str) and not v.strip())))
            if pd.api.types.is_datetime64_any_dtype(raw.dtype):
                has_value = raw.notna()
            df[prec_col] = precisions.where(has_value, "").astype(object)
        required = any(c.required for c in COLUMNS[table] if c.name == date_col)
        parsed = _parse_dates(raw, precisions, table, date_col, file, problems, required)
        df[date_col] = _floor_to_precision(parsed, precisions)
    if table == "events":
        backwards = (df["end"] < df["start"]).to_numpy(bool)
        for i in np.flatnonzero(backwards):
            start, end = df["start"].iat[i], df["end"].iat[i]
            problems.append(Problem(file, int(i) + 1, "end", end.strftime("%Y-%m-%d"),
                                    f"is before start {start:%Y-%m-%d} (a period must not "
                                    "end before it starts)"))
        for i in np.flatnonzero((df["ongoing"] & df["end"].notna()).to_numpy(bool)):
            problems.append(Problem(file, int(i) + 1, "ongoing", "true",
                                    "conflicts with a filled end (an ongoing period has no end)"))


def _floor_to_precision(stamps: pd.Series, precisions: pd.Series) -> pd.Series:
    """Round timestamps down to the start of their precision period (a month → its 1st, 00:00)."""
    out = stamps.copy()
    for precision, freq in (("day", "D"), ("approximate", "D")):
        mask = precisions.eq(precision) & stamps.notna()
        if mask.any():
            out[mask] = stamps[mask].dt.floor(freq)
    for precision, fmt in (("month", "%Y-%m-01"), ("year", "%Y-01-01")):
        mask = precisions.eq(precision) & stamps.notna()
        if mask.any():
            out[mask] = pd.to_datetime(stamps[mask].dt.strftime(fmt)).dt.tz_localize("UTC")
    return out.astype("datetime64[ns, UTC]")


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


def id_column(table: str) -> str:
    """Name of the column that identifies a row of ``table``."""
    return _ID_COLUMN[table]


def as_mapping(problems: Iterable[Problem]) -> list[Mapping[str, object]]:
    """Problems as plain dicts (for widgets and JSON output)."""
    return [{"file": p.file, "row": p.row, "column": p.column, "value": p.value,
             "expected": p.expected} for p in problems]


def format_date(stamp: pd.Timestamp | None, precision: str) -> str:
    """Write a UTC timestamp in the form its precision calls for (the inverse of parsing).

    >>> t = pd.Timestamp("2023-01-12T13:44:00Z")
    >>> [format_date(t, p) for p in ("exact", "day", "approximate", "month", "year")]
    ['2023-01-12T13:44:00Z', '2023-01-12', '2023-01-12', '2023-01', '2023']
    """
    if stamp is None or pd.isna(stamp):
        return ""
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
    if precision == "exact":
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
        if stamp.microsecond:
            text += f".{stamp.microsecond:06d}".rstrip("0")
        return text + "Z"
    return stamp.strftime({"month": "%Y-%m", "year": "%Y"}.get(precision, "%Y-%m-%d"))


def to_text(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """The validated ``df`` as a frame of strings, ready to be written as CSV.

    Dates are written in the form of their precision, booleans as ``true``/``false`` and id
    lists joined with ``;``; extra (user) columns are kept after the known ones.
    """
    out = pd.DataFrame(index=df.index)
    precision_of = {"start": "precision", "end": "end_precision", "date": "precision"}
    for name in df.columns:
        col = next((c for c in COLUMNS[table] if c.name == name), None)
        s = df[name]
        if col is not None and col.kind == "date":
            if name in precision_of:
                out[name] = [format_date(t, p) for t, p in zip(s, df[precision_of[name]],
                                                               strict=True)]
            else:
                out[name] = [format_date(t, "day") for t in s]
        elif col is not None and col.kind == "bool":
            out[name] = s.map(lambda v: "true" if v else "false")
        elif col is not None and col.kind in ("ids", "list"):
            out[name] = s.map(lambda v: ";".join(v))
        else:
            out[name] = s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                              else str(v))
    return out
