"""What a notebook shows: a case card, a printing summary, tidy tables, a graph at a glance."""

from __future__ import annotations

import pandas as pd
from casefiles import ROYAL_MAIL
from IPython.core.formatters import format_display_data

import analystkit as ak
from analystkit.graph import actor_victim_graph, summary


def shown(obj) -> tuple[str, str]:
    """What IPython would put in the notebook: (text/plain, text/html)."""
    data, _ = format_display_data(obj)
    return data.get("text/plain", ""), data.get("text/html", "")


def test_a_case_displays_as_a_card_and_its_summary_prints_as_lines():
    case = ak.load_case(ROYAL_MAIL)
    _, page = shown(case)
    assert "#FFC000" in page and "TLP:AMBER" in page  # the badge in FIRST's amber
    assert f"{len(case.events)}, Sep 2019 – Dec 2024" in page and "confirmed 33" in page  # month-precise ends
    assert "facts with rival accounts" in page and "withheld" not in page
    text, _ = shown(case.summary())
    assert text == str(case.summary()) and "\\n" not in text and not text.startswith("'")
    clear, withheld = case.at_tlp("clear")
    _, page = shown(clear)
    assert f"{withheld['events']} events" in page and "TLP:CLEAR" in page


def test_a_hostile_title_is_escaped_and_kept_out_of_maths():
    case = ak.load_case(ROYAL_MAIL)
    case.meta["title"] = "<img src=x onerror=alert(1)> costs $5m and $2m"
    _, page = shown(case)
    assert "<img" not in page and "&lt;img" in page
    assert 'class="tex2jax_ignore mathjax_ignore"' in page


def test_tables_are_tidy():
    frame = pd.DataFrame({
        "event_id": ["e-2", "e-1"],
        "start": pd.to_datetime(["2023-01-12T13:44:00Z", "2023-07-01T09:05:00Z"], utc=True),
        "precision": ["month", "exact"],
        "end": pd.to_datetime([None, "2023-07-02"], utc=True), "ongoing": [True, False],
        "sources": [("s1",), ("s1", "s2")], "posts": [3.0, 12000.0], "share": [0.061069, 0.5],
        "note": ["paid $5m, then $2m", "<b>x</b>"]})
    table = ak.show(frame, tz="Europe/London")
    cells = table.cells
    assert list(cells.index) == ["e-2", "e-1"] and "event_id" not in cells
    assert cells["start"].tolist() == ["Jan 2023", "01 Jul 2023 10:05 BST"]  # exact times in the zone
    assert cells["end"].tolist() == ["ongoing", "02 Jul 2023"]
    assert cells["sources"].tolist() == ["s1", "s1; s2"]
    assert cells["posts"].tolist() == ["3", "12,000"] and cells["share"].tolist() == ["6.1%", "50.0%"]
    page = table._repr_html_()
    assert "mathjax_ignore" in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert '<td style="text-align:left;' in page and '<td style="text-align:right;' in page
    assert frame.pipe(ak.show).cells.shape == (2, 8)


def test_an_empty_table_says_so_in_one_line_and_a_coverage_note_follows_a_breakdown():
    empty = ak.show(pd.DataFrame(columns=["actor", "victims"]), empty="No victims in this window.")
    assert repr(empty) == "No victims in this window."
    assert '<p class="ak-empty"' in empty._repr_html_() and "<table" not in empty._repr_html_()
    frame = pd.DataFrame({"sector": ["health"], "victims": [2]})
    frame.attrs["coverage"] = "sector known for 50 % of 4 victims"
    assert repr(ak.show(frame)).endswith("sector known for 50 % of 4 victims")
    long = ak.show(pd.DataFrame({"n": range(100)}), max_rows=10)
    assert len(long.cells) == 10 and "90 more rows" in long._repr_html_()


def test_a_graph_summary_counts_actors_victims_and_edges_by_status():
    G = actor_victim_graph(ak.load_case(ROYAL_MAIL))
    text, page = shown(summary(G))
    statuses = pd.Series([d["status"] for _, _, d in G.edges(data=True)]).value_counts()
    first = f"{sum(1 for _, d in G.nodes(data=True) if d['role'] == 'actor')} actor"
    assert text.startswith(first) and all(f"{k} {v}" in text for k, v in statuses.items())
    assert "Top actors by victims" in page and "<th" in page and "LockBit" in page
