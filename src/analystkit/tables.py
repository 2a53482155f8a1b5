"""One CSV table of a case folder, read as text cells: encodings recognised (UTF-8 with or
without BOM; Windows-1252 and UTF-16 named when asked for the wrong one), semicolon files
refused with a hint, every problem recorded as a :class:`analystkit.schema.Problem`.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd

from . import schema
from .schema import Problem, ValidationError
from .text import unguard_cell

__all__ = ["read_table"]


def read_table(path: str | os.PathLike, *, encoding: str = "utf-8",
               problems: list[Problem] | None = None) -> pd.DataFrame | None:
    """Read one CSV table as text cells, or record why it cannot be read.

    A UTF-8 byte-order mark is accepted. Other encodings are refused unless ``encoding`` names
    them; a file that looks semicolon-delimited is refused with a hint. Returns None (and
    appends to ``problems``) or raises :class:`ValidationError` when the file is unreadable.
    """
    path = Path(path)
    own = problems is None
    problems = [] if own else problems
    name = path.name
    data = path.read_bytes()
    frame = None
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, None, None, None,
                                f"is not valid {encoding} text: byte 0x{data[exc.start]:02x} on "
                                f"line {line} ({_encoding_hint(data)})"))
        text = None
    if text is not None and not text.strip():
        problems.append(Problem(name, None, None, None,
                                "is empty (expected a header row naming the columns)"))
        text = None
    if text is not None:
        header = text.splitlines()[0]
        if header.count(";") > header.count(",") and header.count(";") >= 1:
            problems.append(Problem(name, None, None, None,
                                    "looks semicolon-delimited (header "
                                    f"{schema.show_value(header)}); save it comma-separated"))
        else:
            try:
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                    na_filter=False)
                frame = frame.map(unguard_cell) if len(frame) else frame
            except (pd.errors.ParserError, csv.Error) as exc:
                problems.append(Problem(name, None, None, None, f"is not readable CSV ({exc})"))
    if own and problems:
        raise ValidationError(problems)
    return frame


def _encoding_hint(data: bytes) -> str:
    """What to do about bytes that are not valid in the encoding asked for: Windows-1252 (what
    Excel saves on Windows) and UTF-16 are recognised; Latin-1 is never suggested, since it reads
    Windows-1252's dashes and quotes as invisible control characters.

    >>> _encoding_hint("Ransom note – ‘pay’".encode("cp1252"))
    "it looks like Windows-1252, as Excel saves CSV: save it as UTF-8, or read it with encoding='cp1252'"
    >>> _encoding_hint("title".encode("utf-16"))
    "it is UTF-16 text: save it as UTF-8, or read it with encoding='utf-16'"
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "it is UTF-16 text: save it as UTF-8, or read it with encoding='utf-16'"
    try:
        data.decode("utf-8-sig")
        return "it is UTF-8 text: read it with encoding='utf-8', the default"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "save it as UTF-8; its encoding is neither UTF-8 nor Windows-1252"
    return ("it looks like Windows-1252, as Excel saves CSV: save it as UTF-8, or read it with "
            "encoding='cp1252'")
