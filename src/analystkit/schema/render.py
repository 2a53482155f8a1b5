"""A validated table back as text cells: the inverse of :func:`analystkit.schema.validate`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import column_of
from .dates import format_date
from .validation import LIST_SEPARATOR

__all__ = ["to_text"]

#: The column holding the precision of each date column (other dates are written as days).
_PRECISION_OF = {"start": "precision", "end": "end_precision", "date": "precision"}


def to_text(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """The validated ``df`` as a frame of strings, ready to be written as CSV.

    Dates are written in the form of their precision, booleans as ``true``/``false`` and id
    lists joined with ``;``; extra (user) columns are kept after the known ones. A sparse column
    (``credibility``) that no row fills is left out, so older files keep their exact form.

    >>> from analystkit.schema import validate
    >>> src = validate("sources", pd.DataFrame({"source_id": ["s1"], "name": ["Blog"],
    ...                                         "published": ["2023-01-12"], "tlp": ["clear"]}))
    >>> to_text("sources", src).iloc[0].tolist()
    ['s1', 'Blog', '', '2023-01-12', '', 'clear']
    """
    out = pd.DataFrame(index=df.index)
    for name in df.columns:
        col = column_of(table, name)
        s = df[name]
        if col is not None and col.sparse and not s.map(lambda v: isinstance(v, str) and v).any():
            continue
        if col is not None and col.kind == "date":
            if name in _PRECISION_OF:
                out[name] = [format_date(t, p) for t, p in zip(s, df[_PRECISION_OF[name]],
                                                               strict=True)]
            else:
                out[name] = [format_date(t, "day") for t in s]
        elif col is not None and col.kind == "bool":
            out[name] = s.map(lambda v: "true" if v else "false")
        elif col is not None and col.kind in ("ids", "list"):
            out[name] = s.map(LIST_SEPARATOR.join)
        else:
            out[name] = s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                              else str(v))
    return out
