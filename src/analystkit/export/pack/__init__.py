"""The briefing pack: a case shared at one TLP level, turned into a folder an analyst can send.

``data`` (the pack at its level: shared tables, numbered sources, wording), ``charts`` (its
charts, each with title, alt text and sources), ``html`` and ``pdf`` (the two documents) and
``write`` (:func:`brief`, which writes them all with CSV copies of the tables).
"""

from __future__ import annotations

from .data import CHARTS, Chart, Pack, prepare
from .write import brief

__all__ = ["CHARTS", "Chart", "Pack", "brief", "prepare"]
