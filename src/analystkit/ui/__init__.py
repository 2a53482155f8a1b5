"""Notebook front-ends: the explorer, the event-entry form and the candidate reviewer
(ipywidgets, imported lazily).

Widgets hold no analysis of their own: they collect values and call the same public functions a
notebook cell would (filters, plots, ``export.save``, ``Case.save``). ipywidgets itself is
imported only when a widget is built, so importing this package needs only the core libraries.
"""

from __future__ import annotations

from .explorer import Explorer, explore, forget
from .form import FIELDS, add_event, event_form
from .reviewer import candidate_review

__all__ = ["FIELDS", "Explorer", "add_event", "candidate_review", "event_form", "explore", "forget"]
