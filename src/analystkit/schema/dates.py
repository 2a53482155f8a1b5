"""Dates with a precision: reading the forms a date may be written in, and writing them back.

A date is written in the form of its precision: ``2023`` (year), ``2023-01`` (month),
``2023-01-10`` (day or approximate) or ``2023-01-12T13:44:00Z`` (exact). Parsed dates are UTC
timestamps rounded down to the start of their precision period.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..times import utc, utc_series
from .columns import COLUMNS
from .problems import Problem

__all__ = ["DATE_FORMS", "coerce_dates", "floor_to_precision", "format_date", "infer_precision",
           "is_missing", "parse_dates"]

#: Each written form of a date: the pattern it matches and how messages show it.
DATE_FORMS = {
    "year": (re.compile(r"^\d{4}$"), "YYYY"),
    "month": (re.compile(r"^\d{4}-\d{2}$"), "YYYY-MM"),
    "day": (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "YYYY-MM-DD"),
    "exact": (re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"),
              "YYYY-MM-DDTHH:MM:SSZ"),
}
_FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
_UTC = "datetime64[ns, UTC]"
#: The date columns of each table, each with the column that holds its precision (if any).
DATE_COLUMNS = {"events": [("start", "precision"), ("end", "end_precision")],
                "relations": [("date", "precision")], "sources": [("published", None)]}


def infer_precision(text: str) -> str | None:
    """Precision implied by the written form of a date, or None if it is not a date form.

    >>> [infer_precision(t) for t in ("2023", "2023-01", "2023-01-10", "2023-01-12T13:44Z", "x")]
    ['year', 'month', 'day', 'exact', None]
    """
    for precision, (pattern, _) in DATE_FORMS.items():
        if pattern.match(text):
            return precision
    return None


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pd.NA (but not for an empty string).

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NaT), is_missing("")
    (True, True, True, False)
    """
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_date(stamp: pd.Timestamp | None, precision: str) -> str:
    """Write a UTC timestamp in the form its precision calls for (the inverse of parsing).

    A naive stamp is read as UTC.

    >>> t = pd.Timestamp("2023-01-12T13:44:00Z")
    >>> [format_date(t, p) for p in ("exact", "day", "approximate", "month", "year")]
    ['2023-01-12T13:44:00Z', '2023-01-12', '2023-01-12', '2023-01', '2023']
    """
    if stamp is None or pd.isna(stamp):
        return ""
    stamp = utc(stamp)
    if precision == "exact":
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
        if stamp.microsecond:
            text += f".{stamp.microsecond:06d}".rstrip("0")
        return text + "Z"
    return stamp.strftime({"month": "%Y-%m", "year": "%Y"}.get(precision, "%Y-%m-%d"))


def written_forms(text: pd.Series) -> pd.Series:
    """The form each cell is written in (``year`` … ``exact``), or ``""`` for none.

    >>> written_forms(pd.Series(["2023", "2023-01-10", "soon", ""])).tolist()
    ['year', 'day', '', '']
    """
    written = pd.Series("", index=text.index, dtype=object)
    for form, (pattern, _) in DATE_FORMS.items():
        written = written.mask(written.eq("") & text.str.match(pattern), form)
    return written


def form_mismatches(wanted: pd.Series, written: pd.Series, precisions: pd.Series) -> dict[int, str]:
    """Why each row (by position) written in another form than its precision wants is refused."""
    bad: dict[int, str] = {}
    for form, (_, shape) in DATE_FORMS.items():
        mismatch = wanted.eq(form) & written.ne("") & written.ne(form)
        for i in np.flatnonzero(mismatch.to_numpy(bool)):
            bad[int(i)] = (f"does not match precision '{precisions.iat[i]}' "
                           f"(expected a date written {shape})")
    return bad


def parse_forms(text: pd.Series, wanted: pd.Series, written: pd.Series, out: pd.Series) -> None:
    """Parse, one vectorised call per form, the rows written in the form they want (into ``out``)."""
    for form in DATE_FORMS:
        rows = wanted.eq(form) & written.eq(form)
        if not rows.any():
            continue
        if form == "exact":
            parsed = pd.to_datetime(text[rows].str.replace(" ", "T", n=1), utc=True,
                                    errors="coerce", format="ISO8601")
        else:
            parsed = utc_series(pd.to_datetime(text[rows], format=_FORMATS[form], errors="coerce"))
        out[rows] = parsed.astype(_UTC)


def parse_dates(values: pd.Series, precisions: pd.Series, column: str, file: str,
                problems: list[Problem], required: bool = False) -> pd.Series:
    """Parse a date column whose written form must match its precision; return UTC timestamps.

    Vectorised: each written form (year, month, day, date-time) is parsed in one call, and only
    the rows that fail are looked at one by one to say why.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return utc_series(values)
    out = pd.Series(pd.NaT, index=values.index, dtype=_UTC)
    stamped = values.map(lambda v: isinstance(v, pd.Timestamp)).to_numpy(bool)
    for i in np.flatnonzero(stamped):  # timestamps built in Python: convert as they are
        out.iat[i] = utc(values.iat[i])
    text = values.map(lambda v: "" if isinstance(v, pd.Timestamp) or is_missing(v)
                      else str(v).strip())
    written = written_forms(text)
    wanted = precisions.fillna("").astype(str).replace("approximate", "day")
    # an unknown precision is reported by its own column; parse such dates by their form
    wanted = wanted.where(wanted.isin(list(DATE_FORMS)), written)
    bad = form_mismatches(wanted, written, precisions)
    parse_forms(text, wanted, written, out)
    not_stamped = ~pd.Series(stamped, index=values.index)
    for i in np.flatnonzero((text.ne("") & out.isna() & not_stamped).to_numpy(bool)):
        bad.setdefault(int(i), "is not a real date (expected e.g. 2023-01-10, 2023-01, "
                               "2023 or 2023-01-12T13:44:00Z)")
    if required:
        for i in np.flatnonzero((text.eq("") & not_stamped).to_numpy(bool)):
            bad[int(i)] = "is empty (a date is required)"
    for i in sorted(bad):
        value = "" if bad[i].startswith("is empty") else text.iat[i]
        problems.append(Problem(file, i + 1, column, value, bad[i]))
    out[list(bad)] = pd.NaT
    return out


def floor_to_precision(stamps: pd.Series, precisions: pd.Series) -> pd.Series:
    """Round timestamps down to the start of their precision period (a month → its 1st, 00:00).

    >>> t = pd.Series(pd.to_datetime(["2023-05-17T10:00Z"] * 3))
    >>> floor_to_precision(t, pd.Series(["day", "month", "year"])).dt.strftime("%Y-%m-%d %H").tolist()
    ['2023-05-17 00', '2023-05-01 00', '2023-01-01 00']
    """
    out = stamps.copy()
    for precision, freq in (("day", "D"), ("approximate", "D")):
        mask = precisions.eq(precision) & stamps.notna()
        if mask.any():
            out[mask] = stamps[mask].dt.floor(freq)
    for precision, fmt in (("month", "%Y-%m-01"), ("year", "%Y-01-01")):
        mask = precisions.eq(precision) & stamps.notna()
        if mask.any():
            out[mask] = utc_series(pd.to_datetime(stamps[mask].dt.strftime(fmt)))
    return out.astype(_UTC)


def precisions_of(df: pd.DataFrame, date_col: str, prec_col: str | None) -> pd.Series:
    """The precision of each date in ``df[date_col]``: as given, else as its form implies.

    An end's precision defaults to the start's, unless the end is written in another form.
    """
    raw = df[date_col]
    if prec_col is None:
        return pd.Series(["day"] * len(df), index=df.index, dtype=object)
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
    return precisions.where(~empty, fallback)


def has_date(raw: pd.Series) -> pd.Series:
    """Which cells hold a date at all (not missing, not blank text)."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.notna()
    return raw.map(lambda v: not (is_missing(v) or (isinstance(v, str) and not v.strip())))


def check_periods(df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Refuse events that end before they start, and ongoing events with an end."""
    backwards = (df["end"] < df["start"]).to_numpy(bool)
    for i in np.flatnonzero(backwards):
        start, end = df["start"].iat[i], df["end"].iat[i]
        problems.append(Problem(file, int(i) + 1, "end", end.strftime("%Y-%m-%d"),
                                f"is before start {start:%Y-%m-%d} (a period must not "
                                "end before it starts)"))
    for i in np.flatnonzero((df["ongoing"] & df["end"].notna()).to_numpy(bool)):
        problems.append(Problem(file, int(i) + 1, "ongoing", "true",
                                "conflicts with a filled end (an ongoing period has no end)"))


def coerce_dates(table: str, df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Parse the date columns of ``df`` in place, inferring missing precisions."""
    for date_col, prec_col in DATE_COLUMNS.get(table, []):
        raw = df[date_col]
        precisions = precisions_of(df, date_col, prec_col)
        if prec_col is not None:
            df[prec_col] = precisions.where(has_date(raw), "").astype(object)
        required = any(c.required for c in COLUMNS[table] if c.name == date_col)
        parsed = parse_dates(raw, precisions, date_col, file, problems, required)
        df[date_col] = floor_to_precision(parsed, precisions)
    if table == "events":
        check_periods(df, file, problems)
