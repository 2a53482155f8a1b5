"""A case: the four validated tables plus metadata, loaded from and saved to a folder.

A case folder holds ``case.json`` (title, summary, TLP, as-of date, ...) and ``events.csv``,
``relations.csv``, ``entities.csv``, ``sources.csv`` (only ``events.csv`` is required). Saving is
deterministic and goes through :func:`analystkit.files.write_all_atomic`: every file is rendered
in memory first and staged beside its target, and only then are they renamed over the old ones, so
a failure while rendering or staging leaves the previous files intact.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from . import schema
from .files import write_all_atomic
from .schema import Problem, ValidationError
from .times import utc

__all__ = ["TABLES", "Case", "load_case", "read_table"]

TABLES = ("events", "relations", "entities", "sources")
META_FILE = "case.json"
_META_KEYS = ("title", "summary", "tlp", "as_of", "incident", "day0", "timezone")


@dataclass
class Case:
    """An incident case: ``events``, ``relations``, ``entities``, ``sources`` and ``meta``.

    ``meta`` holds ``title``, ``summary``, ``tlp`` (the case's highest marking), ``as_of``
    (``YYYY-MM-DD``) and optionally ``incident``, ``day0`` and ``timezone``.
    """

    events: pd.DataFrame
    relations: pd.DataFrame = field(default_factory=lambda: schema.empty("relations"))
    entities: pd.DataFrame = field(default_factory=lambda: schema.empty("entities"))
    sources: pd.DataFrame = field(default_factory=lambda: schema.empty("sources"))
    meta: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def tlp(self) -> str:
        return str(self.meta.get("tlp", "clear"))

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
        return _validate_case({t: self.table(t) for t in TABLES}, dict(self.meta), folder="")

    def with_tables(self, **tables: pd.DataFrame) -> Case:
        """A copy with some tables replaced (not validated; call :meth:`validated`)."""
        return replace(self, **tables, meta=dict(self.meta))

    def save(self, path: str | os.PathLike) -> list[Path]:
        """Write the case folder atomically and deterministically; return the paths written.

        The case is validated first: an invalid case raises :class:`ValidationError` and
        nothing on disk changes.
        """
        case = self.validated()
        if case.events.empty:  # load_case refuses such a folder: never write one
            raise ValidationError([Problem("events.csv", None, None, None,
                                           "would have no rows (a case needs at least one event)")])
        folder = Path(path)
        rendered = {META_FILE: _render_meta(case.meta)}
        for name in TABLES:
            rendered[f"{name}.csv"] = _render_csv(schema.to_text(name, case.table(name)))
        folder.mkdir(parents=True, exist_ok=True)
        return write_all_atomic({folder / name: data for name, data in rendered.items()})

    def at_tlp(self, level: str) -> tuple[Case, dict[str, int]]:
        """The case as shared at TLP ``level``: rows marked above it are removed.

        Returns the reduced case and how many rows of each table were withheld. The case's
        own ``tlp`` becomes the highest marking left (never above ``level``). Entities carry no
        marking of their own: an entity that only withheld rows name is withheld with them (its
        existence would tell what they said); entities no row names are kept.

        >>> case = load_case(DATA / "cases" / "royal-mail-2023")
        >>> clear, withheld = case.at_tlp("clear")
        >>> clear.tlp, withheld["events"] > 0, set(clear.events["tlp"])
        ('clear', True, {'clear'})
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
        hidden = _named(above["events"], above["relations"])
        hidden -= _named(kept["events"], kept["relations"])
        entities = self.table("entities")
        gone = entities["name"].isin(hidden)
        kept["entities"] = entities[~gone].reset_index(drop=True)
        withheld["entities"] = int(gone.sum())
        marks = pd.concat([kept[n]["tlp"] for n in ("events", "relations", "sources")], ignore_index=True)
        meta = {**self.meta, "tlp": schema.highest_tlp(marks, "clear")}  # never above level
        return replace(self, **kept, meta=meta), withheld

    def conflicts(self) -> pd.DataFrame:
        """Events that are rival accounts of one fact, grouped by their ``conflict`` slug."""
        ev = self.events
        rows = ev[ev["conflict"].ne("")]
        cols = ["conflict", "event_id", "start", "precision", "title", "status", "sources", "notes"]
        return rows.sort_values(["conflict", "start", "event_id"])[cols].reset_index(drop=True)

    def summary(self) -> str:
        """A short plain-text description of the case (used by ``analystkit validate``)."""
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
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Case({self.title!r}, events={len(self.events)}, relations={len(self.relations)}, "
                f"entities={len(self.entities)}, sources={len(self.sources)}, tlp={self.tlp!r})")


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
                                f"line {line} (save it as UTF-8, or pass encoding='latin-1' if "
                                "you know it is Latin-1)"))
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
            except (pd.errors.ParserError, csv.Error) as exc:
                problems.append(Problem(name, None, None, None, f"is not readable CSV ({exc})"))
    if own and problems:
        raise ValidationError(problems)
    return frame


def _named(events: pd.DataFrame, relations: pd.DataFrame) -> set[str]:
    """Every actor, victim, supplier or target name that these rows mention."""
    cols = [events[c] for c in ("actor", "victim")] + [relations[c] for c in ("source", "target", "via")]
    return set(pd.concat(cols, ignore_index=True)) - {""}


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
    meta: dict = {}
    meta_path = folder / META_FILE
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8-sig"))
            if not isinstance(meta, dict):
                raise ValueError("top level is not an object")
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem(META_FILE, None, None, None, f"is not valid JSON ({exc})"))
            meta = {}
    else:
        problems.append(Problem(META_FILE, None, None, None,
                                "is missing (expected title, summary, tlp and as_of)"))
    raw: dict[str, pd.DataFrame | None] = {}
    for name in TABLES:
        file = folder / f"{name}.csv"
        if not file.exists():
            if name == "events":
                problems.append(Problem("events.csv", None, None, None, "is missing"))
            raw[name] = None
            continue
        raw[name] = read_table(file, encoding=encoding, problems=problems)
        if name == "events" and raw[name] is not None and raw[name].empty:
            problems.append(Problem("events.csv", None, None, None,
                                    "has a header but no rows (a case needs at least one event)"))
    return _validate_case(raw, meta, folder=str(folder), problems=problems)


def _validate_case(raw: dict, meta: dict, *, folder: str,
                   problems: list[Problem] | None = None) -> Case:
    problems = [] if problems is None else problems
    meta = _validate_meta(meta, problems)
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
        if name == "sources":
            ids = tables[name].get("source_id")
            source_ids = set(ids) if ids is not None else None
    if problems:
        raise ValidationError(problems)
    return Case(events=tables["events"], relations=tables["relations"],
                entities=tables["entities"], sources=tables["sources"], meta=meta)


def _validate_meta(meta: dict, problems: list[Problem]) -> dict:
    out = dict(meta)
    for key in ("title", "tlp", "as_of"):
        if not str(out.get(key, "")).strip():
            problems.append(Problem(META_FILE, None, key, None, "is missing or empty"))
    if out.get("tlp"):
        norm = schema.normalise_tlp(out["tlp"])
        if norm is None:
            problems.append(Problem(META_FILE, None, "tlp", out["tlp"],
                                    f"is not a TLP 2.0 label (expected one of "
                                    f"{', '.join(schema.TLP_LEVELS)})"))
        else:
            out["tlp"] = norm
    for key in ("as_of", "day0"):
        if out.get(key) and schema.infer_precision(str(out[key])) != "day":
            problems.append(Problem(META_FILE, None, key, out[key], "is not a date written "
                                                                    "YYYY-MM-DD"))
    return out


def _render_meta(meta: dict) -> bytes:
    ordered = {k: meta[k] for k in sorted(meta)}
    return (json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _render_csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")
