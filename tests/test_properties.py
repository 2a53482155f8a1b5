"""Property tests over generated cases: what the pack says must follow from the durations table.

Each example writes two or three small cases as real case folders (CSV and case.json, read back
by :func:`analystkit.load_case`): a main incident whose first disruption may still be ongoing at
its as-of date, with optional extra closed disruptions, a disclosure and partial recovery steps;
a second incident to compare; and sometimes a third one marked TLP:AMBER throughout, which a
TLP:CLEAR pack must neither draw nor name. The texts checked are everything the charts draw as
text, their alt texts, the key facts, the measures and the chronology.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from casefiles import EVENTS_HEADER, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opencase import restoration_claims

import analystkit as ak
from analystkit.export.pack.charts import draw
from analystkit.export.pack.data import prepare
from analystkit.export.pack.facts import facts_rows, key_facts, measure_facts

pytestmark = pytest.mark.slow

_SOURCES = ("source_id,name,url,published,reliability,tlp\n"
            "n1,Example Notice,https://notice.example/a,2020-01-01,B,clear\n")
_TITLES = ["Archive of the North", "Borough Hospital", "City Water Board", "Delta Freight"]
_DAY = pd.Timedelta(days=1)


@st.composite
def incidents(draw_, *, incident: str, title: str, tlp: str = "clear"):
    """One incident as (events rows, case.json dict): day 0, a main disruption (ongoing or
    closed), up to two more closed disruptions, maybe a disclosure and recovery steps."""
    day0 = pd.Timestamp("2019-01-01") + draw_(st.integers(0, 2300)) * _DAY
    ongoing = draw_(st.booleans())
    rows, last = [], day0

    def add(start, end, category, name, *, is_ongoing=False):
        nonlocal last
        rows.append({"start": start, "end": end, "ongoing": is_ongoing, "category": category,
                     "title": name})
        last = max(last, end if end is not None else start)

    first_len = draw_(st.integers(1, 400))
    add(day0, None if ongoing else day0 + first_len * _DAY, "disruption", "Systems encrypted",
        is_ongoing=ongoing)
    for k in range(draw_(st.integers(0, 2))):
        s = day0 + draw_(st.integers(0, 200)) * _DAY
        add(s, s + draw_(st.integers(1, 120)) * _DAY, "disruption", f"Service {'AB'[k]} offline")
    if draw_(st.booleans()):
        add(day0 + draw_(st.integers(0, 30)) * _DAY, None, "disclosure", "Public notice")
    for k in range(draw_(st.integers(0, 2))):
        add(day0 + draw_(st.integers(1, 300)) * _DAY, None, "recovery", f"Partial service {'AB'[k]}")
    as_of = last + draw_(st.integers(0, 200)) * _DAY
    meta = {"as_of": f"{as_of:%Y-%m-%d}", "day0": f"{day0:%Y-%m-%d}", "incident": incident,
            "summary": "Generated.", "title": title, "tlp": tlp}
    return rows, meta


def _write(folder: Path, rows: list[dict], meta: dict) -> ak.Case:
    lines = [EVENTS_HEADER]
    for i, r in enumerate(rows, 1):
        end = "" if r["end"] is None else f"{r['end']:%Y-%m-%d}"
        lines.append(f"{meta['incident']}-{i:03d},{meta['incident']},{r['start']:%Y-%m-%d},{end},"
                     f"{str(r['ongoing']).lower()},day,{'day' if end else ''},{r['category']},"
                     f"{r['title']},,,{meta['title']},confirmed,n1,{meta['tlp']},,")
    write_case(folder, events="\n".join(lines) + "\n", sources=_SOURCES,
               meta=json.dumps(meta, indent=2) + "\n")
    return ak.load_case(folder)


@st.composite
def case_sets(draw_):
    """Titles shuffled, then a main incident, one to compare and maybe a hidden (AMBER) one."""
    titles = draw_(st.permutations(_TITLES))
    main = draw_(incidents(incident="main-inc", title=titles[0]))
    other = draw_(incidents(incident="other-inc", title=titles[1]))
    hidden = draw_(st.none() | incidents(incident="hidden-inc", title=titles[2], tlp="amber"))
    return main, other, hidden


def _texts(pack) -> dict[str, str]:
    """Every text the pack's timeline and comparison draw or say, its facts and chronology.

    The comparison's bar labels (each period's own length) are kept apart as ``compare bars``;
    footnotes ("1 later event beyond day 30 not shown") name where the axis ends, not a measure."""
    out = {"key facts": " | ".join(f"{k}: {v}" for k, v in key_facts(pack)),
           "measures": " | ".join(f"{k}: {v}" for k, v in measure_facts(pack)),
           "chronology": " | ".join(" ".join(r.values()) for r in facts_rows(pack))}
    for name in ("timeline", "compare"):
        chart = draw(pack, name)
        if chart is None:
            continue
        texts = [t for ax in chart.figure.axes for t in ax.texts]
        out[f"{name} alt"] = chart.alt
        out[f"{name} drawn"] = " | ".join(t.get_text() for t in texts
                                          if t.get_gid() not in ("bar-label", "footnote"))
        out[f"{name} heads"] = " | ".join(t.get_text() for t in texts if t.get_gid() == "incident")
        bars = [t.get_text() for t in texts if t.get_gid() == "bar-label"]
        if bars:
            out[f"{name} bars"] = " | ".join(bars)
        plt.close(chart.figure)
    return out


_DAYS = re.compile(r"(?:≥ )?(\d+(?:\.\d+)?) days?\b|\bday (\d+(?:\.\d+)?)")


def _day_numbers(text: str) -> set[float]:
    return {float(a or b) for a, b in _DAYS.findall(text)}


_SEEN: dict[str, dict] = {}


def _outcome(sets) -> dict:
    """The cases' texts and durations, built once per generated example: the three properties
    below see the same examples (``derandomize``), so each pack is drawn only once."""
    key = repr(sets)
    if key not in _SEEN:
        main, other, hidden = sets
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            case = _write(folder / "main", *main)
            compare = [_write(folder / "other", *other)]
            if hidden is not None:
                compare.append(_write(folder / "hidden", *hidden))
            pack = prepare(case, tlp="clear", compare=compare)
            _SEEN[key] = {"texts": _texts(pack), "durations": pack.durations,
                          "both": ak.timeline.durations(ak.timeline.combine([case, compare[0]])),
                          "titles": [c.meta["title"] for c in (case, *compare)]}
    return _SEEN[key]


def _spans(rows: list[dict], as_of: str) -> set[float]:
    """Each disruption period's own length in calendar days: both ends counted when closed, and
    for an ongoing one the lower bound the kit quotes, start to the as-of day, both counted too
    (the period is still under way on the as-of day, as in ``durations``)."""
    return {float((r["end"] - r["start"]) / _DAY + 1) if r["end"] is not None
            else float((pd.Timestamp(as_of) - r["start"]) / _DAY + 1)
            for r in rows if r["category"] == "disruption"}


_SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(case_sets())
def test_an_ongoing_disruption_is_never_called_restored(sets):
    out = _outcome(sets)
    texts, d = out["texts"], out["durations"]
    main_open, other_open = (bool(sets[i][0][0]["ongoing"]) for i in (0, 1))
    restore = d[d["measure"].eq("time to full restoration")]
    assert bool(restore["open"].any()) is main_open
    mine = {k: v for k, v in texts.items() if not k.startswith("compare")}
    if main_open:
        assert {k: restoration_claims(v) for k, v in mine.items() if restoration_claims(v)} == {}
        assert "not fully restored as of" in texts["measures"].lower()
    else:
        assert "not fully restored" not in " ".join(mine.values()).lower()
    # in the comparison each incident's head and summary speak for that incident alone
    drawn = texts["compare drawn"]
    title_main, title_other = out["titles"][:2]
    parts = {title_main: "", title_other: ""}
    for piece in drawn.split(" | "):
        if piece in parts:
            current = piece
        elif piece.startswith(("disclosed", "first recovery", "fully", "not fully")):
            parts[current] += piece
    for title, is_open in ((title_main, main_open), (title_other, other_open)):
        if is_open:
            assert restoration_claims(parts[title]) == [], parts[title]
            assert "not fully restored as of" in parts[title]
        else:
            assert "fully restored day" in parts[title] and "not fully" not in parts[title]


@_SETTINGS
@given(case_sets())
def test_every_number_of_days_said_is_one_of_the_durations_table(sets):
    out = _outcome(sets)
    d, both = out["durations"], out["both"]
    mine = {float(x) for x in d["days"]}
    assert {float(x) for x in both.loc[both["incident"].eq("main-inc"), "days"]} == mine
    for name, text in out["texts"].items():
        if name == "compare bars":  # a bar's label is its own period's length
            spans = _spans(sets[0][0], sets[0][1]["as_of"]) | _spans(sets[1][0], sets[1][1]["as_of"])
            assert _day_numbers(text) <= spans, (text, sorted(spans))
            continue
        allowed = ({float(x) for x in both["days"]} if name.startswith("compare") else mine) | {0.0}
        assert _day_numbers(text) <= allowed, (name, text, sorted(allowed))


@_SETTINGS
@given(case_sets())
def test_every_incident_named_in_the_comparison_alt_text_is_drawn(sets):
    out = _outcome(sets)
    texts = out["texts"]
    assert "compare alt" in texts  # both the main and the compared incident are shared at CLEAR
    alt, heads = texts["compare alt"], texts["compare heads"].split(" | ")
    assert sorted(t for t in _TITLES if t in alt) == sorted(heads)
    assert alt.startswith(f"{len(heads)} incidents drawn") and heads == out["titles"][:2]
    assert all(title not in alt + texts["compare drawn"] for title in out["titles"][2:])
