"""Leak-site posts files as columns: JSON (an array, an object holding one, or JSON Lines) and CSV.

Field names are brought to the ransomwatch names (``group_name``, ``post_title``, ``discovered``)
by :func:`standard_fields`, so a ransomware.live v2 record, a CSV export with ``actor, victim,
date`` columns and a hand-made table are read the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from ..schema import Problem, show_value
from ..tables import UnreadableFileError, guess_encoding, json_encoding, read_json_text, read_table

__all__ = ["FIELD_WORDS", "OPTIONAL", "PostsError", "columns_from_csv", "columns_from_records",
           "detect", "load_records", "standard_fields"]

#: Optional post fields kept when a file has them.
OPTIONAL = ("country", "sector", "website")
#: Column names read as each post field (compared lower-case, spaces and hyphens as ``_``).
FIELD_WORDS = {
    "group_name": ("group_name", "group", "gang", "actor", "threat_actor", "ransomware_group",
                   "ransomware", "operator"),
    "post_title": ("post_title", "victim", "victim_name", "title", "company", "organisation",
                   "organization", "target"),
    "discovered": ("discovered", "date", "claim_date", "claimed", "first_seen", "seen", "posted"),
    "published": ("published",),
    "attackdate": ("attackdate", "attack_date"),
    "sector": ("sector", "activity", "industry"),
    "website": ("domain", "website", "victim_domain", "url"),
    "country": ("country", "country_code"),
}
_WORD_FIELD = {word: field for field, words in FIELD_WORDS.items() for word in words}
_PYTHON_DICT = re.compile(r"^\s*\{\s*'")


@dataclass
class PostsError(ValueError):
    """A feed file that cannot be read; names the file, the record, the field and the value."""

    file: str
    record: int | None
    field: str | None
    value: object
    problem: str

    def __str__(self) -> str:
        where = self.file
        if self.record is not None:
            where += f", record [{self.record}]"
        if self.field is not None:
            where += f", field '{self.field}'"
        value = "" if self.value is None else f"value {show_value(self.value)} "
        return f"{where}: {value}{self.problem}"


def load_records(path: Path) -> list:
    """The records of a JSON posts file: an array, an object holding one array, or JSON Lines.

    A file of one Python dict per line (``{'group_name': ...}``, what ``print(record)`` writes) is
    refused with a message that says so.
    """
    text = read_json_text(path, kind="posts")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if _PYTHON_DICT.match(text):
            raise PostsError(str(path), None, None, None,
                             "holds one Python dict per line (single quotes), not JSON: write the "
                             "records with json.dump (an array) or one json.dumps per line") from None
        if exc.msg == "Extra data" and text.lstrip("\ufeff \t\r\n").startswith("{"):
            return _json_lines(text, path)
        raise PostsError(str(path), failing_record(text), None, None,
                         f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                         "(is the file truncated?)") from exc
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise PostsError(str(path), None, None, None,
                             "holds a JSON object; expected an array of posts")
        data = data[lists[0]]
    if not isinstance(data, list):
        raise PostsError(str(path), None, None, None, "expected a JSON array of posts")
    return data


def _json_lines(text: str, path: Path) -> list:
    """One JSON object per line (blank lines skipped); a bad line is named by its number."""
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PostsError(str(path), None, None, None,
                                 f"line {number} of this JSON Lines file is not JSON: {exc.msg}") from None
    return records


def standard_fields(fields: Iterable[str]) -> dict[str, str]:
    """``{post field: column}`` for the columns that :data:`FIELD_WORDS` reads; for each field the
    first of its words present wins (``group_name`` before ``actor``), matched without case.

    >>> standard_fields(["Group", "Victim", "Date", "notes"])
    {'group_name': 'Group', 'post_title': 'Victim', 'discovered': 'Date'}
    >>> standard_fields(["group_name", "actor", "post_title", "victim", "date"])["group_name"]
    'group_name'
    """
    by_word: dict[str, str] = {}
    for column in fields:
        by_word.setdefault(re.sub(r"[\s-]+", "_", str(column).strip().lower()), column)
    found = {}
    for field, words in FIELD_WORDS.items():
        column = next((by_word[w] for w in words if w in by_word), None)
        if column is not None:
            found[field] = column
    return found


def failing_record(text: str) -> int | None:
    """Index of the first array element that does not parse (for the error message)."""
    decoder = json.JSONDecoder()
    pos = text.find("[")
    if pos < 0:
        return None
    pos, index = pos + 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return index
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return index
        index += 1


def columns_from_records(records: list, path: Path) -> tuple[dict[str, list], set[str]]:
    """The post fields of JSON records as columns, and every field name the records use."""
    if not all(map(isinstance, records, repeat(dict))):
        i = next(i for i, rec in enumerate(records) if not isinstance(rec, dict))
        raise PostsError(str(path), i, None, records[i], "is not a JSON object (expected one post)")
    fields: set[str] = set().union(*records)  # every record: a field may first appear late
    return {field: list(map(dict.get, records, repeat(column)))
            for field, column in standard_fields(sorted(fields)).items()}, fields


def columns_from_csv(path: Path) -> tuple[dict[str, list], set[str]]:
    """The post fields of a CSV file as columns, and its column names."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        looks = guess_encoding(data)
        said = f"it looks like {looks} text" if looks else "its encoding is not one the kit knows"
        raise UnreadableFileError(path, f"is not valid UTF-8: byte 0x{data[exc.start]:02x} on "
                                        f"line {line}; {said}: save it as UTF-8") from None
    problems: list[Problem] = []
    frame = read_table(path, problems=problems)
    if frame is None:  # the first reason: the line and field counts of a bad row, for instance
        p = problems[0]
        raise PostsError(str(path), None if p.row is None else p.row + 1, p.column, p.value,
                         p.expected)
    return {field: frame[column].tolist()
            for field, column in standard_fields(frame.columns).items()}, set(frame.columns)


def detect(path: Path) -> str:
    """``'json'`` or ``'csv'``, from the first character that is not white space (read in the
    encoding JSON's own rules point to, so a UTF-16 posts file is still seen to be JSON)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    head_text = head.decode(json_encoding(head), errors="ignore").lstrip("\ufeff \t\r\n")
    if not head_text:
        raise PostsError(str(path), None, None, None, "is empty (expected a JSON array or CSV)")
    return "json" if head_text[:1] in ("[", "{") else "csv"


