"""A case: the four validated tables plus metadata, loaded from and saved to a folder.

A case folder holds ``case.json`` (title, summary, TLP, as-of date, ...) and ``events.csv``,
``relations.csv``, ``entities.csv``, ``sources.csv`` (only ``events.csv`` is required). Saving is
deterministic and whole-case atomic (:func:`analystkit.files.write_folder_atomic`): every file is
rendered in memory and staged first, so a failure leaves the previous files intact, and a kill at
any instant leaves a folder that loads as the old case or the new one. Every cell reads back byte
for byte (CR, LF, quotes, tabs), and cells a spreadsheet would run as formulas are stored guarded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from . import schema
from .display import Text, case_html
from .files import settle_folder, write_folder_atomic
from .merging import merge_cases
from .resources import data_dir
from .schema import META_FILE, MetaKeyWarning, Problem, ValidationError, validate_meta
from .tables import UnreadableFileError, read_json_text, read_table
from .text import guard_cell
from .times import utc

__all__ = ["FREE_TEXT", "TABLES", "Case", "find_case", "load_case", "load_cases", "read_table", "render_csv"]

TABLES = ("events", "relations", "entities", "sources")
#: Every file a case folder may hold, as :meth:`Case.save` writes them.
CASE_FILES = (META_FILE, *(f"{t}.csv" for t in TABLES))
#: The free-text fields of ``case.json``; each has its own marking, ``<field>_tlp``.
FREE_TEXT = ("title", "summary")


@dataclass
class Case:
    """An incident case: ``events``, ``relations``, ``entities``, ``sources`` and ``meta``.

    ``meta`` holds ``title``, ``summary``, ``tlp`` (the case's highest marking), ``as_of``
    (``YYYY-MM-DD``) and optionally ``incident``, ``day0``, ``timezone``, the markings of the
    free text (``title_tlp``, ``summary_tlp``; each defaults to ``tlp``) and the cases a briefing
    pack draws on (``compare``: the day-0 comparison; ``related``: further cases whose relations
    join the actor → victim graph), as lists of folder names or incident ids; ``pap``, the
    strictest PAP level of imported data, says what may be done with it.
    ``folder`` is where the case was loaded from (None for a case built in Python).
    """

    events: pd.DataFrame = field(default_factory=lambda: schema.empty("events"))
    relations: pd.DataFrame = field(default_factory=lambda: schema.empty("relations"))
    entities: pd.DataFrame = field(default_factory=lambda: schema.empty("entities"))
    sources: pd.DataFrame = field(default_factory=lambda: schema.empty("sources"))
    meta: dict = field(default_factory=dict)
    folder: Path | None = field(default=None, compare=False, repr=False)
    #: What :meth:`at_tlp` left out (rows per table, ``title``, ``summary``); None for a whole case.
    withheld: dict[str, int] | None = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def tlp(self) -> str:
        return str(self.meta.get("tlp", "clear"))

    @property
    def name(self) -> str:
        """What messages call the case: its folder, else its incident id, else its title."""
        return str(self.folder or self.meta.get("incident") or self.title or "(unnamed case)")

    def marking(self, key: str) -> str:
        """The TLP marking of the free-text field ``key`` (``title`` or ``summary``).

        >>> Case(events=schema.empty("events"), meta={"tlp": "amber", "title_tlp": "clear"}).marking(
        ...     "summary")
        'amber'
        """
        if key not in FREE_TEXT:
            raise KeyError(f"unknown free-text field {key!r}; expected one of {', '.join(FREE_TEXT)}")
        return str(self.meta.get(f"{key}_tlp") or self.tlp)

    @property
    def as_of(self) -> pd.Timestamp | None:
        """The as-of date as a UTC timestamp (None when the case has none)."""
        value = self.meta.get("as_of")
        return utc(value) if value else None

    def table(self, name: str) -> pd.DataFrame:
        """One of the four tables by name."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        return getattr(self, name)

    def validated(self) -> Case:
        """A copy with every table re-validated (after editing tables in Python)."""
        return _validate_case({t: self.table(t) for t in TABLES}, dict(self.meta),
                              folder=self.folder)

    def merge(self, other: Case, *, update_as_of: bool = False) -> tuple[Case, dict[str, dict[str, int]]]:
        """``other`` merged into this case, and per table the rows added, updated and unchanged.

        Each row keeps the sources it cites (a second file never takes over the first one's
        source); a row two producers disagree about raises
        :class:`analystkit.merging.MergeConflict` naming both. The meta stays this case's, with
        ``tlp`` raised to the higher of the two and ``as_of`` moved to the later only when
        ``update_as_of`` is true. See :mod:`analystkit.merging` for every rule.

        >>> case = load_case(DATA / "cases" / "royal-mail-2023")
        >>> same, counts = case.merge(case)
        >>> counts["events"]["unchanged"] == len(case.events), same.events.equals(case.events)
        (True, True)
        """
        return merge_cases(self, other, update_as_of=update_as_of)

    def with_tables(self, **tables: pd.DataFrame) -> Case:
        """A copy with some tables replaced (not validated; call :meth:`validated`)."""
        return replace(self, **tables, meta=dict(self.meta))

    def save(self, path: str | os.PathLike, *, also: dict[str, bytes] | None = None) -> list[Path]:
        """Write the case folder atomically and deterministically; return the paths written.

        The case is validated first: an invalid case raises :class:`ValidationError` and
        nothing on disk changes. The folder is written as one unit
        (:func:`analystkit.files.write_folder_atomic`): killed at any instant, it loads as the old
        case or the new one, never a mix, and the next save or load removes what was left over.
        ``also`` holds other files of the folder (``{name: bytes}``, e.g. the candidates table)
        written in the same unit.
        """
        case = self.validated()
        rendered = {META_FILE: _render_meta(case.meta)}
        for name in TABLES:
            rendered[f"{name}.csv"] = render_csv(schema.to_text(name, case.table(name)))
        return write_folder_atomic(path, {**rendered, **(also or {})})

    def at_tlp(self, level: str) -> tuple[Case, dict[str, int]]:
        """The case as shared at TLP ``level``: rows and free text marked above it are removed.

        Returns the reduced case and how many rows of each table were withheld, plus ``title``
        and ``summary`` (1 when that text is marked above ``level``). A withheld summary is
        dropped; a withheld title is replaced by the incident id (or "untitled case"); their
        markings stay in ``meta`` so a pack can say what was left out. The case's own ``tlp``
        becomes the highest marking left (never above ``level``). An entity with a marking of
        its own (``tlp``, set by imports) is withheld when that marking is above ``level``; one
        without is withheld when only withheld rows name it (its existence would tell what they
        said); entities no row names are kept.

        >>> case = load_case(DATA / "cases" / "royal-mail-2023")
        >>> clear, withheld = case.at_tlp("clear")
        >>> clear.tlp, withheld["events"] > 0, set(clear.events["tlp"]), withheld["summary"]
        ('clear', True, {'clear'}, 0)
        """
        kept: dict[str, pd.DataFrame] = {}
        withheld: dict[str, int] = {}
        above: dict[str, pd.DataFrame] = {}
        for name in ("events", "relations", "sources"):
            frame = self.table(name)
            keep = schema.tlp_within(frame["tlp"], level)
            kept[name] = frame[keep].reset_index(drop=True)
            above[name] = frame[~keep]
            withheld[name] = int((~keep).sum())
        hidden = set(schema.naming_marks(above["events"], above["relations"]))
        hidden -= set(schema.naming_marks(kept["events"], kept["relations"]))
        entities = self.table("entities")
        own = entities["tlp"].where(entities["tlp"].ne(""), "clear")
        gone = entities["name"].isin(hidden) & entities["tlp"].eq("") | ~schema.tlp_within(own, level)
        kept["entities"] = entities[~gone].reset_index(drop=True)
        withheld["entities"] = int(gone.sum())
        marks = pd.concat([kept[n]["tlp"] for n in TABLES], ignore_index=True)
        marks = marks[marks.ne("")]
        meta, text_marks = dict(self.meta), []
        for key in FREE_TEXT:
            mark, text = self.marking(key), str(self.meta.get(key) or "")
            withheld[key] = int(bool(text) and not schema.tlp_allows(mark, level))
            if text and not withheld[key]:
                text_marks.append(mark)
            elif withheld[key] and key == "title":
                meta["title"] = str(self.meta.get("incident") or "untitled case")
            elif withheld[key]:
                meta.pop(key)
        meta["tlp"] = schema.highest_tlp([*marks, *text_marks], "clear")  # never above level
        for key in FREE_TEXT:  # a marking that the lowered ``tlp`` no longer implies is kept
            if f"{key}_tlp" in self.meta or self.marking(key) != meta["tlp"]:
                meta[f"{key}_tlp"] = self.marking(key)
        return replace(self, **kept, meta=meta, withheld=withheld), withheld

    def conflicts(self) -> pd.DataFrame:
        """Events that are rival accounts of one fact, grouped by their ``conflict`` slug."""
        ev = self.events
        rows = ev[ev["conflict"].ne("")]
        cols = ["conflict", "event_id", "start", "precision", "title", "status", "sources", "notes"]
        return rows.sort_values(["conflict", "start", "event_id"])[cols].reset_index(drop=True)

    def summary(self) -> Text:
        """A short plain-text description of the case (used by ``analystkit validate``); a
        notebook prints it as lines."""
        ev = self.events
        lines = [f"{self.title or '(untitled case)'} [TLP:{self.tlp.upper()}], as of "
                 f"{self.meta.get('as_of', 'unknown')}"]
        if len(ev):
            first, last = ev["start"].min(), ev["start"].max()
            lines.append(f"  {len(ev)} events from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
            counts = ev["category"].value_counts().sort_index()
            lines.append("  by category: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            status = ev["status"].value_counts().sort_index()
            lines.append("  by status: " + ", ".join(f"{k} {v}" for k, v in status.items()))
            conflicts = ev.loc[ev["conflict"].ne(""), "conflict"].nunique()
            if conflicts:
                lines.append(f"  {conflicts} facts with conflicting accounts kept side by side")
        lines.append(f"  {len(self.relations)} relations, {len(self.entities)} entities, "
                     f"{len(self.sources)} sources")
        return Text("\n".join(lines))

    def _repr_html_(self) -> str:
        return case_html(self)

    def __repr__(self) -> str:
        return (f"Case({self.title!r}, events={len(self.events)}, relations={len(self.relations)}, "
                f"entities={len(self.entities)}, sources={len(self.sources)}, tlp={self.tlp!r})")


def load_case(path: str | os.PathLike, *, encoding: str = "utf-8") -> Case:
    """Read and validate a case folder; raise one :class:`ValidationError` listing every problem.

    Examples
    --------
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> case.events["start"].dt.tz is not None, bool(case.events["sources"].map(len).min() >= 1)
    (True, True)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no case folder at {folder} (expected a folder with "
                                f"{META_FILE} and events.csv)")
    problems: list[Problem] = []
    where = settle_folder(folder, CASE_FILES)  # finish or undo an interrupted save first
    meta = _read_meta(where[META_FILE], problems)
    raw: dict[str, pd.DataFrame | None] = {}
    unreadable: set[str] = set()  # present but not readable as a table: checks against it skipped
    for name in TABLES:
        file = where[f"{name}.csv"]
        if not file.exists():
            if name == "events":
                problems.append(Problem("events.csv", None, None, None, "is missing"))
            raw[name] = None
            continue
        raw[name] = read_table(file, encoding=encoding, problems=problems)
        if raw[name] is None:
            unreadable.add(name)
    return _validate_case(raw, meta, folder=str(folder), problems=problems, unreadable=unreadable)


def _read_meta(path: Path, problems: list[Problem]) -> dict:
    """The parsed ``case.json`` (empty when it cannot be read, with the reason in ``problems``);
    each key it has that the kit does not know is warned about with :class:`MetaKeyWarning`."""
    if not path.exists():
        problems.append(Problem(META_FILE, None, None, None,
                                "is missing (expected title, summary, tlp and as_of)"))
        return {}
    try:
        meta = json.loads(read_json_text(path, kind=META_FILE))
    except UnreadableFileError as exc:
        problems.append(Problem(META_FILE, None, None, None, exc.problem))
        return {}
    except json.JSONDecodeError as exc:
        problems.append(Problem(META_FILE, None, None, None, f"is not valid JSON: {exc.msg} at "
                                                             f"line {exc.lineno}, column {exc.colno}"))
        return {}
    if not isinstance(meta, dict):
        problems.append(Problem(META_FILE, None, None, None, "is not valid JSON (its top level is "
                                                             "not an object)"))
        return {}
    for notice in validate_meta(meta)[2]:
        warnings.warn(str(notice), MetaKeyWarning, stacklevel=3)
    return meta


def find_case(name: str, *, near: Sequence[str | os.PathLike] = ()) -> Path:
    """The folder of the case called ``name``, looked for in ``near`` and then the shipped cases.

    ``name`` is a folder (a path, or a folder name inside one of the ``near`` folders or the
    shipped ``data/cases``) or else an incident id, matched against the ``incident`` of every
    case in those folders. Other folders never change the answer: a name matches one folder or
    none, and two cases that share the incident id are an error naming both.

    >>> find_case("synnovis-2024", near=[DATA / "cases"]).name
    'synnovis-2024'
    """
    roots = [Path(b) for b in near]
    with contextlib.suppress(FileNotFoundError):  # an installed kit without its data
        roots.append(data_dir() / "cases")
    for root in roots:
        if (root / name / META_FILE).is_file():
            return root / name
    cases = {f.resolve(): f for r in roots if r.is_dir() for f in sorted(r.iterdir())
             if (f / META_FILE).is_file()}  # one entry per folder, however often it is reached
    found = sorted((f for f in cases.values() if _incident_of(f) == name), key=str)
    if len(found) > 1:
        raise ValueError(f"{found[0]} and {found[1]} both have incident id {name!r}: name the "
                         "folder instead, or give one of them its own incident id")
    if not found:
        raise FileNotFoundError(f"no case {name!r}: no case folder of that name and no case with "
                                f"that incident id in {', '.join(map(str, roots))}")
    return found[0]


def _incident_of(folder: Path) -> str | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8-sig"))
        return str(meta.get("incident") or "")
    except (ValueError, UnicodeDecodeError, OSError, AttributeError):
        return None


def load_cases(names: Sequence[str], *, near: Sequence[str | os.PathLike] = ()) -> list[Case]:
    """Load the cases ``names`` (folders or incident ids, see :func:`find_case`), each once.

    >>> [c.meta["incident"] for c in load_cases(["capita-2023", "synnovis-2024", "capita-2023"])]
    ['capita-2023', 'synnovis-2024']
    """
    folders = {f.resolve(): f for f in (find_case(n, near=near) for n in names)}
    return [load_case(folder) for folder in folders.values()]


def _validate_case(raw: dict, meta: dict, *, folder: str | os.PathLike | None,
                   problems: list[Problem] | None = None, unreadable: set[str] = frozenset()) -> Case:
    problems = [] if problems is None else problems
    meta, found, _ = validate_meta(meta)
    problems.extend(found)
    default = meta.get("tlp")
    tables: dict[str, pd.DataFrame] = {}
    source_ids: set[str] | None = None
    for name in ("sources", "entities", "relations", "events"):
        frame = raw.get(name)
        if frame is None:
            tables[name] = schema.empty(name)
        else:
            tables[name] = schema.validate(name, frame, file=f"{name}.csv", default_tlp=default,
                                           source_ids=source_ids, problems=problems)
        if name == "sources" and name not in unreadable:  # else every source id would be unknown
            ids = tables[name].get("source_id")
            source_ids = set(ids) if ids is not None else None
    if problems:
        raise ValidationError(problems)
    return Case(events=tables["events"], relations=tables["relations"],
                entities=tables["entities"], sources=tables["sources"], meta=meta,
                folder=Path(folder) if folder else None)


def _render_meta(meta: dict) -> bytes:
    ordered = {k: meta[k] for k in sorted(meta)}
    return (json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_csv(frame: pd.DataFrame) -> bytes:
    """One table as the kit's canonical CSV: UTF-8, ``\\n`` line ends, every cell guarded
    (:func:`analystkit.text.guard_cell`), and any cell holding a CR or LF quoted, so that each
    cell reads back byte for byte (pandas alone leaves a bare CR unquoted)."""
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\r\n").writerow  # quotes cells with CR or LF
    lines = []
    for row in [list(frame.columns), *frame.astype(str).itertuples(index=False, name=None)]:
        buffer.seek(0)
        buffer.truncate()
        write([guard_cell(str(cell)) for cell in row])
        lines.append(buffer.getvalue()[:-2])
    return ("\n".join(lines) + "\n").encode("utf-8")
