"""From sources to candidate events: dates, sentences and (later) whole articles.

``article`` reads a page or a text (trafilatura, htmldate), ``sentences`` splits it with
offsets, ``dates`` resolves the date expressions of a sentence ("on Wednesday", "last week", "the
following day") against the publication date, each with its precision and the rule that
resolved it, keeping the date a thing was said apart from the date it happened; ``candidates``
proposes events with the evidence of each field, and ``review`` keeps them in the case's
candidates table until the analyst accepts or rejects them.
"""

from __future__ import annotations

__all__ = ["article", "candidates", "dates", "review", "sentences"]
