"""Any table of claims as a posts table: a DataFrame with actor, victim and date columns.

An analyst's own spreadsheet, another tool's export or a hand-made DataFrame rarely uses the feed
names (``group_name``, ``post_title``, ``discovered``). :func:`as_posts` finds its columns by the
same words the file reader uses (:data:`analystkit.io._postfiles.FIELD_WORDS`: ``actor``,
``group``, ``victim``, ``title``, ``date``, ``domain``, ...) and puts the rows through the same
tidying, alias merging and collapsing as a feed file, so every function that takes a posts table
takes such a table too.
"""

from __future__ import annotations

import os

import pandas as pd

from ..schema import POSTS_COLUMNS
from ._common import tame_column
from ._postfiles import FIELD_WORDS, standard_fields
from .leaksites import collapse_posts, empty_posts, parse_dates

__all__ = ["as_posts", "is_posts_table", "standard_fields"]


def is_posts_table(table: pd.DataFrame) -> bool:
    """True for the kit's own posts table (what :func:`analystkit.read_posts` returns)."""
    return {"date", "actor", "victim", "victim_key"} <= set(table.columns)


def as_posts(table: pd.DataFrame, *, date: str | None = None, feed: str = "table",
             aliases: str | os.PathLike | None = None) -> pd.DataFrame:
    """The kit's posts table of ``table``: a posts table as it is, any other table tidied.

    Parameters
    ----------
    table : a DataFrame with a group column, a victim column and a date column, named as a feed,
        a spreadsheet or a person would (``group_name`` / ``actor`` / ``gang``, ``post_title`` /
        ``victim`` / ``company``, ``discovered`` / ``date`` / ``published``), matched without case.
    date : the date column to use when the table has several.
    feed : the ``feed`` value of the rows (default ``"table"``).
    aliases : alias table to use instead of the kit's.

    Examples
    --------
    >>> df = pd.DataFrame({"Gang": ["lockbit3", "LockBit 3.0"],
    ...                    "Victim": ["royalmailgroup.com", "Royal Mail"],
    ...                    "Date": ["2023-02-07", "2023-02-08"]})
    >>> as_posts(df)[["actor", "victim", "feed"]].values.tolist()
    [['LockBit', 'Royal Mail', 'table'], ['LockBit', 'Royal Mail', 'table']]
    """
    if is_posts_table(table):
        return table
    found = standard_fields(table.columns)
    if date is not None:
        if date not in table.columns:
            raise ValueError(f"the table has no column {date!r} (its columns: "
                             f"{', '.join(map(str, table.columns))})")
        found["discovered"] = date
    elif "discovered" in found and "published" in found:
        raise ValueError(f"the table has two dates, {found['discovered']!r} and {found['published']!r}; "
                         "pass date= to say which is the claim date")
    elif "published" in found:
        found["discovered"] = found.pop("published")
    for field, what in (("group_name", "group"), ("post_title", "victim"), ("discovered", "date")):
        if field not in found:
            raise ValueError(f"the table has no {what} column (looked for "
                             f"{', '.join(FIELD_WORDS[field])}; its columns: "
                             f"{', '.join(map(str, table.columns)) or 'none'})")
    if not len(table):
        return empty_posts()
    cols = {field: tame_column(field, table[column].tolist()) for field, column in found.items()
            if field != "published"}
    bad = next((i for i, v in enumerate(cols["group_name"]) if v is None or v != v or not str(v).strip()),
               None)
    if bad is not None:
        raise ValueError(f"row {bad}, column {found['group_name']!r}: empty (every claim needs a group)")
    for field in ("group_name", "post_title"):  # a missing title is an empty one
        cols[field] = ["" if v is None or v != v else str(v) for v in cols[field]]
    dates = parse_dates(pd.Series(cols.pop("discovered"), dtype=object), "the table",
                        found["discovered"], 0)
    out = collapse_posts(cols, dates, feed, aliases=aliases)[list(POSTS_COLUMNS)]
    chosen = str(found["discovered"]).strip().lower()
    out.attrs["date"] = chosen if chosen in ("discovered", "published") else "date"
    return out
