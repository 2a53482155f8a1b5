"""The briefing pack: produced at a TLP level, nothing above it anywhere, metadata included."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from casefiles import DATA, ROYAL_MAIL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analystkit as ak
from analystkit import schema
from analystkit.case import Case
from analystkit.export import brief

AMBER_ONLY = "Assessment: attribution rests on LockBit"  # rm-a1, marked TLP:AMBER
GREEN_ONLY = "leaked data exposes staff more than customers"  # rm-a3, marked TLP:GREEN


def pdf_text(path: Path) -> str:
    """Text of a PDF as a reader sees it (poppler's pdftotext)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is not installed: apt-get install -y poppler-utils")
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pack_text(folder: Path) -> str:
    """Everything a recipient of the pack could read: every file's bytes and the PDF's text."""
    parts = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        parts.append(data.decode("utf-8", errors="replace") if path.suffix != ".png"
                     else data.decode("latin-1"))
        if path.suffix == ".pdf":
            parts.append(pdf_text(path))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    case = ak.load_case(ROYAL_MAIL)
    related = [ak.load_case(DATA / "cases" / "ransomware-victims")]
    out = {}
    for level in ("clear", "amber"):
        folder = tmp_path_factory.mktemp(level)
        out[level] = brief(case, folder, tlp=level, related=related, charts=("timeline", "graph"))
    return out


def test_pack_holds_every_file(packs):
    names = {p.name for p in packs["clear"].iterdir()}
    assert {"brief.html", "brief.pdf", "facts.csv", "durations.csv", "sources.csv", "timeline.png",
            "timeline.svg", "timeline.txt", "graph.png", "graph.svg", "graph.txt"} <= names


def test_clear_and_amber_packs_differ_as_marked(packs):
    clear, amber = pack_text(packs["clear"]), pack_text(packs["amber"])
    assert AMBER_ONLY not in clear and GREEN_ONLY not in clear
    assert AMBER_ONLY in amber and GREEN_ONLY in amber
    assert "3 events marked above TLP:CLEAR are withheld" in clear
    assert "nothing was withheld" in amber
    assert 'class="tlp tlp-amber"' in amber and 'class="tlp tlp-amber"' not in clear


def test_html_marks_header_and_footer_and_forbids_scripts(packs):
    html = (packs["clear"] / "brief.html").read_text()
    assert html.count('<span class="tlp tlp-clear">TLP:CLEAR</span>') >= 3  # header, title line, footer
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "script-src 'none'" in csp and "default-src 'none'" in csp
    assert "<script" not in html
    assert html.count('src="data:image/svg+xml;base64,') == 2


def test_sources_are_numbered_once_and_linked_safely(packs):
    html = (packs["clear"] / "brief.html").read_text()
    numbers = [int(n) for n in re.findall(r'<li id="source-(\d+)"', html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20
    hrefs = re.findall(r'<a href="([^"#][^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    sources = pd.read_csv(packs["clear"] / "sources.csv", dtype=str)
    assert list(sources["n"]) == [f"[{n}]" for n in numbers]


def test_chart_caption_numbers_are_in_the_source_list(packs):
    alt = (packs["clear"] / "timeline.txt").read_text()
    assert "43 days" in alt and "Royal Mail" in alt
    facts = pd.read_csv(packs["clear"] / "facts.csv", dtype=str, keep_default_na=False)
    assert len(facts) == 57 and facts["sources"].str.match(r"^\[\d+\]").all()


def test_pdf_pages_and_metadata(packs):
    pdf = packs["clear"] / "brief.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+([5-9]|\d\d)", info) and "Keywords:        TLP:CLEAR" in info
    assert "CreationDate" not in info
    text = pdf_text(pdf)
    assert text.count("TLP:CLEAR") >= 2 * 5 and "Chronology" in text and "Sources" in text


def test_repeat_gives_same_bytes(tmp_path):
    case = ak.load_case(ROYAL_MAIL)
    a = brief(case, tmp_path / "a", tlp="clear", charts=("timeline",))
    b = brief(case, tmp_path / "b", tlp="clear", charts=("timeline",))
    for name in ("brief.html", "brief.pdf", "timeline.png", "timeline.svg", "facts.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_unknown_level_and_chart_are_refused(tmp_path):
    case = ak.load_case(ROYAL_MAIL)
    with pytest.raises(ValueError, match="unknown TLP level 'pink'"):
        brief(case, tmp_path, tlp="pink", charts=())
    with pytest.raises(ValueError, match="unknown chart 'pie'"):
        brief(case, tmp_path, tlp="clear", charts=("pie",))


# --- the TLP property ------------------------------------------------------------------------

def _case(marks: list[str], rel_marks: list[str], src_marks: list[str], words: list[str]) -> Case:
    ev = [{"event_id": f"e{i}", "incident": "demo", "start": f"2023-01-{i + 10:02d}",
           "end": "2023-02-01" if i == 0 else "", "category": "disruption" if i == 0 else "extortion",
           "title": f"evq{i}{words[i]} happened", "description": f"evd{i}{words[i]}",
           "actor": "Zqactor", "victim": f"vq{i}{words[i]}", "status": "reported",
           "sources": f"s{i % len(src_marks)}", "tlp": m} for i, m in enumerate(marks)]
    rel = [{"relation_id": f"r{i}", "source": "Zqactor", "target": f"tq{i}{words[i]}",
            "relation": "targets", "status": "reported", "sources": f"s{i % len(src_marks)}",
            "date": "2023-01-10", "tlp": m} for i, m in enumerate(rel_marks)]
    src = [{"source_id": f"s{i}", "name": f"srcq{i}{words[i]}", "tlp": m,
            "url": f"https://news.example/srcu{i}{words[i]}"} for i, m in enumerate(src_marks)]
    ent = [{"name": f"tq{i}{words[i]}", "kind": "victim", "description": f"entq{i}{words[i]}"}
           for i in range(len(rel_marks))]
    meta = {"title": "Demo pack", "summary": "A generated case.", "tlp": "red", "as_of": "2024-01-01",
            "incident": "demo", "day0": "2023-01-10"}
    return Case(events=pd.DataFrame(ev), relations=pd.DataFrame(rel), sources=pd.DataFrame(src),
                entities=pd.DataFrame(ent), meta=meta).validated()


levels = st.sampled_from(schema.TLP_LEVELS)


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(marks=st.lists(levels, min_size=2, max_size=4), rel_marks=st.lists(levels, min_size=1, max_size=3),
       src_marks=st.lists(levels, min_size=1, max_size=3), level=levels,
       words=st.lists(st.text("bcdfghjk", min_size=4, max_size=4), min_size=4, max_size=4))
def test_nothing_above_the_level_appears_anywhere(tmp_path_factory, marks, rel_marks, src_marks, level,
                                                  words):
    marks[0] = "clear"  # the pack always has one event to draw
    case = _case(marks, rel_marks, src_marks, words)
    out = brief(case, tmp_path_factory.mktemp("prop"), tlp=level, charts=("timeline", "graph"))
    text = pack_text(out)
    limit = schema.tlp_rank(level)
    above = lambda m: schema.tlp_rank(m) > limit  # noqa: E731
    for i, m in enumerate(marks):
        for token in (f"evq{i}{words[i]}", f"evd{i}{words[i]}"):  # shown exactly when shareable
            assert (token in text) is not above(m), (token, m, level)
        assert (f"vq{i}{words[i]}" in text) <= (not above(m))
    for i, m in enumerate(rel_marks):
        assert (f"tq{i}{words[i]}" in text) <= (not above(m))
        assert f"entq{i}{words[i]}" not in text  # entity descriptions are never printed
    for i, m in enumerate(src_marks):
        token = f"srcq{i}{words[i]}"
        if above(m):
            assert token not in text and f"srcu{i}{words[i]}" not in text
    withheld = sum(above(m) for m in marks) + sum(above(m) for m in rel_marks) + \
        sum(above(m) for m in src_marks)
    html = (out / "brief.html").read_text()
    assert ("nothing was withheld" in html) is (withheld == 0)


# --- row markings, disagreements and grades --------------------------------------------------

def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def test_amber_pack_shows_each_rows_marking_and_clear_pack_does_not(packs):
    amber, clear = _csv(packs["amber"], "facts.csv"), _csv(packs["clear"], "facts.csv")
    case = ak.load_case(ROYAL_MAIL)
    expected = case.events.sort_values(["start", "event_id"], kind="stable")["tlp"]
    assert list(amber["tlp"]) == [ak.theme.tlp_label(t) for t in expected]
    assert amber.loc[amber["event"].str.startswith(AMBER_ONLY[:30]), "tlp"].tolist() == ["TLP:AMBER"]
    assert "tlp" not in clear.columns
    html = (packs["amber"] / "brief.html").read_text()
    chronology = html.split("<h2>Chronology</h2>")[1].split("<h2>Sources</h2>")[0]
    assert "<th>TLP</th>" in chronology and chronology.count('<td class="mark">TLP:AMBER</td>') == 2
    assert '<td class="mark">TLP:GREEN</td>' in chronology
    sources = re.findall(r'<li id="source-\d+"[^\n]*', html.split("<h2>Sources</h2>")[1])
    assert sources and all(re.search(r" — [^<]*TLP:(CLEAR|GREEN|AMBER)", li) for li in sources)
    assert "TLP" in _csv(packs["amber"], "sources.csv").columns.str.upper()
    assert "<th>TLP</th>" not in (packs["clear"] / "brief.html").read_text()
    text = pdf_text(packs["amber"] / "brief.pdf")
    assert "TLP:AMBER" in text.split("Chronology")[-1] and "TLP:GREEN" in text


def test_conflict_block_lists_each_account_with_its_sources(packs):
    folder = packs["clear"]
    accounts = _csv(folder, "conflicts.csv")
    day = accounts[accounts["conflict"].eq("full-restoration-day")]
    assert day["account"].tolist() == ["1 of 3", "2 of 3", "3 of 3"]
    assert day["when"].tolist() == ["10 Jan 2023 06:00 UTC – 21 Feb 2023", "21 Feb 2023", "23 Feb 2023"]
    assert day["status"].tolist() == ["confirmed"] * 3 and day["sources"].str.match(r"^\[\d+\]$").all()
    case = ak.load_case(ROYAL_MAIL).at_tlp("clear")[0]
    disputed = case.events[case.events["conflict"].ne("")]
    assert len(accounts) == len(disputed)  # every account, none resolved away
    assert set(accounts["conflict"]) == set(disputed["conflict"])
    sources = _csv(folder, "sources.csv").set_index("n")["name"]
    assert {sources[n] for n in day["sources"]} == {"NFSP (relaying Royal Mail FAQ)",
                                                    "Post Office press release (Mynewsdesk)",
                                                    "TechCrunch (syndicated on Yahoo)"}
    html = (folder / "brief.html").read_text()
    block = html.split("<h3>full-restoration-day")[1].split("</section>")[0]
    assert "(3 accounts)" in block and block.count("<tr>") == 4  # header and three accounts
    assert "Royal Mail update: export services reinstated" in block and "21 Feb 2023" in block
    assert html.index("<h2>Where sources disagree</h2>") < html.index("<h2>Chronology</h2>")
    text = pdf_text(folder / "brief.pdf")
    assert "Where sources disagree" in text and "full-restoration-day (3" in text
    assert "Post Office counters offer all international services again" in text


def test_grade_b2_style_appears_in_chronology_and_facts_csv(packs):
    facts = _csv(packs["clear"], "facts.csv")
    graded = facts[facts["grade"].ne("")].set_index("event")
    # Belfast Telegraph (B) says the notes printed; the day is disputed: possibly true
    notes = graded.loc["LockBit Black ransom notes print at the Mallusk hub"]
    assert notes["grade"] == "B3" and notes["grade_note"].startswith("Day uncertain")
    assert graded.loc["International Tracked reopens to all destinations", "grade"] == "D3"
    assert graded.loc["LockBitSupp denies LockBit hit Royal Mail", "grade"] == "B4"
    assert len(graded) == 6 and facts.loc[facts["grade"].eq(""), "grade_note"].eq("").all()
    html = (packs["clear"] / "brief.html").read_text()
    chronology = html.split("<h2>Chronology</h2>")[1]
    assert '<td class="grade" title="possibly true">B3</td>' in chronology
    assert "Graded B3 (possibly true): Day uncertain" in chronology
    alt = (packs["clear"] / "timeline.txt").read_text()
    assert "graded for credibility (Admiralty):" in alt and "1 doubtful" in alt
    assert "marked ≠" in alt
    text = pdf_text(packs["clear"] / "brief.pdf")
    assert "graded B3, possibly true" in " ".join(text.split())


def test_grade_uses_the_best_reliability_of_the_cited_sources():
    from analystkit.export.pack.data import grade

    assert grade(["C", "A", "B"], "2") == "A2" and grade(["D"], "") == "" and grade([""], "1") == "?1"
