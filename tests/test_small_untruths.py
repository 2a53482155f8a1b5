"""Small untruths that once reached a briefing, each held by a test: an end date a day early,
a marking blamed for a missing chart, ticks without their month, a "Top 8" graph of one actor,
and publications' names defanged as if they were indicators."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from casefiles import EVENTS_HEADER, ROYAL_MAIL, SAMPLES, write_case
from opencase import write_open_case

import analystkit as ak
from analystkit import plot
from analystkit.export import brief
from analystkit.export.chart import Furniture, caption, furnished
from analystkit.export.pack.charts import draw, why_not
from analystkit.export.pack.data import prepare
from analystkit.text import source_name


def _no_disruption_case(folder: Path) -> Path:
    """A case with no disruption period whose last day is the end of a response period."""
    rows = [
        "x-001,x-2025,2025-02-20,,false,day,,intrusion,Intruders found,,,Example Council,"
        "confirmed,s1,clear,,",
        "x-002,x-2025,2025-02-25,2025-03-07,false,day,day,response,Incident response engaged,,,"
        "Example Council,reported,s1,clear,,",
        "x-003,x-2025,2025-03-01,,false,day,,disclosure,Council confirms the incident,,,"
        "Example Council,confirmed,s1,clear,,",
    ]
    meta = {"as_of": "2025-03-10", "incident": "x-2025", "title": "Example Council intrusion",
            "tlp": "clear", "summary": "An intrusion without an outage."}
    return write_case(folder, events="\n".join([EVENTS_HEADER, *rows]) + "\n",
                      meta=json.dumps(meta) + "\n",
                      sources="source_id,name,url,published,reliability,tlp\n"
                              "s1,Example News,https://news.example/a,2025-03-01,B,clear\n")


# -- an end date shown one day early -----------------------------------------------------------

def test_timeline_subtitle_and_alt_text_end_on_the_last_day(tmp_path):
    pack = prepare(ak.load_case(_no_disruption_case(tmp_path / "council")))
    chart = draw(pack, "timeline")
    assert chart.subtitle.startswith("Disruption timeline, 20 Feb 2025 to 7 Mar 2025")
    assert "from 20 February 2025 to 7 March 2025" in chart.alt  # the period's end, not its start
    plt.close(chart.figure)


def test_open_incident_ends_every_measure_on_its_as_of_date(tmp_path):
    pack = prepare(ak.load_case(write_open_case(tmp_path / "lib")))
    chart = draw(pack, "timeline")
    assert "to 7 Mar 2025" in chart.subtitle and "to 7 March 2025" in chart.alt
    assert "6 Mar" not in chart.subtitle + chart.alt
    ends = pack.durations.set_index("measure")["end"]
    assert ends["days disrupted"] == ends["time to full restoration"] == ak.load_case(
        tmp_path / "lib").as_of
    plt.close(chart.figure)


# -- a missing chart blamed on the marking ---------------------------------------------------

def test_a_pack_without_other_cases_says_so_not_that_the_marking_hid_it(tmp_path):
    said: list[str] = []
    brief(ak.load_case(ROYAL_MAIL), tmp_path / "pack", compare=[], charts=("compare",),
          progress=said.append)
    (line,) = [s for s in said if s.strip().startswith("no compare chart")]
    assert "no other case to compare with" in line and "--compare CASE" in line
    assert "TLP:CLEAR" not in line
    assert not (tmp_path / "pack" / "compare.png").exists()


def test_a_compared_case_marked_above_the_pack_is_named_as_the_reason(tmp_path):
    other = write_open_case(tmp_path / "lib")
    rows = (other / "events.csv").read_text(encoding="utf-8").replace(",clear,,", ",amber,,")
    (other / "events.csv").write_text(rows, encoding="utf-8")
    meta = json.loads((other / "case.json").read_text(encoding="utf-8"))
    (other / "case.json").write_text(json.dumps({**meta, "tlp": "amber"}), encoding="utf-8")
    case = ak.load_case(write_open_case(tmp_path / "lib2", incident="lib-2", prefix="l2"))
    pack = prepare(case, compare=[ak.load_case(other)], tlp="clear")
    assert draw(pack, "compare") is None
    assert "marked above" in why_not(pack, "compare")
    assert "no other case" not in why_not(pack, "compare")


def test_the_cli_names_the_real_reason_for_a_missing_activity_chart(tmp_path):
    pack = prepare(ak.load_case(ROYAL_MAIL))
    assert draw(pack, "activity") is None
    assert why_not(pack, "activity").startswith("no leak-site posts given")


# -- ticks that read on their own -------------------------------------------------------------

_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"


def test_timeline_ticks_each_name_their_month_and_the_year_once():
    case = ak.load_case(ROYAL_MAIL)
    ax = plot.timeline(case.events, window=("2023-01-01", "2023-03-01"), tz="Europe/London")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 5
    assert all(re.fullmatch(rf"\d{{1,2}} {_MONTH}( \d{{4}})?", s) for s in labels), labels
    assert labels[0].endswith("2023") and sum(s.endswith("2023") for s in labels) == 1
    assert labels[-1] != "Mar" and ax.xaxis.get_offset_text().get_text() == ""
    plt.close(ax.figure)


def test_monthly_ticks_give_the_year_where_it_changes():
    posts = ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json",
                          date="discovered")
    ax = plot.activity(posts, start="2022-10-01", end="2023-06-30")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(re.fullmatch(rf"{_MONTH}( \d{{4}})?", s) for s in labels), labels
    years = [s for s in labels if s[-4:].isdigit()]
    assert years[0] == labels[0] and "Jan 2023" in years and len(years) == 2
    assert ax.xaxis.get_offset_text().get_text() == ""
    plt.close(ax.figure)


# -- the explorer's graph title ------------------------------------------------------------

@pytest.mark.parametrize(("chosen", "title"), [
    (("LockBit",), "LockBit: latest {n} victims"),
    ((), "Top 8 actors, latest {n} victims each"),
])
def test_explorer_graph_title_says_which_actors_it_draws(chosen, title, request):
    from matplotlib.figure import Figure

    from analystkit.ui.explorer import Explorer, forget

    forget(request.node.name)
    posts = ak.read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json",
                          date="discovered")
    ex = Explorer(ak.load_case(ROYAL_MAIL), posts, key=request.node.name)
    ex.controls["actors"].value = chosen
    ax = Figure().add_subplot()
    ex.draw("graph", ax, ex.views())
    shown = ax.get_title(loc="left") or ax.get_title()
    assert shown.startswith(title.format(n=ex.per_actor)), shown
    if chosen:
        assert "Top" not in shown


# -- publications' names are not indicators -----------------------------------------------------

def test_caption_keeps_publication_names_and_defangs_addresses():
    assert caption({3: "it-daily.net", 4: "PublicTechnology.net"}) == [
        "Sources: [3] it-daily.net; [4] PublicTechnology.net"]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    sources = {1: "it-daily.net", 2: "Mirror at http://evil.com/x"}
    with furnished(fig, Furniture(tlp="clear", title="t", sources=tuple(sources.items()))):
        drawn = " ".join(t.get_text() for t in fig.texts)
    plt.close(fig)
    assert "it-daily.net" in drawn and "it-daily[.]net" not in drawn
    assert "hxxp[://]evil[.]com/x" in drawn and "http://evil.com" not in drawn


def test_pack_source_lists_keep_publication_names(tmp_path):
    folder = brief(ak.load_case(ROYAL_MAIL), tmp_path / "pack", charts=("timeline",), compare=[])
    html = (folder / "brief.html").read_text(encoding="utf-8")
    cited = [n for n in ("it-daily.net", "PublicTechnology.net") if n in html]
    assert cited, "the Royal Mail pack should cite a publication named like a domain"
    assert not any(n.replace(".", "[.]") in html for n in ("it-daily.net", "PublicTechnology.net"))
    assert source_name("see lockbit7z2.onion") == "see lockbit7z2[.]onion"
