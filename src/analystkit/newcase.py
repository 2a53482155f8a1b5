"""A new incident's case folder, written before there is a single event to put in it.

:func:`new_case` writes ``case.json`` with every key a case starts with (title and its marking,
TLP, as-of date, day 0, display time zone, main incident id, victim, investigation status, the
compare / related lists, empty) and the actor and victim as entities, and no event: a case's
first event comes from a source, never from a template. ``analystkit new DIR`` is the same from
the shell.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from . import schema
from .case import TABLES, Case, load_case
from .schema import normalise_tlp

__all__ = ["TEMPLATE_TITLE", "CaseExistsError", "incident_id", "new_case", "start_case"]


class CaseExistsError(ValueError):
    """A new case asked for in a folder that holds one."""


def incident_id(title: str, day0: str | None = None) -> str:
    """An incident id from a title (and the year of day 0 when the title has no year).

    >>> incident_id("Acme Logistics / Akira ransomware", "2024-03-01")
    'acme-logistics-akira-ransomware-2024'
    >>> incident_id("Royal Mail attack (2023)")
    'royal-mail-attack-2023'
    """
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "incident"
    year = (day0 or "")[:4]
    return base if not year or re.search(r"(?:19|20)\d\d", base) else f"{base}-{year}"


def new_case(folder: str | os.PathLike, *, title: str, actor: str | None = None,
             victim: str | None = None, day0: str | None = None, tz: str | None = None,
             tlp: str = "amber", incident: str | None = None, as_of: str | None = None,
             summary: str = "", author: str | None = None) -> Case:
    """Write a new, valid case folder for an incident and return the case as loaded from it.

    Parameters
    ----------
    folder : where the case goes; must not hold a case already.
    title : the case's title (marked at ``tlp`` until you say otherwise in ``title_tlp``).
    actor, victim : the actor and the victim organisation, written as entities.
    day0 : the incident's first day (``YYYY-MM-DD``), the zero of day-0 comparisons.
    tz : the IANA time zone the charts show (default ``UTC``).
    tlp : the case's TLP 2.0 marking.
    incident : the main incident's id (default from the title, see :func:`incident_id`).
    as_of : the as-of date (default today, UTC).
    author : who writes the case (named in STIX exports).

    Raises
    ------
    CaseExistsError
        When ``folder`` already holds a case (nothing is changed).
    ValidationError
        For a bad date, zone or marking, naming the key (nothing is written).

    Examples
    --------
    >>> case = new_case(TMP / "acme", title="Acme Logistics ransomware attack", actor="Akira",
    ...                 victim="Acme Logistics", day0="2024-03-01", tz="Europe/London")
    >>> case.meta["incident"], case.meta["day0"], case.meta["timezone"], len(case.events)
    ('acme-logistics-ransomware-attack-2024', '2024-03-01', 'Europe/London', 0)
    >>> sorted(zip(case.entities["name"], case.entities["kind"]))
    [('Acme Logistics', 'victim'), ('Akira', 'actor')]
    """
    folder = Path(folder)
    if (folder / schema.META_FILE).exists() or any((folder / f"{t}.csv").exists() for t in TABLES):
        raise CaseExistsError(f"{folder}: a case is already in this folder; load it "
                              "(ak.load_case), or name a new folder")
    marking = normalise_tlp(tlp) if isinstance(tlp, str) else None
    meta = {"title": title.strip(), "summary": summary, "tlp": marking or tlp,
            "title_tlp": marking or tlp, "summary_tlp": marking or tlp,
            "as_of": as_of or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
            "incident": incident or incident_id(title, day0), "timezone": tz or "UTC",
            "investigation_status": "new", "compare": [], "related": []}
    if day0:
        meta["day0"] = day0
    if victim:
        meta["victim"] = victim.strip()
    if author:
        meta["author"] = author.strip()
    rows = [{"name": n.strip(), "kind": k} for n, k in ((actor, "actor"), (victim, "victim")) if n]
    entities = pd.DataFrame(rows, columns=["name", "kind"]) if rows else schema.empty("entities")
    Case(events=schema.empty("events"), entities=entities.fillna(""), meta=meta).validated().save(folder)
    return load_case(folder)


#: The template notebook's own example title: a case is never started under it.
TEMPLATE_TITLE = "New incident"


def start_case(folder: str | os.PathLike, *, title: str, tlp: str = "amber", **details: str | None
               ) -> tuple[Case, list[str]]:
    """The case in ``folder``, created by :func:`new_case` the first time; and notes to show.

    For the new-incident notebook: it refuses the template's example title, creates the case once,
    and afterwards loads it and says when ``title`` or ``tlp`` differ from what the saved case holds
    (the saved case wins: edit ``case.json`` to change it). Empty ``details`` are left out.

    >>> case, notes = start_case(TMP / "acme", title="Acme outage", victim="Acme")
    >>> notes
    ['new case written to ...acme (as of ..., no events yet)']
    >>> start_case(TMP / "acme", title="Acme outage 2", tlp="red")[1]  # doctest: +NORMALIZE_WHITESPACE
    ["TITLE is 'Acme outage 2' but the saved case's title is 'Acme outage': the saved case is used
      (edit case.json to change it)", "TLP is 'red' but the saved case's TLP is 'amber': the saved
      case is used (edit case.json to change it)"]
    >>> start_case(TMP / "other", title="New incident")
    Traceback (most recent call last):
    ...
    ValueError: TITLE is still the template's example 'New incident': set the parameters cell ...
    """
    if title.strip() == TEMPLATE_TITLE:
        raise ValueError(f"TITLE is still the template's example {TEMPLATE_TITLE!r}: set the parameters "
                         "cell for your incident (title, TLP, actor, victim, day 0, time zone) before "
                         "running")
    folder = Path(folder)
    if not (folder / schema.META_FILE).exists():
        given = {k: v for k, v in details.items() if v}
        case = new_case(folder, title=title, tlp=tlp, **given)
        return case, [f"new case written to {folder} (as of {case.meta['as_of']}, no events yet)"]
    case = load_case(folder)
    notes = []
    for name, asked, saved in (("TITLE", title.strip(), case.title),
                               ("TLP", normalise_tlp(tlp) or tlp, case.tlp)):
        if asked != saved:
            what = "title" if name == "TITLE" else "TLP"
            notes.append(f"{name} is {asked!r} but the saved case's {what} is {saved!r}: the saved "
                         "case is used (edit case.json to change it)")
    return case, notes
