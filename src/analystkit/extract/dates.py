"""The date a news sentence gives an event, resolved against the article's publication date.

Each rule of :data:`RULES` finds one kind of expression and says how it resolves:

==============  ==========================================  ===========================  ===========
rule            example                                     resolves to                  precision
==============  ==========================================  ===========================  ===========
absolute        "on 3 March 2024", "March 3", "2024-03-03"  that day (no year: the       day
                                                            latest not after publication)
month-name      "in January", "in March 2023"               that month (no year: the     month
                                                            latest not after publication)
weekday         "on Wednesday", "late on Sunday"            the latest such day on or    day
                                                            before publication
yesterday       "yesterday"                                 publication − 1 day          day
today           "today", "this morning", "earlier today"    publication day              day
last-week       "last week"                                 publication − 7 days         approximate
this-month      "earlier this month", "this month"          publication month            month
last-month      "last month"                                the month before             month
following-day   "the following day", "the next day"         previous event + 1 day       day
days-later      "two days later", "3 days later"            previous event + N days      day
==============  ==========================================  ===========================  ===========

A sentence often holds two dates: when something was said and when it happened ("On Tuesday,
the council said the attack began last week"). :func:`event_date` keeps them apart: a date that
introduces a statement verb (``said``, ``confirmed``, ``announced`` ...) is the statement's, and
the event takes the other one; with only a statement date, the event has none of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["RULES", "SAYING", "DateFound", "event_date", "find_dates"]

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                          "saturday", "sunday"))}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "a": 1}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

#: Each rule: (name, pattern). Order matters: the first rule matching a span wins.
RULES = (
    ("absolute", rf"\b{_YEAR}-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)\b"),
    ("absolute", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"),
    ("absolute", rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b(?!\s*(?:gb|tb|%|per|million|people))"),
    ("month-name", rf"\b(?:in|during|since|from|until|by|early|late|mid-?)\s+(?:early\s+|late\s+|mid-?)?"
                   rf"{_MONTH}(?:\s+{_YEAR})?\b"),
    ("month-name", rf"\b{_MONTH}\s+{_YEAR}\b"),
    ("weekday", r"\b(?:on\s+|late\s+on\s+|early\s+on\s+|last\s+|this\s+past\s+)?(?P<weekday>monday|tuesday|"
                r"wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?\b"),
    ("yesterday", r"\byesterday\b"),
    ("today", r"\b(?:today|this\s+morning|this\s+afternoon|earlier\s+today|tonight)\b"),
    ("last-week", r"\blast\s+week\b"),
    ("this-month", r"\b(?:earlier\s+)?this\s+month\b"),
    ("last-month", r"\blast\s+month\b"),
    ("following-day", r"\b(?:the\s+)?(?:following|next)\s+day\b|\bthe\s+day\s+after\b"),
    ("days-later", r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+days?\s+later\b"),
)
_COMPILED = tuple((name, re.compile(p, re.IGNORECASE)) for name, p in RULES)
#: Verbs that make a sentence a statement about an event rather than the event itself.
SAYING = re.compile(r"\b(?:said|says|confirmed|announced|told|stated|reported|disclosed|revealed|"
                     r"wrote|posted|added|explained|warned|admitted|acknowledged|claimed|denied)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class DateFound:
    """One date expression: the date it gives (the first day of its period), its precision, the
    rule that resolved it, and where it is in the sentence."""

    date: dt.date
    precision: str  # day | month | approximate
    rule: str
    start: int
    end: int

    def text(self) -> str:
        """``2024-03-06`` for a day, ``2024-03`` for a month.

        >>> DateFound(dt.date(2024, 3, 1), "month", "this-month", 0, 5).text()
        '2024-03'
        """
        return f"{self.date:%Y-%m}" if self.precision == "month" else self.date.isoformat()


def find_dates(sentence: str, published: dt.date, *, previous: dt.date | None = None) -> list[DateFound]:
    """Every date expression of ``sentence``, in order, resolved against ``published`` (and, for
    "the following day" and "N days later", against the ``previous`` event's date).

    Examples
    --------
    >>> thu = dt.date(2024, 3, 7)  # a Thursday
    >>> [(d.text(), d.rule) for d in find_dates("The attack began on Wednesday.", thu)]
    [('2024-03-06', 'weekday')]
    >>> [(d.text(), d.rule) for d in find_dates("Services failed on Thursday.", thu)]
    [('2024-03-07', 'weekday')]
    >>> [(d.text(), d.precision) for d in find_dates("Files leaked in December.", dt.date(2024, 1, 9))]
    [('2023-12', 'month')]
    >>> [(d.text(), d.rule) for d in find_dates("It was restored the following day.", thu,
    ...                                           previous=dt.date(2024, 3, 2))]
    [('2024-03-03', 'following-day')]
    """
    found: list[DateFound] = []
    taken: list[tuple[int, int]] = []
    ahead = bool(_FUTURE.search(sentence))  # a deadline or a threat may lie after publication
    for name, rx in _COMPILED:
        for m in rx.finditer(sentence):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            got = _resolve(name, m, published, previous, ahead)
            if got is not None:
                found.append(DateFound(*got, name, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _resolve(name: str, m: re.Match, published: dt.date, previous: dt.date | None,
             ahead: bool = False) -> tuple[dt.date, str] | None:
    g = {k: v for k, v in m.groupdict().items() if v}
    if "month" in g and not g["month"][:1].isupper():
        return None  # "up to 10 may have been affected": a month is written with a capital
    try:
        if name == "absolute":
            if "m2" in g:
                return dt.date(int(g["year"]), int(g["m2"]), int(g["d2"])), "day"
            month, day = _MONTHS[g["month"].lower().rstrip(".")], int(g["day"])
            if "year" in g:
                return dt.date(int(g["year"]), month, day), "day"
            return _nearest(dt.date(published.year, month, day), published, ahead), "day"
        if name == "month-name":
            month = _MONTHS[g["month"].lower().rstrip(".")]
            if "year" in g:
                return dt.date(int(g["year"]), month, 1), "month"
            return _nearest(dt.date(published.year, month, 1), published.replace(day=1), ahead), "month"
    except ValueError:  # 31 February: not a date
        return None
    if name == "weekday":
        back = (published.weekday() - _WEEKDAYS[g["weekday"].lower()]) % 7
        if m.group(0).lower().startswith(("last ", "this past ")) and back == 0:
            back = 7
        return published - dt.timedelta(days=back), "day"
    simple = {"yesterday": (published - dt.timedelta(days=1), "day"), "today": (published, "day"),
              "last-week": (published - dt.timedelta(days=7), "approximate"),
              "this-month": (published.replace(day=1), "month"),
              "last-month": ((published.replace(day=1) - dt.timedelta(days=1)).replace(day=1), "month")}
    if name in simple:
        return simple[name]
    if previous is None:
        return None
    days = 1 if name == "following-day" else _NUMBERS.get(g["n"].lower()) or int(g["n"])
    if days > _MOST_DAYS:
        return None  # "99999999 days later" is no date
    return previous + dt.timedelta(days=days), "day"


_MOST_DAYS = 3650
_AHEAD_DAYS = 183
#: Words that let a date without a year lie after publication: a deadline, a threat, a plan.
_FUTURE = re.compile(r"\b(?:deadline|until|will|would|threaten\w*|due|expir\w*|plans?|planned|"
                     r"scheduled|next)\b", re.IGNORECASE)


def _nearest(guess: dt.date, published: dt.date, ahead: bool) -> dt.date:
    """A date without a year in the publication's year, else the year before; a deadline (``ahead``)
    may be up to six months after publication."""
    if guess <= published or (ahead and (guess - published).days <= _AHEAD_DAYS):
        return guess
    return guess.replace(year=guess.year - 1)


def event_date(sentence: str, published: dt.date, *, previous: dt.date | None = None
               ) -> tuple[DateFound | None, DateFound | None]:
    """The date of the event a sentence states, and the date it was said (each may be None).

    A date that opens the statement ("On Tuesday, the council said ...") or follows its verb
    ("... said on Tuesday") dates the statement; the event takes the sentence's other date, else
    none.

    >>> fri = dt.date(2024, 3, 8)
    >>> event, said = event_date("On Tuesday, the council said the attack began last week.", fri)
    >>> (event.text(), event.rule), (said.text(), said.rule)
    (('2024-03-01', 'last-week'), ('2024-03-05', 'weekday'))
    >>> event, said = event_date("Systems went down on Monday, the company said on Tuesday.", fri)
    >>> event.text(), said.text()
    ('2024-03-04', '2024-03-05')
    """
    dates = find_dates(sentence, published, previous=previous)
    if not dates:
        return None, None
    verb = SAYING.search(sentence)
    if verb is None:
        return dates[0], None
    said = next((d for d in dates if 0 <= d.start - verb.end() <= 4), None)  # "said on Tuesday"
    if said is None:  # "On Tuesday, the firm said ..."
        said = next((d for d in reversed(dates) if d.end <= verb.start() and _introduces(sentence, d, verb)),
                    None)
    if said is None:
        return dates[0], None
    others = [d for d in dates if d is not said]
    return (others[0] if others else None), said


def _introduces(sentence: str, date: DateFound, verb: re.Match) -> bool:
    """Whether ``date`` opens the clause of the statement verb ("On Tuesday, X said")."""
    gap = sentence[date.end:verb.start()]
    return date.start <= 3 and "," in gap[:3] and len(gap.split()) <= 6
