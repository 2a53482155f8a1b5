"""Sentences of an article proposed as candidate events, each with the evidence that chose it.

:func:`propose` reads an article's text sentence by sentence. A sentence is left out when it is
boilerplate (:data:`BOILERPLATE`: newsletter sign-ups, cookie banners, captions, bylines) and
marked ``background`` when it speaks of something else (:data:`BACKGROUND`: an earlier year,
how ransomware works, statistics). Otherwise it is a candidate when it has a category (the
trigger words of :data:`CATEGORY_TRIGGERS`, the words that chose it kept) and a date
(:mod:`analystkit.extract.dates`, the rule kept; a statement with no date of its own,
such as "The company denied ...", is dated the day before publication, approximate, so that
its window ends with the publication day, rule ``publication``); its status comes from its wording
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
    r"further\s+updates?|updates?\s+will\s+be|on\s+this\s+page|for\s+more\s+information|"
    r"this\s+(?:story|article)\s+(?:was|has\s+been)\s+updated|"
    r"getty\s+images|reporting\s+by|editing\s+by|contact\s+the\s+author)\b|"
    r"^(?:photo(?:graph)?|image|picture|credit|caption)\s*:|\b(?:photo|credit)\s*:\s|^by\s+[A-Z][a-z]+\s+[A-Z]",
    re.IGNORECASE)
#: Sentences about something other than the incident: another year, how ransomware works, figures.
BACKGROUND = re.compile(
    r"\b(?:in|since|during|by)\s+(?P<year>(?:19|20)\d\d)\b(?!\s*-)|"
    r"\b(?:is|are)\s+(?:a\s+)?(?:type|form|kind)\s+of\b|\bransomware\s+(?:is|works|typically|encrypts\s+"
    r"files\s+and)\b|\b(?:typically|usually|often|commonly)\b|\bper\s+cent\s+of\b|\d+\s*%\s+of\b|"
    r"\blast\s+year\b|\bthe\s+same\s+group\b|\bin\s+recent\s+years\b|"
    r"\b(?:separate|unrelated|similar)\b|\bin\s+the\s+past\b|\bstrikes?\b|\bpower\s+cut\b|"
    r"\bnever\s+recovered\b",
    re.IGNORECASE)
#: Pairs of words that together mark background ("previously ... attacked", "the sector also"),
#: tested one word at a time: a ``.*`` between them would be quadratic on a long hostile page.
_BACKGROUND_PAIRS = ((re.compile(r"\bprevious(?:ly)?\b", re.IGNORECASE),
                      re.compile(r"\battack(?:ed|s)?\b", re.IGNORECASE)),
                     (re.compile(r"\bsector\b", re.IGNORECASE), re.compile(r"\balso\b", re.IGNORECASE)))
#: An event dated this long before publication is background unless it names the victim or speaks of
#: "the company" / "we".
_OLD_DAYS = 150
#: Words that put a sentence in a category, most specific first.
CATEGORY_TRIGGERS = {
    "law-enforcement": (r"arrest\w*", r"charged", r"indict\w*", r"sanction\w*", r"seiz\w+", r"takedown",
                        r"extradit\w*", r"remanded", r"custody", r"court", r"pleaded", r"sentenced",
                        r"convicted", r"fined", r"penalt\w+", r"search\s+warrants?"),
    "extortion": (r"ransom(?!ware)\w*", r"leak\s+site", r"dark\s+web", r"publish(?:ed)?\s+(?:the\s+)?"
                  r"(?:stolen|data|files|what)", r"deadline", r"extort\w*", r"posted\b", r"listed\b",
                  r"leaked", r"demand(?:ed|s)?", r"negotiat\w*", r"sample\s+files", r"threaten\w*",
                  r"claimed\s+(?:responsibility|the\s+attack)"),
    "recovery": (r"restor\w+", r"back\s+online", r"resum\w+", r"fully\s+operational", r"recover(?:ed|y)",
                 r"returned\s+to\s+normal", r"reopen\w*", r"came\s+back", r"working\s+normally"),
    "disruption": (r"outage\w*", r"disrupt\w*", r"offline", r"down\b", r"unavailable", r"delay\w*",
                   r"cancell?ed", r"suspend\w*", r"halt\w*", r"unable\s+to", r"closed", r"divert\w*",
                   r"postpon\w*", r"stopped", r"failed", r"waiting", r"queues?", r"backlog",
                   r"not\s+working", r"pen\s+and\s+paper", r"manual(?:ly)?", r"problems\s+with"),
    "intrusion": (r"breach\w*", r"hack\w*", r"compromis\w+", r"encrypt\w*", r"intrusion", r"infect\w*",
                  r"gained\s+access", r"broke\s+into", r"attacked", r"deployed", r"stole\b|stolen",
                  r"detected", r"unusual\s+activity", r"suspicious", r"unauthori[sz]ed\s+access",
                  r"malicious",
                  r"log(?:ged)?\s*in\b|\blogins?\b", r"intruders?", r"attackers?\b", r"threat\s+actors?",
                  r"exploit\w*", r"phishing", r"initial\s+access", r"lateral\w*", r"credentials",
                  r"administrator\s+account", r"exfiltrat\w+", r"executed", r"malware", r"backdoor",
                  r"(?:data|files|records|emails?)\s+(?:was|were|had\s+been)\s+(?:taken|stolen|accessed|copied)",
                  r"accessed", r"operators\s+used"),
    "response": (r"investigat\w+", r"forensic\w*", r"contain\w*", r"experts?\b", r"brought\s+in",
                 r"incident\s+response", r"working\s+with", r"isolat\w+", r"patched", r"reset\b",
                 r"rebuil\w+", r"supporting", r"engaged", r"precaution\w*", r"took\s+\w+\s+offline"),
    "disclosure": (r"confirm\w*", r"announc\w+", r"disclos\w+", r"notif\w+", r"statement",
                   r"told\s+(?:customers|staff|patients|parents|members)", r"warned", r"alert\w*",
                   r"said\s+it\s+(?:had|was)", r"reported\s+(?:the\s+\w+\s+|it\s+)?to\s+the",
                   r"informed\s+(?:the\s+)?(?:police|ico|information)", r"(?:can\s+)?state\s+(?:today|that)",
                   r"wrote\s+to", r"letters?\s+to"),
    "impact": (r"cost\w*", r"million", r"affected", r"records", r"customers'?\s+data", r"losses?",
               r"shares?\s+(?:fell|dropped|price)", r"revenue", r"£[\d,.]+|\$[\d,.]+"),
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


def propose(text: str, *, published: dt.date, title: str = "", kind: str = "news",
            actors: tuple[str, ...] = (), victims: tuple[str, ...] = (),
            aliases: str | None = None) -> list[Candidate]:
    """The candidate events of an article's ``text`` (background sentences included, marked).

    Parameters
    ----------
    text : the article's text (boilerplate may remain: it is left out here).
    published : the publication date every relative date resolves against.
    title : the headline, where the victim is looked for when the case names none.
    kind : ``news`` (the press: an unattributed sentence is ``reported``), ``statement`` (the
        victim's or an authority's own words: ``confirmed``) or ``blog`` (research: ``reported``).
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
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    names = _actor_names(str(aliases or data_dir() / "aliases.csv"))
    main_victim = victims[0] if victims else _main_victim(text, title)
    speakers = tuple(v for v in (*victims, main_victim) if v)
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
        when = event or said or (_said_at_publication(s.text, published) if category else None)
        if when is None or not category:
            if when is not None:
                previous = when.date
            continue
        c = Candidate(s.text, s.start, s.end, when.text(), when.precision, when.rule,
                      said.text() if said and event else "", category, triggers)
        c.status, c.status_rule = _status(s.text, speakers, kind)
        c.actor = found_actor or (article_actor if category in ("intrusion", "extortion") else "")
        c.victim = next((v for v in victims if v.lower() in s.text.lower()), main_victim)
        c.background = _background(s.text, published, when.date, speakers)
        if when.date > published:
            c.notes.append(f"its date {c.date} is after the article's publication on {published}: check it")
        if not c.background:
            previous = when.date
        out.append(c)
    return out


_KINDS = ("news", "statement", "blog")
_QUOTED_OR_NEGATED = re.compile(r"^[\"“‘']|\b(?:no\s+(?:group|one|evidence)|not\s+yet|has\s+not|have\s+not|"
                                r"yet\s+to)\b", re.IGNORECASE)


def _said_at_publication(sentence: str, published: dt.date) -> DateFound | None:
    """An undated statement ("The company denied that ...") as made by the publication date: the
    day before it, approximate (one day either side: never after publication), rule
    ``publication``; not a quotation or a negation ("No group has ...")."""
    m = SAYING.search(sentence)
    if m is None or _QUOTED_OR_NEGATED.search(sentence):
        return None
    return DateFound(published - dt.timedelta(days=1), "approximate", "publication", m.start(), m.end())


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


#: Who speaks for the incident with authority: their word makes a sentence confirmed.
_AUTHORITY = re.compile(r"\b(?:police|detective|officers?|prosecutors?|court|national\s+crime\s+agency|nca|"
                        r"fbi|cisa|ncsc|national\s+cyber\s+security\s+centre|ico|information\s+"
                        r"commissioner\w*|europol|department\s+of\s+justice|ministry|government|regulator|"
                        r"treasury|home\s+office|nhs\s+england)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|us)\b")  # "US", the country, is not "us"


def _status(sentence: str, speakers: tuple[str, ...] = (), kind: str = "news") -> tuple[str, str]:
    for status, rx, rule in _STATUS[:2]:  # a denial or the group's word first
        if rx.search(sentence):
            return status, rule
    for name in speakers:  # the victim speaking: "Harbourside Logistics said on Wednesday ..."
        if re.search(rf"\b{re.escape(name)}\b.{{0,80}}?\b(?:said|says|confirmed|announced|told|stated|"
                     r"can\s+confirm)\b", sentence, re.IGNORECASE):
            return "confirmed", "the victim's word"
    if (_AUTHORITY.search(sentence) and SAYING.search(sentence)) or _AUTHORITY.match(sentence):
        return "confirmed", "an authority's word"
    if _FIRST_PERSON.search(sentence) and (kind == "statement" or SAYING.search(sentence)):
        return "confirmed", "the victim's own words"
    for status, rx, rule in _STATUS[2:]:
        if rx.search(sentence):
            return status, rule
    if kind == "statement":
        return "confirmed", "the victim's or an authority's own statement"
    return "reported", "the press (no attribution)" if kind == "news" else "research (no attribution)"


def _actor(sentence: str, own: tuple[str, ...], names: tuple[tuple[re.Pattern, str], ...]) -> str:
    for name in own:
        if re.search(rf"\b{re.escape(name)}\b", sentence, re.IGNORECASE):
            return name
    return next((canonical for rx, canonical in names if rx.search(sentence)), "")


def _background(sentence: str, published: dt.date, when: dt.date, speakers: tuple[str, ...]) -> bool:
    """About something else: a background marker, an earlier year, or a date long before."""
    for m in BACKGROUND.finditer(sentence):  # "In 2024 ... typically": every marker counts
        year = m.groupdict().get("year")
        if year is None or int(year) < published.year:
            return True
    if any(a.search(sentence) and b.search(sentence) for a, b in _BACKGROUND_PAIRS):
        return True
    if (published - when).days > _OLD_DAYS:
        about = any(n.lower() in sentence.lower() for n in speakers) or _FIRST_PERSON.search(sentence) \
            or re.search(r"\bthe\s+(?:company|council|trust|firm|hospital|university|school|society)\b",
                         sentence, re.IGNORECASE)
        return not about
    return False


_ORG = re.compile(r"\b(?:[A-Z][\w'’.-]*(?:\s+(?:&|and|of|de|du|for)\s+|\s+)){1,5}(?:[A-Z][\w'’.-]*)")
_NOT_VICTIM = re.compile(r"\b(?:Police|Agency|Office|Commissioner|Centre|Center|Department|Court|Bureau|"
                         r"Europol|FBI|NCA|NCSC|ICO|CISA|Security|Ministry|Government|England|Treasury|"
                         r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
                         r"April|May|June|July|August|September|October|November|December|Detective|"
                         r"Inspector|Chief|Executive|Officer|Magistrates)\b")


def _main_victim(text: str, title: str) -> str:
    """The organisation an article is about: the many-word name it gives most often (those that
    share a word with the headline first), else the organisation the headline starts with."""
    found: dict[str, int] = {}
    for m in _ORG.finditer(text):
        name = m.group(0).strip(" .,'’")
        if len(name.split()) >= 2 and not _NOT_VICTIM.search(name) \
                and not name.startswith(("The ", "A ", "In ", "On ")):
            found[name] = found.get(name, 0) + 1
    heads = set(re.findall(r"[A-Z][\w'’-]+", title))
    ranked = sorted(found, key=lambda n: (-bool(heads & set(n.split())), -found[n], text.find(n)))
    return ranked[0] if ranked else _headline_victim(title)


_HEADLINE_VERB = re.compile(r"\s+(?:hit|hits|suffers?|says?|confirms?|restores?|struck|targeted|"
                            r"reports?|warns?|investigat\w+|attacked|falls?|is|was|has|after|in|:)\b")


def _headline_victim(title: str) -> str:
    """The organisation a headline starts with ("Harbourside Logistics hit by ransomware")."""
    m = _HEADLINE_VERB.search(title)
    head = title[:m.start()] if m else ""
    words = head.strip(" '\"‘’").split()
    return head.strip(" '\"‘’") if words and all(w[:1].isupper() or w in ("of", "and", "&") for w in words) \
        and len(words) <= 6 else ""
