"""Briefing files: one chart dressed and saved (:func:`save`), or a whole pack (:func:`brief`).

``chart`` holds the furniture (title, TLP banner, as-of date, numbered source caption, alt text)
and the deterministic PNG / SVG / PDF writer; ``pack`` builds the briefing pack on top of it
(:func:`brief`).
"""

from __future__ import annotations

from ..theme import SIZES
from .chart import FORMATS, RC, Furniture, caption, furnished, save, text_width, wrap
from .pack import brief

__all__ = ["FORMATS", "RC", "SIZES", "Furniture", "brief", "caption", "furnished", "save", "text_width",
           "wrap"]
