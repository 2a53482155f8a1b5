"""Each date rule of analystkit.extract.dates, against a publication date, with its edge cases."""

from __future__ import annotations

import datetime as dt

import pytest

from analystkit.extract.dates import RULES, event_date, find_dates

THU = dt.date(2024, 3, 7)  # a Thursday
MON_JAN = dt.date(2024, 1, 8)  # a Monday early in a year


@pytest.mark.parametrize(("sentence", "published", "date", "precision", "rule"), [
    ("The intrusion began on 3 March 2024.", THU, "2024-03-03", "day", "absolute"),
    ("Systems were hit on March 3, 2024, at night.", THU, "2024-03-03", "day", "absolute"),
    ("Logs from 2024-03-02 show the first access.", THU, "2024-03-02", "day", "absolute"),
    ("It was first seen on 28th December.", MON_JAN, "2023-12-28", "day", "absolute"),  # last year
    ("The data was stolen in January.", THU, "2024-01", "month", "month-name"),
    ("The data was stolen in November.", THU, "2023-11", "month", "month-name"),  # not in the future
    ("The group first appeared in March 2023.", THU, "2023-03", "month", "month-name"),
    ("Staff noticed problems on Wednesday.", THU, "2024-03-06", "day", "weekday"),
    ("Services failed on Thursday.", THU, "2024-03-07", "day", "weekday"),  # the day itself
    ("The attack started late on Sunday.", THU, "2024-03-03", "day", "weekday"),
    ("The network went down last Thursday.", THU, "2024-02-29", "day", "weekday"),  # a week back
    ("Payments stopped yesterday.", THU, "2024-03-06", "day", "yesterday"),
    ("The website came back this morning.", THU, "2024-03-07", "day", "today"),
    ("The breach happened last week.", THU, "2024-02-29", "approximate", "last-week"),
    ("Customers were told earlier this month.", THU, "2024-03", "month", "this-month"),
    ("The leak was posted last month.", THU, "2024-02", "month", "last-month"),
    ("The leak was posted last month.", MON_JAN, "2023-12", "month", "last-month"),
])
def test_each_rule_resolves_against_the_publication_date(sentence, published, date, precision, rule):
    found = find_dates(sentence, published)
    assert [(d.text(), d.precision, d.rule) for d in found] == [(date, precision, rule)]


def test_chained_dates_follow_the_previous_event():
    previous = dt.date(2024, 3, 2)
    assert [(d.text(), d.rule) for d in find_dates("Systems were restored the following day.", THU,
                                                   previous=previous)] == [("2024-03-03", "following-day")]
    assert [(d.text(), d.rule) for d in find_dates("Two days later the data appeared online.", THU,
                                                   previous=previous)] == [("2024-03-04", "days-later")]
    assert find_dates("Two days later the data appeared online.", THU) == []  # nothing to chain to


def test_the_statement_date_is_kept_apart_from_the_event_date():
    fri = dt.date(2024, 3, 8)
    event, said = event_date("On Tuesday, the council said the attack began last week.", fri)
    assert (event.text(), event.rule, said.text(), said.rule) == ("2024-03-01", "last-week", "2024-03-05",
                                                                  "weekday")
    event, said = event_date("On Monday, the company confirmed it had been hit by ransomware.", fri)
    assert event is None and said.text() == "2024-03-04"  # only when it was said
    event, said = event_date("Systems went down on Monday, the company said.", fri)
    assert event.text() == "2024-03-04" and said is None


def test_numbers_that_are_not_dates_are_left_alone():
    assert find_dates("The group stole 3 TB of files and asked for $2 million.", THU) == []
    assert find_dates("May staff work from home?", THU) == []  # a month name alone is no date
    assert find_dates("Around 30 February the plan failed.", THU) == []  # not a real date


def test_every_rule_is_listed_once_by_name():
    names = [name for name, _ in RULES]
    assert set(names) == {"absolute", "month-name", "weekday", "yesterday", "today", "last-week",
                          "this-month", "last-month", "following-day", "days-later"}


def test_a_date_after_the_verb_dates_the_statement_not_the_event():
    fri = dt.date(2024, 3, 8)
    event, said = event_date("Acme Logistics said on Tuesday that systems went down on Monday.", fri)
    assert (event.text(), said.text()) == ("2024-03-04", "2024-03-05")
    event, said = event_date("Systems went down on Monday, Acme Logistics said on Tuesday.", fri)
    assert (event.text(), said.text()) == ("2024-03-04", "2024-03-05")


def test_a_deadline_may_lie_after_publication_a_past_event_may_not():
    fri = dt.date(2024, 3, 8)
    deadline = find_dates("LockBit gave Acme a deadline of March 15 to pay the ransom.", fri)
    assert [d.text() for d in deadline] == ["2024-03-15"]
    threat = find_dates("The group threatened to publish the stolen files in April.", fri)
    assert [d.text() for d in threat] == ["2024-04"]
    past = find_dates("The files were stolen on March 15.", fri)
    assert [d.text() for d in past] == ["2023-03-15"]


def test_lower_case_may_and_absurd_offsets_are_no_dates():
    assert find_dates("Up to 10 may have been affected.", THU) == []
    assert find_dates("Systems returned 99999999 days later.", THU, previous=dt.date(2024, 3, 1)) == []


def test_an_ordinal_ends_a_sentence():
    from analystkit.extract.sentences import split_sentences

    texts = [s.text for s in split_sentences("It began on March 1st. Systems were restored on the 21st. "
                                             "Staff returned.")]
    assert texts == ["It began on March 1st.", "Systems were restored on the 21st.", "Staff returned."]


def test_every_background_marker_counts():
    from analystkit.extract.candidates import propose

    [c] = propose("In 2024 the group typically hits logistics firms, and it attacked Acme on Monday.",
                  published=THU)
    assert c.background
