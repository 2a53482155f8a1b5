"""The event-entry form: same validators as the loader, atomic saves, undo."""

from __future__ import annotations

import pytest

from analystkit import ValidationError, load_case
from analystkit.widgets import add_event, event_form

GOOD = {"start": "2023-02-24", "precision": "day", "end": "", "ongoing": False,
        "category": "response", "title": "Follow-up statement", "description": "",
        "actor": "", "victim": "Royal Mail", "status": "confirmed",
        "source_name": "Example News", "source_url": "https://news.example/a", "tlp": "clear"}


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("field, value, fragment", [
    ("start", "2022-101-27", "not a real date"),
    ("start", "2023-02-30", "not a real date"),
    ("start", "", "empty"),
    ("end", "2023-01-01", "before start"),
    ("precision", "fortnight", "not a known precision"),
    ("category", "hacktivism", "not a known category"),
    ("status", "rumoured", "not a known status"),
    ("tlp", "pink", "not a TLP 2.0 label"),
    ("title", "", "empty"),
    ("source_url", "", "at least one source"),
])
def test_bad_input_is_refused_with_reason(demo_case, field, value, fragment):
    case = load_case(demo_case)
    values = {**GOOD, field: value}
    if field == "source_url":
        values["source_name"] = ""
    with pytest.raises(ValidationError) as info:
        add_event(case, values)
    assert any(fragment in p.expected for p in info.value.problems), str(info.value)


def test_start_must_match_precision(demo_case):
    with pytest.raises(ValidationError, match="YYYY-MM"):
        add_event(load_case(demo_case), {**GOOD, "precision": "month"})


def test_form_refuses_then_accepts_then_undoes(demo_case):
    load_case(demo_case).save(demo_case)  # the form writes files in canonical form
    before = files(demo_case)
    widget = event_form(demo_case)
    form = widget.form
    for name, value in {**GOOD, "start": "2022-101-27"}.items():
        form.fields[name].value = value
    form.add_button.click()
    assert "Not saved" in form.message.value and "2022-101-27" in form.message.value
    assert files(demo_case) == before

    form.fields["start"].value = "2023-02-24"
    form.add_button.click()
    assert "Saved e-004" in form.message.value  # the case's own numbering (e-001 .. e-003)
    case = load_case(demo_case)
    assert len(case.events) == 4
    row = case.events.iloc[-1]
    assert (row["event_id"], row["title"], row["sources"]) == ("e-004", "Follow-up statement", ("s1",))
    assert len(case.sources) == 2  # the URL matched an existing source

    form.undo_button.click()
    assert files(demo_case) == before
    assert form.undo_button.disabled


def test_new_source_is_created_and_undone(demo_case):
    form = event_form(demo_case).form
    for name, value in {**GOOD, "source_name": "Local Paper",
                        "source_url": "https://paper.example/x"}.items():
        form.fields[name].value = value
    assert form.add() == "e-004"
    case = load_case(demo_case)
    new = case.sources[case.sources["url"] == "https://paper.example/x"]
    assert list(new["source_id"]) == ["local-paper-001"]
    assert case.events.iloc[-1]["sources"] == ("local-paper-001",)
    form.undo()
    assert "https://paper.example/x" not in set(load_case(demo_case).sources["url"])


def test_hostile_title_is_escaped_in_message(demo_case):
    form = event_form(demo_case).form
    for name, value in {**GOOD, "title": "<img src=x onerror=alert(1)>"}.items():
        form.fields[name].value = value
    form.add()
    assert "<img" not in form.message.value and "&lt;img" in form.message.value


@pytest.mark.parametrize("key, near", [("note", "notes"), ("credibilty", "credibility"),
                                       ("end_prec", "end_precision"), ("xyzzy", None)])
def test_unknown_fields_are_refused_with_the_nearest_name(demo_case, key, near):
    case = load_case(demo_case)
    with pytest.raises(ValidationError) as info:
        add_event(case, {**GOOD, key: "something"})
    (problem,) = info.value.problems
    assert problem.column == key and problem.value == "something"
    assert (f"did you mean {near!r}" in problem.expected) if near else "did you mean" not in problem.expected
    assert "notes" in problem.expected  # the accepted fields are listed


def test_optional_fields_reach_the_saved_row(demo_case):
    case = load_case(demo_case)
    values = {**GOOD, "end": "2023-03", "precision": "day", "end_precision": "month",
              "notes": "Second-hand account", "conflict": "demand-size", "credibility": "3",
              "sources": "s2"}
    updated, event_id, _ = add_event(case, values)
    written = updated.save(demo_case)
    assert written
    row = load_case(demo_case).events.set_index("event_id").loc[event_id]
    assert row["notes"] == "Second-hand account" and row["conflict"] == "demand-size"
    assert row["end_precision"] == "month" and str(row["credibility"]) == "3"
    assert row["sources"][0] == "s2" and len(row["sources"]) == 2  # given id, then the URL's source


def test_bad_optional_value_names_its_field(demo_case):
    with pytest.raises(ValidationError) as info:
        add_event(load_case(demo_case), {**GOOD, "credibility": "9"})
    assert [p.column for p in info.value.problems] == ["credibility"]


def test_the_form_saves_notes_and_credibility(demo_case):
    form = event_form(demo_case).form
    for name, value in {**GOOD, "notes": "One outlet only", "credibility": "3"}.items():
        form.fields[name].value = value
    event_id = form.add()
    assert event_id and "Saved" in form.message.value
    row = load_case(demo_case).events.set_index("event_id").loc[event_id]
    assert row["notes"] == "One outlet only" and str(row["credibility"]) == "3"
