"""What validation reports: one :class:`Problem` per bad cell, gathered in a :class:`ValidationError`.

Row numbers are 1-based data rows; ``line`` is the line in the CSV file (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Problem", "ValidationError", "as_mapping", "show_value"]


#: The longest a value is quoted in a message, ellipsis included.
SHOWN = 120


def show_value(value: object) -> str:
    """A value as quoted in messages: repr for text, cut to :data:`SHOWN` characters with an
    ellipsis.

    Only the start of a long text is ever copied, so a cell of 200 MB costs no more to quote
    than one of 200 bytes.

    >>> show_value("x"), show_value(3), len(show_value("y" * 10**8)), show_value("y" * 200)[-3:]
    ("'x'", '3', 120, 'yy…')
    """
    cut = isinstance(value, str) and len(value) > SHOWN
    text = repr(value[:SHOWN]) if isinstance(value, str) else str(value)
    return text if len(text) <= SHOWN and not cut else text[:SHOWN - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or a whole file when ``row`` is None)."""

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row + 1} (row {self.row})"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f"value {show_value(self.value)} "
        return f"{where}: {value}{self.expected}"


@dataclass
class ValidationError(ValueError):
    """Raised with every problem found; ``str()`` lists them one per line.

    A problem found twice (the same words about the same cell) is kept once, in the order first
    found.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.problems = list({str(p): p for p in self.problems}.values())

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


# Shown (in tracebacks, reprs and pickles) under the package that users import them from.
Problem.__module__ = ValidationError.__module__ = "analystkit.schema"


def as_mapping(problems: Iterable[Problem]) -> list[Mapping[str, object]]:
    """Problems as plain dicts (for widgets and JSON output)."""
    return [{"file": p.file, "row": p.row, "column": p.column, "value": p.value,
             "expected": p.expected} for p in problems]
