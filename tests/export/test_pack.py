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

def _case(marks: list[str], rel_marks: list[str], src_marks: list[str], words: list[str],
          text_marks: tuple[str, str] = ("clear", "clear")) -> Case:
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
    meta = {"title": f"Demo pack ttlq{words[0]}", "summary": f"A generated case smyq{words[1]}.",
            "tlp": "red", "as_of": "2024-01-01", "incident": "demo", "day0": "2023-01-10",
            "title_tlp": text_marks[0], "summary_tlp": text_marks[1]}
    return Case(events=pd.DataFrame(ev), relations=pd.DataFrame(rel), sources=pd.DataFrame(src),
                entities=pd.DataFrame(ent), meta=meta).validated()


levels = st.sampled_from(schema.TLP_LEVELS)


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(marks=st.lists(levels, min_size=2, max_size=4), rel_marks=st.lists(levels, min_size=1, max_size=3),
       src_marks=st.lists(levels, min_size=1, max_size=3), level=levels,
       words=st.lists(st.text("bcdfghjk", min_size=4, max_size=4), min_size=4, max_size=4),
       text_marks=st.tuples(levels, levels))
def test_nothing_above_the_level_appears_anywhere(tmp_path_factory, marks, rel_marks, src_marks, level,
                                                  words, text_marks):
    marks[0] = "clear"  # the pack always has one event to draw
    case = _case(marks, rel_marks, src_marks, words, text_marks)
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
    for token, m in ((f"ttlq{words[0]}", text_marks[0]), (f"smyq{words[1]}", text_marks[1])):
        assert (token in text) is not above(m), (token, m, level)  # title and summary likewise
    withheld = sum(above(m) for m in marks) + sum(above(m) for m in rel_marks) + \
        sum(above(m) for m in src_marks) + sum(above(m) for m in text_marks)
    html = (out / "brief.html").read_text()
    assert ("nothing was withheld" in html) is (withheld == 0)


# -- an incident still open at its as-of date ---------------------------------------------------

@pytest.fixture(scope="module")
def open_pack(tmp_path_factory):
    from opencase import write_open_case

    root = tmp_path_factory.mktemp("open")
    case = ak.load_case(write_open_case(root / "lib"))
    other = ak.load_case(write_open_case(root / "other", incident="lib-b", prefix="b",
                                         as_of="2024-06-30", title="Library B"))
    return case, other, brief(case, root / "pack", compare=[other], charts=("timeline", "compare"))


def test_open_pack_never_claims_restoration(open_pack):
    import csv

    from opencase import OPEN_DAYS, restoration_claims

    from analystkit.export.pack.data import prepare
    from analystkit.export.pack.facts import facts_rows, key_facts, measure_facts

    case, other, folder = open_pack
    pack = prepare(case, compare=[other])
    facts = dict(key_facts(pack) + measure_facts(pack))
    assert facts["Time to full restoration"] == f"Not fully restored as of 7 Mar 2025 (≥ {OPEN_DAYS} days)"
    assert facts["Disrupted"].startswith(f"≥ {OPEN_DAYS + 1} days since 28 Oct 2023")  # both ends
    assert facts["Time to first recovery step"] == "43 days (to 10 Dec 2023)"
    rows = list(csv.DictReader((folder / "durations.csv").open(encoding="utf-8")))
    by = {r["measure"]: r for r in rows}
    assert by["time to full restoration"]["days"] == f"≥ {OPEN_DAYS} days"
    assert by["time to full restoration"]["bound"].startswith("lower")
    assert by["days disrupted"]["bound"].startswith("lower") and by["time to disclosure"]["bound"] == ""
    # no end a day before the as-of date: both open measures run to 7 Mar 2025
    assert by["days disrupted"]["to"] == by["time to full restoration"]["to"] == "07 Mar 2025"
    alts = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    assert set(alts) == {"timeline", "compare"}
    assert f"not fully restored as of 7 Mar 2025 (≥ {OPEN_DAYS} days)" in alts["timeline"]
    # the comparison keeps each case's own as-of date
    assert f"not fully restored as of 7 Mar 2025 (≥ {OPEN_DAYS} days)" in alts["compare"]
    assert "not fully restored as of 30 Jun 2024 (≥ 246 days)" in alts["compare"]
    html = re.sub(r"<[^>]+>", " ", (folder / "brief.html").read_text(encoding="utf-8"))
    texts = {"key facts": " ".join(f"{k} {v}" for k, v in facts.items()),
             "chronology": " ".join(" ".join(r.values()) for r in facts_rows(pack)),
             "durations.csv": (folder / "durations.csv").read_text(encoding="utf-8"),
             "facts.csv": (folder / "facts.csv").read_text(encoding="utf-8"),
             "brief.html": html, "brief.pdf": pdf_text(folder / "brief.pdf"), **alts,
             "everything": pack_text(folder)}
    assert {name: restoration_claims(text) for name, text in texts.items()
            if restoration_claims(text)} == {}
    assert "Not fully restored as of 7 Mar 2025" in texts["brief.pdf"]


def test_closed_pack_keeps_its_restoration_wording(packs):
    from analystkit.export.pack.data import prepare
    from analystkit.export.pack.facts import measure_facts

    pack = prepare(ak.load_case(ROYAL_MAIL))
    assert dict(measure_facts(pack))["Time to full restoration"] == "42 days (to 21 Feb 2023)"
    durations = (packs["clear"] / "durations.csv").read_text(encoding="utf-8").splitlines()
    assert durations[0] == "incident,measure,days,from,to,bound"
    assert all(line.endswith(",") for line in durations[1:])  # no bound: every period is closed


# --- comparisons chosen, free text marked --------------------------------------------------------

from analystkit.export.pack.charts import draw  # noqa: E402
from analystkit.export.pack.data import prepare  # noqa: E402

RM_SUMMARY = "LockBit background from its 'ABCD' origins"  # only in the Royal Mail summary
RM_TITLE = "Royal Mail / LockBit ransomware attack (2023)"


def _other(name: str, **meta) -> Case:
    """A shipped case, with some of its case.json values replaced (a new incident id renames
    the incident of its main events too)."""
    case = ak.load_case(DATA / "cases" / name)
    events = case.events
    if "incident" in meta:
        events = events.assign(incident=events["incident"].replace(case.meta["incident"],
                                                                   meta["incident"]))
    return Case(events=events, relations=case.relations, entities=case.entities,
                sources=case.sources, meta={**case.meta, **meta}, folder=case.folder)


def _amber(case: Case, n: int | None = None) -> Case:
    """The case with its first ``n`` events (all when None) marked TLP:AMBER."""
    ev = case.events.copy()
    ev.loc[ev.index[: len(ev) if n is None else n], "tlp"] = "amber"
    out = case.with_tables(events=ev)
    out.meta["tlp"] = "amber"
    return out


def test_compare_alt_text_counts_exactly_the_incidents_drawn():
    rm = ak.load_case(ROYAL_MAIL)
    hidden = _amber(_other("synnovis-2024", incident="hidden-2024", title="Hidden incident"))
    compare = [_other("capita-2023"), _other("change-healthcare-2024"), hidden]
    for level, expected in (("clear", 3), ("amber", 4)):  # at CLEAR every hidden event is withheld
        chart = draw(prepare(rm, tlp=level, compare=compare), "compare")
        heads = [t.get_text() for ax in chart.figure.axes for t in ax.texts if t.get_gid() == "incident"]
        assert len(heads) == expected and chart.alt.startswith(f"{expected} incidents drawn")
        assert ("Hidden incident" in chart.alt) is (level == "amber")
        assert ("Hidden incident" in heads) is (level == "amber")


def test_compare_draws_only_the_cases_passed():
    rm = ak.load_case(ROYAL_MAIL)
    assert draw(prepare(rm, tlp="clear"), "compare") is None  # nothing passed: no comparison
    chart = draw(prepare(rm, tlp="clear", related=[_other("ransomware-victims")],
                         compare=[_other("synnovis-2024")]), "compare")
    assert chart.alt.startswith("2 incidents drawn") and "Synnovis" in chart.alt
    assert "Capita" not in chart.alt and "Change Healthcare" not in chart.alt


def test_two_cases_sharing_an_incident_id_are_an_error_naming_both(tmp_path):
    rm = ak.load_case(ROYAL_MAIL)
    copy = shutil.copytree(DATA / "cases" / "capita-2023", tmp_path / "capita-copy")
    capita, again = _other("capita-2023"), ak.load_case(copy)
    for kwargs in ({"compare": [capita, again]}, {"related": [capita, again]}):
        with pytest.raises(ValueError, match="share the incident id 'capita-2023'") as err:
            brief(rm, tmp_path / "pack", tlp="clear", charts=("compare",), **kwargs)
        assert str(capita.folder) in str(err.value) and str(copy) in str(err.value)
    with pytest.raises(ValueError, match=r"royal-mail-2023 and .*ransomware-victims share"):
        prepare(rm, compare=[_other("ransomware-victims")])  # its incident is Royal Mail's own
    with pytest.raises(ValueError, match="needs an incident id and a day0"):
        prepare(rm, compare=[_other("capita-2023", day0="")])


def test_withheld_text_names_where_the_rows_come_from():
    rm = ak.load_case(ROYAL_MAIL)
    capita = _amber(_other("capita-2023"), 2)
    pack = prepare(rm, tlp="clear", compare=[capita], related=[_amber(_other("ransomware-victims"), 1)])
    text = pack.withheld_text()
    assert "3 events of this case, 2 events of compared cases, 1 event of related cases marked " \
           "above TLP:CLEAR are withheld" in text
    assert pack.withheld["events"] == 6
    assert prepare(rm, tlp="clear", compare=[_other("capita-2023")]).withheld_text().startswith(
        "Produced at TLP:CLEAR: 3 events marked above TLP:CLEAR are withheld")


def test_summary_and_title_marked_amber_are_left_out_of_a_clear_pack(tmp_path):
    rm = ak.load_case(ROYAL_MAIL)
    marked = Case(events=rm.events, relations=rm.relations, entities=rm.entities, sources=rm.sources,
                  meta={**rm.meta, "summary_tlp": "amber", "title_tlp": "amber"}, folder=rm.folder)
    folders = {level: brief(marked, tmp_path / level, tlp=level, charts=("timeline", "compare"),
                            compare=[_other("capita-2023")]) for level in ("clear", "amber")}
    clear, amber = pack_text(folders["clear"]), pack_text(folders["amber"])
    assert RM_SUMMARY not in clear and RM_TITLE not in clear
    assert RM_SUMMARY in amber and RM_TITLE in amber
    said = ["The case title is marked TLP:AMBER and is replaced by its incident id, royal-mail-2023.",
            "The case summary is marked TLP:AMBER and is left out."]
    html = (folders["clear"] / "brief.html").read_text()
    pdf = " ".join(subprocess.run(["pdftotext", str(folders["clear"] / "brief.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    for sentence in said:
        assert sentence in html and sentence in pdf
        assert sentence not in pack_text(folders["amber"])
    assert (folders["clear"] / "timeline.txt").read_text().startswith("Timeline of royal-mail-2023:")


def test_a_compared_case_whose_title_is_marked_above_the_level_is_named_by_its_incident_id():
    capita = _other("capita-2023", tlp="amber", title_tlp="amber")
    pack = prepare(ak.load_case(ROYAL_MAIL), tlp="clear", compare=[capita])
    chart = draw(pack, "compare")
    heads = [t.get_text() for ax in chart.figure.axes for t in ax.texts if t.get_gid() == "incident"]
    assert "capita-2023" in heads and not any("Black Basta" in h for h in heads)
    assert "Black Basta" not in chart.alt and "capita-2023" in chart.alt
    assert "The title of the compared case capita-2023 is marked TLP:AMBER" in pack.withheld_text()


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
    from analystkit.export.pack.facts import grade

    assert grade(["C", "A", "B"], "2") == "A2" and grade(["D"], "") == "" and grade([""], "1") == "?1"
