"""Every class of hostile string, through every output format: data, never markup."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from test_pack import pdf_text

from analystkit.case import Case
from analystkit.export import brief

ONION = "lockbitapt2d73krlbewgv27tquljgxr33xbwwsp6rkyieto7u4ncead.onion"
HOSTILE = {
    "script": "<script>window.pwned=1</script>Acme",
    "img": '<img src=x onerror="window.pwned=1">Globex',
    "formula": "=HYPERLINK(\"http://evil.example/x\",\"open\")",
    "plus": "+1-555 Initech",
    "minus": "-Umbrella",
    "at": "@SUM(1+1)",
    "tab": "\tTabbed Ltd",
    "cr": "\rCarriage Ltd",
    "dollar": "Pay $80m or $x^2$ now",
    "rtl": "Invoice\u202egnp.exe Corp",
    "nul": "Null\x00Byte\x07Co",
    "long": "A" * 10_000,
    "emoji": "Cafe \u2615 \U0001F480 Holdings",
    "onion": f"See http://{ONION}/royal and royalmailgroup.com",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    names = list(HOSTILE.values())
    ev = [{"event_id": f"e{i}", "incident": "hostile", "start": f"2023-01-{i + 1:02d}",
           "end": "2023-01-20" if i == 0 else "", "category": "disruption" if i == 0 else "extortion",
           "title": text, "description": text, "actor": "LockBit", "victim": text,
           "status": "claimed", "sources": "s1;s2", "tlp": "clear"} for i, text in enumerate(names)]
    rel = [{"relation_id": f"r{i}", "source": "LockBit", "target": text, "relation": "claimed",
            "status": "claimed", "sources": "s2", "date": "2023-01-10", "tlp": "clear"}
           for i, text in enumerate(names)]
    src = [{"source_id": "s1", "name": HOSTILE["script"], "url": "javascript:window.pwned=1",
            "tlp": "clear"},
           {"source_id": "s2", "name": HOSTILE["formula"], "url": f"http://{ONION}/post",
            "tlp": "clear"}]
    case = Case(events=pd.DataFrame(ev), relations=pd.DataFrame(rel), sources=pd.DataFrame(src),
                meta={"title": HOSTILE["dollar"] + " " + HOSTILE["img"], "tlp": "clear",
                      "as_of": "2024-01-01", "incident": "hostile", "day0": "2023-01-01",
                      "summary": HOSTILE["script"] + " " + HOSTILE["onion"]}).validated()
    return brief(case, tmp_path_factory.mktemp("hostile"), tlp="clear", charts=("timeline", "graph"))


def test_every_format_is_written(pack):
    for name in ("timeline.png", "timeline.svg", "graph.png", "graph.svg", "brief.pdf",
                 "brief.html", "facts.csv", "sources.csv"):
        assert (pack / name).stat().st_size > 200, name


def test_html_shows_markup_as_text(pack):
    html = (pack / "brief.html").read_text()
    assert "<script" not in html and "<img src=x" not in html and "onerror=" not in html.replace(
        "onerror=&quot;", "")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;Acme" in html
    assert "&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;Globex" in html


def test_html_refuses_unsafe_links_and_defangs_infrastructure(pack):
    html = (pack / "brief.html").read_text()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if not h.startswith("#")]  # neither javascript: nor onion linked
    assert "javascript" not in "".join(hrefs)
    assert ONION not in html and ONION.replace(".onion", "[.]onion") in html
    assert "hxxp[://]" in html and "royalmailgroup[.]com" in html


def test_html_has_no_control_characters_or_huge_names(pack):
    html = (pack / "brief.html").read_text()
    assert "\u202e" not in html and "\x00" not in html and "\x07" not in html and "\r" not in html
    assert max(len(run) for run in re.findall(r"A+", html)) < 700
    assert "\u2615" in html  # emoji are kept where the page can show them


def test_csv_cells_cannot_start_a_formula(pack):
    for name in ("facts.csv", "sources.csv", "durations.csv"):
        with open(pack / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        cells = [c for row in rows for c in row]
        assert cells and not [c for c in cells if c.startswith(FORMULA_START)], name
    facts = (pack / "facts.csv").read_text()
    assert "'=HYPERLINK" in facts and "'+1-555 Initech" in facts and "'-Umbrella" in facts
    assert "'@SUM" in facts


def test_dollars_are_text_not_mathtext(pack):
    svg = (pack / "timeline.svg").read_text()
    assert "Pay $80m or $x^2$ now" in svg  # matplotlib notes each drawn string in a comment
    assert "Pay $80m or $x^2$ now" in pdf_text(pack / "brief.pdf")


def test_charts_defang_and_neutralise(pack):
    svg = (pack / "timeline.svg").read_text() + (pack / "graph.svg").read_text()
    assert ONION not in svg and "\u202e" not in svg and "<script>" not in svg
    alt = (pack / "timeline.txt").read_text() + (pack / "graph.txt").read_text()
    assert "\x00" not in alt and "A" * 700 not in alt
