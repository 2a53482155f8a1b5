"""A notebook widget to review a case's candidate events one by one.

Each proposed candidate is shown with its evidence sentence highlighted in its paragraph of
context (the date words and the trigger words marked), and its fields editable: date, precision,
category, status, actor, victim and title. "Accept" validates the event like the event form
(a bad date is refused with the validator's reason and nothing is written), "Reject" marks the
candidate rejected; both save at once through :func:`analystkit.extract.review.review`.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from ..extract.review import candidates_of, review
from ..schema import CATEGORIES, PRECISIONS, STATUSES, ValidationError
from .form import message_html

__all__ = ["candidate_review", "highlighted"]

_EDITED = ("date", "precision", "category", "status", "actor", "victim", "title")


def highlighted(evidence: str, words: list[str]) -> str:
    """The evidence as HTML, escaped, with ``words`` marked.

    >>> highlighted("Systems <b>failed</b> on Monday", ["on Monday", "failed"])
    'Systems &lt;b&gt;<mark>failed</mark>&lt;/b&gt; <mark>on Monday</mark>'
    """
    text = html.escape(evidence)
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w>]){re.escape(html.escape(word))}(?![\w<])",
                      lambda m: f"<mark>{m.group(0)}</mark>", text)
    return text


class _Reviewer:
    """State and callbacks behind :func:`candidate_review`."""

    def __init__(self, case_path: str | os.PathLike):
        import ipywidgets as w

        self.path = Path(case_path)
        self.queue: list[str] = []
        self.current: dict[str, Any] | None = None
        layout = w.Layout(width="34em")
        self.evidence = w.HTML()
        self.fields: dict[str, Any] = {
            "date": w.Text(description="Date", layout=layout),
            "precision": w.Dropdown(description="Precision", options=PRECISIONS),
            "category": w.Dropdown(description="Category", options=CATEGORIES),
            "status": w.Dropdown(description="Status", options=STATUSES),
            "actor": w.Text(description="Actor", layout=layout),
            "victim": w.Text(description="Victim", layout=layout),
            "title": w.Text(description="Title", layout=layout),
        }
        self.accept_button = w.Button(description="Accept", button_style="success")
        self.reject_button = w.Button(description="Reject", button_style="warning")
        self.message = w.HTML()
        self.accept_button.on_click(lambda _: self.accept())
        self.reject_button.on_click(lambda _: self.reject())
        for name, field in self.fields.items():
            field.add_class(f"ak-candidate-{name}")
        self.widget = w.VBox([self.evidence, *self.fields.values(),
                              w.HBox([self.accept_button, self.reject_button]), self.message])
        self.widget.add_class("ak-candidate-review")
        self.reload()

    def reload(self) -> None:
        """Queue the candidates still proposed and show the first."""
        table = candidates_of(self.path)
        self.queue = list(table.loc[table["state"] == "proposed", "candidate_id"])
        self.rows = table.set_index("candidate_id", drop=False)
        self._show()

    def _show(self) -> None:
        done = not self.queue
        self.accept_button.disabled = self.reject_button.disabled = done
        if done:
            self.current = None
            self.evidence.value = message_html("info", "No candidate left to review.")
            return
        row = self.rows.loc[self.queue[0]].to_dict()
        self.current = row
        words = [w.strip() for w in str(row["triggers"]).split(";")]
        self.evidence.value = (f"<p><b>{html.escape(row['candidate_id'])}</b> · {len(self.queue)} to "
                               f"review · date by rule <code>{html.escape(row['date_rule'])}</code>, "
                               f"status: {html.escape(row['status_rule'])}</p><blockquote>"
                               f"{highlighted(row['evidence'], words)}</blockquote>"
                               + (message_html("warning", str(row["check"])) if row.get("check") else ""))
        for name, field in self.fields.items():
            value = str(row.get(name, "")) if name != "title" else ""
            if hasattr(field, "options") and value not in field.options:
                value = field.options[0]
            field.value = value

    def values(self) -> dict[str, str]:
        """The edited fields (the title only when one was typed)."""
        return {k: str(f.value) for k, f in self.fields.items() if k != "title" or f.value.strip()}

    def accept(self) -> str | None:
        """Accept the shown candidate with the edited fields; return the new event id."""
        if self.current is None:
            return None
        cid = self.current["candidate_id"]
        try:
            _, ids = review(self.path, accept=[cid], edits={cid: self.values()})
        except ValidationError as exc:
            self.message.value = message_html("error", "Not accepted:\n" + "\n".join(
                f"{p.column or 'event'}: {p.value!r} {p.expected}" for p in exc.problems))
            return None
        self.message.value = message_html("ok", f"Accepted {cid} as {', '.join(ids)}")
        self.reload()
        return ids[0] if ids else None

    def reject(self) -> None:
        """Reject the shown candidate."""
        if self.current is not None:
            cid = self.current["candidate_id"]
            review(self.path, reject=[cid])
            self.message.value = message_html("ok", f"Rejected {cid}")
            self.reload()


def candidate_review(case_path: str | os.PathLike):
    """An ipywidgets reviewer of the case's proposed candidate events (see the module notes).

    Returns the widget; its controller is ``widget.reviewer``.
    """
    controller = _Reviewer(case_path)
    controller.widget.reviewer = controller
    return controller.widget
