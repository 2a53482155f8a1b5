"""The notebook-facing name of :mod:`analystkit.ui`: ``ak.widgets.explore(...)``,
``ak.widgets.event_form(...)``, ``ak.widgets.add_event(...)``, ``ak.widgets.candidate_review(...)``.

Everything lives in :mod:`analystkit.ui`; this module only gives it the short name the notebooks
and the README use.
"""

from __future__ import annotations

from .ui import FIELDS, Explorer, add_event, candidate_review, event_form, explore

__all__ = ["FIELDS", "Explorer", "add_event", "candidate_review", "event_form", "explore"]
