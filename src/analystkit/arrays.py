"""Small numpy helpers the fast paths share."""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_unique"]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array, by one sort (``np.unique`` without
    ``return_index`` hashes first in numpy 2.3+, about ten times slower on a million values).

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
