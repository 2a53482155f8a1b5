"""The one window the test suite and benchmarks have into the kit's internals.

Tests check some private steps against their public results (the bulk title tidier against the
one-by-one path, the reader's id and confidence rules against STIX); they import those steps
from here, never from a private module, so that moving an internal touches this file alone.
"""

from __future__ import annotations

from .io._common import STATUS_CONFIDENCE, confidence_to_status, stable_uuid
from .io._titles import tidy_titles

__all__ = ["STATUS_CONFIDENCE", "confidence_to_status", "stable_uuid", "tidy_titles"]
