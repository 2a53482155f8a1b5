"""The keys of ``case.json``, what each value must be, and the check that says where it is not.

The check is written by hand (the kit depends on no JSON Schema library): each key has a kind
(text, a date, a TLP label, an IANA time zone, a list of case names, ...) and may be required.
Problems are worded like those of the CSV tables: the file, the key as ``column``, the value.
Unknown keys are not errors (a newer kit may write them) but are reported separately, with the
nearest known key, since a misspelt ``sumary`` would otherwise vanish without a word.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable, Mapping

from .problems import Problem
from .vocab import PAP_LEVELS, TLP_LEVELS, normalise_pap, normalise_tlp

__all__ = ["META_FILE", "META_KEYS", "REQUIRED_META", "MetaKeyWarning", "validate_meta"]

META_FILE = "case.json"


class MetaKeyWarning(UserWarning):
    """``case.json`` has a key the kit does not know (and ignores); the message names the
    closest known key."""


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> tuple[object, str | None]:
    return value, None if isinstance(value, str) else "is not text (expected a JSON string)"


def _date(value: object) -> tuple[object, str | None]:
    wrong = "is not a date written YYYY-MM-DD, e.g. 2024-12-31"
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        return value, wrong
    try:
        dt.date.fromisoformat(value.strip())
    except ValueError:
        return value, "is not a real date (expected YYYY-MM-DD, e.g. 2024-12-31)"
    return value.strip(), None


def _tlp(value: object) -> tuple[object, str | None]:
    norm = normalise_tlp(value) if isinstance(value, str) else None
    return (value, f"is not a TLP 2.0 label (expected one of {', '.join(TLP_LEVELS)})") \
        if norm is None else (norm, None)


def _pap(value: object) -> tuple[object, str | None]:
    norm = normalise_pap(value) if isinstance(value, str) else None
    return (value, f"is not a PAP level (expected one of {', '.join(PAP_LEVELS)})") \
        if norm is None else (value, None)


def _timezone(value: object) -> tuple[object, str | None]:
    wrong = "is not an IANA time zone name (e.g. Europe/London, America/New_York, UTC)"
    if not isinstance(value, str) or not value.strip():
        return value, wrong
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value, wrong
    return value.strip(), None


def _names(value: object) -> tuple[object, str | None]:
    ok = isinstance(value, list) and all(isinstance(n, str) and n.strip() for n in value)
    return value, None if ok else ('is not a list of case folder names or incident ids '
                                   '(e.g. ["capita-2023"])')


def _object(value: object) -> tuple[object, str | None]:
    return value, None if isinstance(value, dict) else "is not a JSON object"


def _investigation(value: object) -> tuple[object, str | None]:
    ok = value in ("new", "open", "closed")
    return value, None if ok else "is not one of new, open, closed"


#: Every key of ``case.json`` and the check of its value (which may also normalise it).
META_KEYS: dict[str, Callable[[object], tuple[object, str | None]]] = {
    "title": _text, "summary": _text, "tlp": _tlp, "as_of": _date, "incident": _text,
    "day0": _date, "timezone": _timezone, "title_tlp": _tlp, "summary_tlp": _tlp,
    "compare": _names, "related": _names, "pap": _pap, "victim": _text, "import": _object,
    "author": _text, "investigation_status": _investigation}
#: The keys every ``case.json`` must give, with a value that is not blank, and what they hold.
REQUIRED_META = {"title": "the case's title as text",
                 "tlp": f"a TLP 2.0 label, one of {', '.join(TLP_LEVELS)}",
                 "as_of": "a date written YYYY-MM-DD, e.g. 2024-12-31"}


def validate_meta(meta: Mapping[str, object], *, file: str = META_FILE
                  ) -> tuple[dict, list[Problem], list[Problem]]:
    """Check a parsed ``case.json`` against :data:`META_KEYS`.

    Parameters
    ----------
    meta : the parsed JSON object.
    file : the name problems give as their file.

    Returns
    -------
    tuple
        The metadata with TLP labels, dates and time zones normalised; the problems (a required
        key missing, null or blank, a value of the wrong kind); and one notice per unknown key,
        naming the closest known key when one is close.

    Examples
    --------
    >>> meta, problems, unknown = validate_meta({"title": "T", "tlp": "TLP:WHITE", "as_of": None,
    ...                                          "sumary": "S"})
    >>> meta["tlp"]
    'clear'
    >>> for p in problems + unknown:
    ...     print(p)
    case.json, column 'as_of': is null (expected a date written YYYY-MM-DD, e.g. 2024-12-31)
    case.json, column 'sumary': is not a case.json key (did you mean 'summary'?); it is ignored
    """
    out, problems, unknown = dict(meta), [], []
    for key, expected in REQUIRED_META.items():
        value = meta.get(key)
        if value is None and key in meta:
            problems.append(Problem(file, None, key, None, f"is null (expected {expected})"))
        elif value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(file, None, key, None, f"is missing or empty (expected "
                                                           f"{expected})"))
    for key, value in meta.items():
        check = META_KEYS.get(key)
        if check is None:
            near = difflib.get_close_matches(str(key), META_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            unknown.append(Problem(file, None, str(key), None,
                                   f"is not a {file} key{hint}; it is ignored"))
        elif value is not None and (check is _names or not _blank(value)):
            out[key], wrong = check(value)
            if wrong:
                problems.append(Problem(file, None, key, value, wrong))
    return out, problems, unknown
