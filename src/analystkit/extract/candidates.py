"""Sentences of an article proposed as candidate events, each with the evidence that chose it.

:func:`propose` reads an article's text sentence by sentence. A sentence is left out when it is
boilerplate (:data:`BOILERPLATE`: newsletter sign-ups, cookie banners, captions, bylines) and
marked ``background`` when it speaks of something else (:data:`BACKGROUND`: an earlier year,
how ransomware works, statistics). Otherwise it is a candidate when it has a category (the
trigger words of :data:`CATEGORY_TRIGGERS`, the words that chose it kept) and a date
(:mod:`analystkit.extract.dates`, the rule kept; a statement with no date of its own,
such as "The company denied ...", is dated the publication day, approximate, rule
``publication``); its status comes from its wording
(:data:`STATUS_RULES`), its actor from the alias table and the case's actors, its victim from
the case's victims or the headline. A candidate is a proposal: it goes to the case's
candidates table, never straight into its events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..aliases import load_aliases
from ..resources import data_dir
from .dates import SAYING, DateFound, event_date
from .sentences import split_sentences

__all__ = ["BACKGROUND", "BOILERPLATE", "CATEGORY_TRIGGERS", "STATUS_RULES", "Candidate", "propose"]

#: Sentences that are page furniture, never events.
BOILERPLATE = re.compile(
    r"\b(?:sign\s+up|subscribe|newsletter|cookies?|privacy\s+policy|all\s+rights\s+reserved|"
    r"read\s+more|related\s*:|follow\s+us|advertisement|share\s+this|click\s+here|"
    r"this\s+(?:story|article)\s+(?:was|has\s+been)\s+updated|image\s*:|photo(?:graph)?\s*:|credit\s*:|"
    r"getty\s+images|reporting\s+by|editing\s+by|contact\s+the\s+author)\b|^by\s+[A-Z][a-z]+\s+[A-Z]",
    re.IGNORECASE)
#: Sentences about something other than the incident: another year, how ransomware works, figures.
BACKGROUND = re.compile(
    r"\b(?:in|since|during|by)\s+(?P<year>(?:19|20)\d\d)\b(?!\s*-)|"
    r"\b(?:is|are)\s+(?:a\s+)?(?:type|form|kind)\s+of\b|\bransomware\s+(?:is|works|typically|encrypts\s+"
    r"files\s+and)\b|\b(?:typically|usually|often|commonly)\b|\bper\s+cent\s+of\b|\d+\s*%\s+of\b|"
    r"\blast\s+year\b|\bprevious(?:ly)?\b.*\battack(?:ed|s)?\b|\bthe\s+same\s+group\b|\bin\s+recent\s+years\b",
    re.IGNORECASE)
#: Words that put a sentence in a category, most specific first.
CATEGORY_TRIGGERS = {
    "law-enforcement": (r"arrest\w*", r"charged", r"indict\w*", r"sanction\w*", r"seiz\w+", r"takedown",
                        r"extradit\w*"),
    "extortion": (r"ransom(?!ware)\w*", r"leak\s+site", r"dark\s+web", r"publish(?:ed)?\s+(?:the\s+)?"
                  r"(?:stolen|data|files)", r"deadline", r"extort\w*", r"posted\s+.*\bdata\b",
                  r"listed\b", r"leaked", r"demand(?:ed|s)?", r"negotiat\w*"),
    "recovery": (r"restor\w+", r"back\s+online", r"resum\w+", r"fully\s+operational", r"recover(?:ed|y)",
                 r"returned\s+to\s+normal", r"reopen\w*", r"came\s+back"),
    "disruption": (r"outage\w*", r"disrupt\w*", r"offline", r"down\b", r"unavailable", r"delay\w*",
                   r"cancell?ed", r"suspend\w*", r"halt\w*", r"unable\s+to", r"closed", r"divert\w*",
                   r"postpon\w*", r"stopped", r"failed"),
    "intrusion": (r"breach\w*", r"hack\w*", r"compromis\w+", r"encrypt\w*", r"intrusion", r"infect\w*",
                  r"gained\s+access", r"broke\s+into", r"attacked", r"deployed", r"stole\b|stolen"),
    "response": (r"investigat\w+", r"forensic\w*", r"contain\w*", r"experts?\b", r"brought\s+in",
                 r"incident\s+response", r"working\s+with", r"informed\s+(?:the\s+)?police", r"isolat\w+"),
    "disclosure": (r"confirm\w*", r"announc\w+", r"disclos\w+", r"notif\w+", r"statement",
                   r"told\s+(?:customers|staff|patients|parents)", r"warned", r"alert\w*",
                   r"said\s+it\s+(?:had|was)"),
    "impact": (r"cost\w*", r"million", r"affected", r"records", r"customers'?\s+data", r"losses?"),
}
_TRIGGERS = {c: [re.compile(rf"\b{w}", re.IGNORECASE) for w in words]
             for c, words in CATEGORY_TRIGGERS.items()}
#: Nouns that name the incident in a sentence about something else ("an attack disrupted ..."):
#: they choose the category only when nothing else does.
_WEAK = {"intrusion": re.compile(r"\b(?:cyber[\s-]?)?attack\b|\bcyberattack\b|\bincident\b",
                                 re.IGNORECASE)}
#: How a sentence's wording sets its status, first match wins: (status, pattern, rule).
STATUS_RULES = (
    ("disputed", r"\b(?:den(?:y|ied|ies)|disput\w+|reject\w*\s+(?:the\s+)?claim|no\s+evidence|"
                 r"false|not\s+been\s+(?:stolen|taken|accessed))\b", "denial"),
    ("claimed", r"\b(?:claim\w*|the\s+(?:group|gang|hackers|attackers)\s+(?:said|says|posted|wrote)|"
                r"leak\s+site|ransom\s+note|demand\w*|threaten\w*|its\s+(?:dark\s+web\s+)?site)\b",
     "the group's word"),
    ("confirmed", r"\b(?:confirm\w*|(?:the\s+)?(?:company|council|trust|hospital|firm|police|agency|"
                  r"ministry|regulator|spokes\w+|chief\s+executive|ceo)\s+(?:said|says|announced|told)|"
                  r"said\s+in\s+a\s+statement|announced|in\s+a\s+statement|press\s+release)\b",
     "victim or authority"),
    ("reported", r"\b(?:accord\w+\s+to|report\w*|sources?|understood|believed|appears?)\b", "the press"),
)
_STATUS = tuple((s, re.compile(p, re.IGNORECASE), rule) for s, p, rule in STATUS_RULES)
#: Words that tend to be common English as well as a group's name: matched only capitalised and
#: not as the start of a longer name ("Royal Mail" is no actor).
_COMMON = frozenset({"play", "royal", "hive", "medusa", "cuba", "snatch", "quantum", "everest", "karma",
                     "cactus", "trigona", "lorenz", "ragnar", "clop", "vice", "money", "black", "blacksuit",
                     "hunters", "akira", "monti", "nokoyawa", "rhysida", "qilin"})


@dataclass
class Candidate:
    """One proposed event and the evidence behind each of its fields."""

    sentence: str
    start: int  # character offsets of the sentence in the article text
    end: int
    date: str = ""
    precision: str = ""
    date_rule: str = ""
    said_on: str = ""  # the date the sentence's statement was made, kept apart from the event's
    category: str = ""
    triggers: tuple[str, ...] = ()
    status: str = ""
    status_rule: str = ""
    actor: str = ""
    victim: str = ""
    background: bool = False
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def _actor_names(path: str) -> tuple[tuple[re.Pattern, str], ...]:
    """Every actor name and alias of the alias table as a pattern, longest first."""
    table = load_aliases(path)
    rows = table[table["kind"] == "actor"]
    names = dict(zip(rows["alias"], rows["canonical"], strict=True))
    names.update({c: c for c in rows["canonical"]})
    out = []
    for name, canonical in sorted(names.items(), key=lambda kv: -len(kv[0])):
        if len(name) < 3:
            continue
        if name.lower() in _COMMON:
            pattern = rf"\b{re.escape(name[:1].upper() + name[1:])}\b(?!\s+[A-Z][a-z])"
            out.append((re.compile(pattern), canonical))
        else:
            out.append((re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), canonical))
    return tuple(out)


def propose(text: str, *, published: dt.date, title: str = "", actors: tuple[str, ...] = (),
            victims: tuple[str, ...] = (), aliases: str | None = None) -> list[Candidate]:
    """The candidate events of an article's ``text`` (background sentences included, marked).

    Parameters
    ----------
    text : the article's text (boilerplate may remain: it is left out here).
    published : the publication date every relative date resolves against.
    title : the headline: its leading organisation name is the victim when the case names none.
    actors, victims : the case's own names, looked for first.

    Examples
    --------
    >>> text = ("Harbourside Logistics said on Wednesday that a ransomware attack had disrupted "
    ...         "deliveries. Sign up to our newsletter. Services were restored the following day.")
    >>> for c in propose(text, published=dt.date(2024, 3, 7), victims=("Harbourside Logistics",)):
    ...     print(c.date, c.date_rule, c.category, c.status, c.victim)
    2024-03-06 weekday disruption confirmed Harbourside Logistics
    2024-03-07 following-day recovery reported Harbourside Logistics
    """
    names = _actor_names(str(aliases or data_dir() / "aliases.csv"))
    main_victim = victims[0] if victims else _headline_victim(title)
    out: list[Candidate] = []
    previous: dt.date | None = None
    article_actor = ""
    for s in split_sentences(text):
        if BOILERPLATE.search(s.text):
            continue
        found_actor = _actor(s.text, actors, names)
        article_actor = article_actor or found_actor
        event, said = event_date(s.text, published, previous=previous)
        category, triggers = _category(s.text)
        if not category:
            continue
        when = event or said or _said_at_publication(s.text, published)
        if when is None:
            continue
        c = Candidate(s.text, s.start, s.end, when.text(), when.precision, when.rule,
                      said.text() if said and event else "", category, triggers)
        c.status, c.status_rule = _status(s.text, (*victims, main_victim))
        c.actor = found_actor or (article_actor if category in ("intrusion", "extortion") else "")
        c.victim = next((v for v in victims if v.lower() in s.text.lower()), main_victim)
        c.background = _background(s.text, published)
        if not c.background:
            previous = when.date
        out.append(c)
    return out


def _said_at_publication(sentence: str, published: dt.date) -> DateFound | None:
    """An undated statement ("The company denied that ...") as made by the publication date:
    approximate, rule ``publication``."""
    m = SAYING.search(sentence)
    return DateFound(published, "approximate", "publication", m.start(), m.end()) if m else None


def _category(sentence: str) -> tuple[str, tuple[str, ...]]:
    """The category with the most trigger words (ties: the more specific, listed first)."""
    best, words = "", ()
    for category, patterns in _TRIGGERS.items():
        hits = tuple(m.group(0) for rx in patterns for m in rx.finditer(sentence))
        if len(hits) > len(words):
            best, words = category, hits
    if not best:
        for category, rx in _WEAK.items():
            hits = tuple(m.group(0) for m in rx.finditer(sentence))
            if hits:
                return category, hits
    return best, words


def _status(sentence: str, victims: tuple[str, ...] = ()) -> tuple[str, str]:
    for status, rx, rule in _STATUS[:2]:  # a denial or the group's word first
        if rx.search(sentence):
            return status, rule
    for name in victims:  # the victim speaking: "Harbourside Logistics said on Wednesday ..."
        if name and re.search(rf"\b{re.escape(name)}\b(?:\W+\w+){{0,3}}?\W+(?:said|says|confirmed|"
                              r"announced|told|stated)\b", sentence, re.IGNORECASE):
            return "confirmed", "the victim's word"
    for status, rx, rule in _STATUS[2:]:
        if rx.search(sentence):
            return status, rule
    return "reported", "the press (no attribution)"


def _actor(sentence: str, own: tuple[str, ...], names: tuple[tuple[re.Pattern, str], ...]) -> str:
    for name in own:
        if re.search(rf"\b{re.escape(name)}\b", sentence, re.IGNORECASE):
            return name
    return next((canonical for rx, canonical in names if rx.search(sentence)), "")


def _background(sentence: str, published: dt.date) -> bool:
    m = BACKGROUND.search(sentence)
    if m is None:
        return False
    year = m.groupdict().get("year")
    return year is None or int(year) < published.year


_HEADLINE_VERB = re.compile(r"\s+(?:hit|hits|suffers?|says?|confirms?|restores?|struck|targeted|"
                            r"reports?|warns?|investigat\w+|attacked|falls?|is|was|has|after|in|:)\b")


def _headline_victim(title: str) -> str:
    """The organisation a headline starts with ("Harbourside Logistics hit by ransomware")."""
    m = _HEADLINE_VERB.search(title)
    head = title[:m.start()] if m else ""
    words = head.strip(" '\"‘’").split()
    return head.strip(" '\"‘’") if words and all(w[:1].isupper() or w in ("of", "and", "&") for w in words) \
        and len(words) <= 6 else ""
