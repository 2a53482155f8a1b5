"""The event-entry form: validated events added to a case folder from a notebook.

Widgets hold no analysis of their own: the form checks input with the same validators the loader
uses (:func:`analystkit.schema.validate` through :meth:`Case.validated`) and saves with
:meth:`Case.save`, so an event accepted here is an event ``load_case`` accepts. ipywidgets is
imported only when a widget is built; importing :mod:`analystkit` never loads it.
"""

from __future__ import annotations

import difflib
import html
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..case import Case, load_case
from ..rows import id_prefix, next_id, source_for
from ..schema import (
    CATEGORIES,
    COLUMNS,
    CREDIBILITY_MEANING,
    PRECISIONS,
    STATUSES,
    TLP_LEVELS,
    Problem,
    ValidationError,
    validate,
)

__all__ = ["FIELDS", "OPTIONAL_FIELDS", "add_event", "event_form", "message_html"]

#: The form's fields, in the order they are shown (``add_event`` takes them as keys).
FIELDS = ("start", "precision", "end", "ongoing", "category", "title", "description", "actor",
          "victim", "status", "source_name", "source_url", "tlp")
#: The other columns of an event that :func:`add_event` accepts: ``sources`` (ids of existing
#: sources, joined with ``;`` or a sequence), ``end_precision``, ``conflict``, ``notes``,
#: ``credibility`` (Admiralty 1–6) and ``incident`` (default: the case's main incident).
OPTIONAL_FIELDS = tuple(c.name for c in COLUMNS["events"] if c.name not in (*FIELDS, "event_id"))


def add_event(case: Case, values: dict[str, Any], *, prefix: str | None = None
              ) -> tuple[Case, str, str | None]:
    """Return ``case`` with one event (and its source, if new) appended, validated.

    ``values`` holds the form's fields (see ``FIELDS``). Raises :class:`ValidationError` naming
    the offending field when the event is not acceptable; ``case`` is never modified.
    Returns the new case, the new event id and the id of a newly created source (or None).
    The id continues the case's own numbering (``rm-058``; ``prefix`` to choose another).

    ``values`` may also hold any of ``OPTIONAL_FIELDS``; a key that is neither is refused with
    the nearest field name, never dropped.

    >>> from analystkit import load_case
    >>> case = load_case(DATA / "cases" / "royal-mail-2023")
    >>> try:
    ...     add_event(case, {"start": "2023-02-01", "title": "x", "note": "typo"})
    ... except ValidationError as exc:
    ...     print(str(exc.problems[0]).split(";")[0])
    new event, column 'note': value 'typo' is not a field of an event (did you mean 'notes'?)
    """
    _refuse_unknown(values)
    sources, source_id, is_new = source_for(case.sources, str(values.get("source_name", "")),
                                            str(values.get("source_url", "")),
                                            tlp=values.get("tlp") or case.tlp)
    new_source = source_id if is_new else None
    event_id = next_id(case.events["event_id"], prefix or id_prefix(case.events["event_id"]))
    start = str(values.get("start", "")).strip()
    end = str(values.get("end", "")).strip()
    row = {
        "event_id": event_id, "incident": case.meta.get("incident", ""), "start": start,
        "end": end, "ongoing": bool(values.get("ongoing")), "precision": values.get("precision", ""),
        "category": values.get("category", ""),
        "title": values.get("title", ""), "description": values.get("description", ""),
        "actor": values.get("actor", ""), "victim": values.get("victim", ""),
        "status": values.get("status", ""), "sources": _cited(values.get("sources"), source_id),
        "tlp": values.get("tlp", ""),
    }
    row.update({k: values[k] for k in OPTIONAL_FIELDS if k in values and k != "sources"})
    row["incident"] = row.get("incident") or case.meta.get("incident", "")
    new = pd.DataFrame([row])

    problems: list = []
    checked = validate("events", new, file="new event", default_tlp=case.tlp,
                       source_ids=set(sources["source_id"]), problems=problems)
    if problems:
        raise ValidationError(problems)
    events = pd.concat([case.events, checked], ignore_index=True)
    updated = case.with_tables(events=events, sources=sources).validated()
    return updated, event_id, new_source


def _refuse_unknown(values: dict[str, Any]) -> None:
    """Raise :class:`ValidationError` for every key of ``values`` that is not an event field."""
    known = (*FIELDS, *OPTIONAL_FIELDS)
    problems = []
    for key in values:
        if key in known:
            continue
        near = difflib.get_close_matches(str(key), known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        problems.append(Problem("new event", None, str(key), values[key],
                                f"is not a field of an event{hint}; the fields are "
                                f"{', '.join(known)}"))
    if problems:
        raise ValidationError(problems)


def _cited(given: object, new_source: str) -> tuple[str, ...]:
    """The event's source ids: those given (a ``;``-joined string or a sequence), then the new one."""
    if isinstance(given, str):
        ids = [i.strip() for i in given.split(";")]
    else:
        ids = [str(i).strip() for i in (given or ())]
    return tuple(dict.fromkeys(i for i in [*ids, new_source] if i))


def message_html(kind: str, text: str) -> str:
    """A widget's status line as HTML: ``kind`` is ``error``, ``warning``, ``ok`` or ``info``; text escaped.

    >>> message_html("ok", "Saved <e-1>").endswith('">Saved &lt;e-1&gt;</div>')
    True
    """
    colour = {"error": "#B00020", "warning": "#8A4B00", "ok": "#1B5E20", "info": "#37474F"}[kind]
    body = html.escape(text).replace("\n", "<br>")
    return f'<div style="color:{colour};font-family:monospace;white-space:normal">{body}</div>'


class _EventForm:
    """State and callbacks behind :func:`event_form` (kept separate from the widget layout)."""

    def __init__(self, case_path: str | os.PathLike, *, prefix: str | None = None):
        import ipywidgets as w

        self.path = Path(case_path)
        self.prefix = prefix
        self.added: list[tuple[str, str | None]] = []
        case = load_case(self.path)
        actors = sorted(set(case.entities.loc[case.entities["kind"].eq("actor"), "name"])
                        | set(case.events["actor"]) - {""})
        layout = w.Layout(width="32em")
        self.fields: dict[str, Any] = {
            "start": w.Text(description="Start", placeholder="2023-01-10", layout=layout),
            "precision": w.Dropdown(description="Precision", options=PRECISIONS, value="day"),
            "end": w.Text(description="End", placeholder="empty for a point event", layout=layout),
            "ongoing": w.Checkbox(description="Ongoing (no end yet)", value=False),
            "category": w.Dropdown(description="Category", options=CATEGORIES, value="disruption"),
            "title": w.Text(description="Title", layout=layout),
            "description": w.Textarea(description="Description", layout=layout),
            "actor": w.Combobox(description="Actor", options=actors, layout=layout),
            "victim": w.Text(description="Victim", value=case.meta.get("victim", ""), layout=layout),
            "status": w.Dropdown(description="Status", options=STATUSES, value="reported"),
            "source_name": w.Text(description="Source", placeholder="publication", layout=layout),
            "source_url": w.Text(description="Source URL", placeholder="https://…", layout=layout),
            "tlp": w.Dropdown(description="TLP", options=TLP_LEVELS, value="clear"),
            "credibility": w.Dropdown(description="Credibility", value="", options=[
                ("not graded", ""), *((f"{k} – {v}", k) for k, v in CREDIBILITY_MEANING.items())]),
            "notes": w.Textarea(description="Notes", placeholder="how sure, what is missing",
                                layout=layout),
        }
        self.add_button = w.Button(description="Add event", button_style="primary")
        self.undo_button = w.Button(description="Undo last addition", disabled=True)
        self.message = w.HTML(message_html("info", f"Adding events to {self.path.name}"))
        self.add_button.on_click(lambda _: self.add())
        self.undo_button.on_click(lambda _: self.undo())
        for name in self.fields:
            self.fields[name].add_class(f"ak-field-{name}")
        self.add_button.add_class("ak-add")
        self.undo_button.add_class("ak-undo")
        self.message.add_class("ak-message")
        self.widget = w.VBox([*self.fields.values(), w.HBox([self.add_button, self.undo_button]),
                              self.message])
        self.widget.add_class("ak-event-form")

    def values(self) -> dict[str, Any]:
        return {name: widget.value for name, widget in self.fields.items()}

    def add(self) -> str | None:
        """Validate the form; on success append the event, save the case, return its id."""
        try:
            case = load_case(self.path)
            updated, event_id, source_id = add_event(case, self.values(), prefix=self.prefix)
            updated.save(self.path)
        except ValidationError as exc:
            lines = [f"{p.column or 'event'}: {p.value!r} {p.expected}" if p.value is not None
                     else f"{p.column or 'event'}: {p.expected}" for p in exc.problems]
            self.message.value = message_html("error", "Not saved:\n" + "\n".join(lines))
            return None
        except OSError as exc:
            self.message.value = message_html("error", f"Not saved: {exc}")
            return None
        self.added.append((event_id, source_id))
        self.undo_button.disabled = False
        self.message.value = message_html("ok", f"Saved {event_id}: {self.fields['title'].value}")
        return event_id

    def undo(self) -> str | None:
        """Remove the last event added through this form (and its new source); save."""
        if not self.added:
            return None
        event_id, source_id = self.added[-1]
        case = load_case(self.path)
        events = case.events[case.events["event_id"].ne(event_id)].reset_index(drop=True)
        sources = case.sources
        if source_id and not events["sources"].map(lambda ids: source_id in ids).any():
            sources = sources[sources["source_id"].ne(source_id)].reset_index(drop=True)
        case.with_tables(events=events, sources=sources).save(self.path)
        self.added.pop()
        self.undo_button.disabled = not self.added
        self.message.value = message_html("ok", f"Removed {event_id}")
        return event_id


def event_form(case_path: str | os.PathLike, *, prefix: str | None = None):
    """An ipywidgets form that appends validated events to the case folder at ``case_path``.

    Each accepted event is saved at once (atomically); invalid input is refused with the
    validator's reason and nothing is written. "Undo last addition" removes the latest event
    added through this form. The returned widget keeps its controller as ``.form`` (fields,
    ``add()``, ``undo()``) so a notebook or test can drive it without a browser.
    """
    controller = _EventForm(case_path, prefix=prefix)
    controller.widget.form = controller
    return controller.widget

