"""Reading the kit's input files: one CSV table of a case folder as text cells, and the text of
a JSON file in whichever Unicode encoding JSON allows.

Only regular files are opened (a named pipe called ``events.csv`` would make a reader wait for
ever). CSV encodings are recognised (UTF-8 with or without BOM; Windows-1252 and UTF-16 named
when asked for the wrong one); semicolon files, rows with the wrong number of fields and
duplicated header names are refused, each as one :class:`analystkit.schema.Problem`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from pathlib import Path

import pandas as pd

from . import schema
from .schema import Problem, ValidationError
from .text import unguard_cell

__all__ = ["UnreadableFileError", "encoding_hint", "guess_encoding", "json_encoding", "read_json_text",
           "read_regular", "read_table", "regular_file_problem"]

#: Rows with the wrong number of fields listed one by one; the rest are counted in one problem.
_ROWS_SHOWN = 5
_BLANK = [""]


class UnreadableFileError(ValueError):
    """A file that cannot be read as text at all: not a regular file, or its bytes are in no
    encoding the kit reads. ``filename`` is the path; ``str()`` names it and says what to do."""

    def __init__(self, filename: str | os.PathLike, problem: str) -> None:
        super().__init__(f"{filename}: {problem}")
        self.filename = str(filename)
        self.problem = problem


def regular_file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a regular file the kit may open, or None when it is one.

    Only ``os.stat`` is called (symbolic links are followed), so a named pipe is never opened.

    >>> import tempfile
    >>> regular_file_problem(tempfile.gettempdir())
    'is a folder, not a regular file'
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "does not exist"
    if stat.S_ISREG(mode):
        return None
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"is {kind}, not a regular file"


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of ``path``; :class:`UnreadableFileError` when it is not a regular file.

    A missing file raises :class:`FileNotFoundError` with ``filename`` set.
    """
    why = regular_file_problem(path)
    if why == "does not exist":
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if why is not None:
        raise UnreadableFileError(path, f"{why}; name the file itself")
    return Path(path).read_bytes()


def json_encoding(data: bytes) -> str:
    """The Unicode encoding of JSON bytes, by their byte-order mark or, without one, by where
    the null bytes of the first two (ASCII) characters fall (RFC 8259 section 8.1, RFC 4627
    section 3). Bytes that match no pattern are taken as UTF-8.

    >>> [json_encoding(s.encode(e)) for s, e in (("[]", "utf-8"), ("[]", "utf-16"),
    ...                                          ("[]", "utf-16-be"), ("[]", "utf-32-le"))]
    ['utf-8', 'utf-16', 'utf-16-be', 'utf-32-le']
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    nulls = tuple(b == 0 for b in data[:4])
    return {(True, True, True, False): "utf-32-be", (False, True, True, True): "utf-32-le",
            (True, False, True, False): "utf-16-be",
            (False, True, False, True): "utf-16-le"}.get(nulls, "utf-8")


def read_json_text(path: str | os.PathLike, *, kind: str = "JSON") -> str:
    """The text of a JSON file in UTF-8 (BOM or not), UTF-16 or UTF-32.

    Raises :class:`UnreadableFileError` naming the file, the first bad byte and the encoding the
    bytes look like (Windows-1252 or Latin-1, for instance) instead of reading them with
    replacement characters; ``kind`` names the file in that message ("posts", "STIX", ...).
    """
    data = read_regular(path)
    encoding = json_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        looks = guess_encoding(data)
        said = f"it looks like {looks} text" if looks else "its encoding is not one the kit knows"
        name = encoding.replace("-sig", "").upper()
        raise UnreadableFileError(path, f"is not valid {name}: byte 0x{data[exc.start]:02x} on "
                                        f"line {line}; {said}. A {kind} file is JSON in UTF-8 "
                                        "(or UTF-16/UTF-32): save it as UTF-8") from None


def guess_encoding(data: bytes) -> str | None:
    """What encoding bytes that are not UTF-8 look like: UTF-16 (they start with its
    byte-order mark), Windows-1252 or Latin-1 (every byte is defined in Windows-1252), or None.

    >>> guess_encoding("café".encode("latin-1")), guess_encoding("[]".encode("utf-16"))
    ('Windows-1252 or Latin-1', 'UTF-16')
    """
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "UTF-16"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "Windows-1252 or Latin-1"


def encoding_hint(data: bytes) -> str:
    """What to do about CSV bytes that are not valid in the encoding asked for: Windows-1252
    (what Excel saves on Windows) and UTF-16 are recognised; Latin-1 is never suggested, since it
    reads Windows-1252's dashes and quotes as invisible control characters.

    >>> encoding_hint("Ransom note – ‘pay’".encode("cp1252"))
    "it looks like Windows-1252, as Excel saves CSV: save it as UTF-8, or read it with encoding='cp1252'"
    >>> encoding_hint("title".encode("utf-16"))
    "it is UTF-16 text: save it as UTF-8, or read it with encoding='utf-16'"
    """
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "it is UTF-16 text: save it as UTF-8, or read it with encoding='utf-16'"
    try:
        data.decode("utf-8-sig")
        return "it is UTF-8 text: read it with encoding='utf-8', the default"
    except UnicodeDecodeError:
        pass
    if guess_encoding(data) is None:
        return "save it as UTF-8; its encoding is neither UTF-8 nor Windows-1252"
    return ("it looks like Windows-1252, as Excel saves CSV: save it as UTF-8, or read it with "
            "encoding='cp1252'")


def read_table(path: str | os.PathLike, *, encoding: str = "utf-8",
               problems: list[Problem] | None = None) -> pd.DataFrame | None:
    """Read one CSV table as text cells, or record why it cannot be read.

    Parameters
    ----------
    path : the CSV file; it must be a regular file (a folder or named pipe is refused unopened).
    encoding : its text encoding. A UTF-8 byte-order mark is accepted; other encodings are
        refused with a hint unless named here.
    problems : where to append what is wrong; when None, a :class:`ValidationError` is raised.

    Returns
    -------
    DataFrame or None
        One text column per header name, or None when the file cannot be read as a table
        (semicolon-delimited, a row with the wrong number of fields, a header name used twice).
    """
    path = Path(path)
    own = problems is None
    problems = [] if own else problems
    found = len(problems)
    text = _text(path, encoding, problems)
    frame = None
    if text is not None:
        header = text.splitlines()[0]
        if header.count(";") > header.count(",") and header.count(";") >= 1:
            problems.append(Problem(path.name, None, None, None,
                                    "looks semicolon-delimited (header "
                                    f"{schema.show_value(header)}); save it comma-separated"))
        else:
            frame = _parse(text, path.name, problems)
    if own and len(problems) > found:
        raise ValidationError(problems)
    return frame


def _text(path: Path, encoding: str, problems: list[Problem]) -> str | None:
    """The decoded text of a CSV file, or None with the reason appended to ``problems``."""
    name = path.name
    why = regular_file_problem(path)
    if why is not None:
        problems.append(Problem(name, None, None, None, f"{why}; a table must be a CSV file"))
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, None, None, None,
                                f"is not valid {encoding} text: byte 0x{data[exc.start]:02x} on "
                                f"line {line} ({encoding_hint(data)})"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, None,
                                "is empty (expected a header row naming the columns)"))
        return None
    return text


def _parse(text: str, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Split CSV text into a frame of text cells with Python's :mod:`csv` module, checking that
    the header names differ and that every row has as many fields as the header. Blank lines
    are skipped, as spreadsheets leave them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [r for r in reader if r and r != _BLANK]
    except csv.Error as exc:
        said = str(exc)
        if "field limit" in said:  # the csv module's guard against a runaway quote or a huge cell
            said = (f"a field is longer than {csv.field_size_limit():,} characters, the most a cell "
                    "may hold (is a quote left open?); shorten it")
        problems.append(Problem(name, None, None, None,
                                f"is not readable CSV: line {reader.line_num}: {said}"))
        return None
    header, rows = records[0], records[1:]
    width = len(header)
    seen: dict[str, int] = {}
    for i, column in enumerate(header, 1):
        if column in seen:
            problems.append(Problem(name, None, column, None,
                                    f"names header columns {seen[column]} and {i}; each column "
                                    "must be named once (rename or remove one)"))
        seen.setdefault(column, i)
    wrong = _wrong_widths(text, width) if set(map(len, rows)) - {width} else []
    for row, line, count in wrong[:_ROWS_SHOWN]:
        starts = "" if line == row + 1 else f" (the row starts on line {line} of the file)"
        problems.append(Problem(name, row, None, None,
                                f"has {count} fields where the header has {width}; expected "
                                f"{width}{starts}"))
    if len(wrong) > _ROWS_SHOWN:
        problems.append(Problem(name, None, None, None,
                                f"has {len(wrong) - _ROWS_SHOWN} more rows with a number of "
                                f"fields other than the header's {width}"))
    if wrong or len(seen) < width:
        return None
    rows = [[unguard_cell(c) if c[:1] == "'" else c for c in r] for r in rows]  # see Case.save
    return pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({col: pd.Series(dtype=object) for col in header})


def _wrong_widths(text: str, width: int) -> list[tuple[int, int, int]]:
    """The rows whose number of fields is not ``width``: (row, first line of the row in the
    file, fields found). A second pass, made only when some row is wrong, since following line
    numbers costs time."""
    reader = csv.reader(io.StringIO(text, newline=""))
    wrong, row, last, header_seen = [], 0, 0, False
    for record in reader:
        if record and record != _BLANK:
            if header_seen:
                row += 1
                if len(record) != width:
                    wrong.append((row, last + 1, len(record)))
            header_seen = True
        last = reader.line_num
    return wrong
