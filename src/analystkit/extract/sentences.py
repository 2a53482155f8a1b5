"""An article's text as sentences, each with its character offsets in the text.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quote or bracket) followed by a space
and a capital letter, a digit or an opening quote, or at a line break; not after the
abbreviations news writing uses (``Mr.``, ``Dr.``, ``U.S.``, ``Inc.``, ``No.``, initials) nor
inside a number (``2.5``). Written by hand: a trained splitter would be one more model to
download for what these few rules do on news prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]

_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "gov", "sen", "rep", "lt", "col", "sgt",
    "inc", "ltd", "co", "corp", "plc", "llc", "bros", "no", "nos", "vs", "etc", "e.g", "i.e", "al",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "u.n", "e.u", "approx", "est", "dept", "fig", "p.m", "a.m"})
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and where it is (``text[start:end]``)."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their offsets.

    >>> [s.text for s in split_sentences("Mr. Lee said U.S. firms lost $2.5m. Systems fell. Why?")]
    ['Mr. Lee said U.S. firms lost $2.5m.', 'Systems fell.', 'Why?']
    >>> s = split_sentences("One.  Two.")[1]
    >>> s.text, s.start, s.end
    ('Two.', 6, 10)
    """
    out: list[Sentence] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(0)[0] != "\n" and _abbreviation(text, m.start()):
            continue
        _add(out, text, start, m.end())
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _abbreviation(text: str, at: int) -> bool:
    """Whether the full stop at ``at`` ends an abbreviation or an initial, not a sentence."""
    if text[at] != ".":
        return False
    word = re.search(r"(?<![0-9])([A-Za-z][A-Za-z.]*)$", text[max(0, at - 12):at])
    if word is None:  # "the 21st." ends a sentence: an ordinal is no abbreviation
        return False
    w = word.group(1).lower()
    return w in _ABBREVIATIONS or (len(w) == 1 and text[at - 1].isupper())


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    body = piece.strip()
    if body:
        out.append(Sentence(body, start + lead, start + lead + len(body)))
