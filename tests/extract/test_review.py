"""Articles to candidates to reviewed events: evidence kept, nothing straight into the events,
re-extraction adds nothing, an HTML page's boilerplate and metadata date handled."""

from __future__ import annotations

from pathlib import Path

import pytest

import analystkit as ak
from analystkit.cli import main
from analystkit.extract.article import read_article
from analystkit.extract.review import candidates_of, extract_into, review

ARTICLE = """Harbourside Logistics hit by ransomware

Harbourside Logistics said on Wednesday that a ransomware attack had disrupted deliveries across the county. \
Sign up to our daily newsletter for the latest news. \
The Akira group claimed the attack on its leak site on Thursday. \
Ransomware is a type of malicious software that encrypts files and demands payment. \
The company denied that customer data had been stolen."""

PAGE = """<html><head><title>Harbourside Logistics hit by ransomware | Example Gazette</title>
<meta property="article:published_time" content="2024-03-07T09:30:00+00:00"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div id="cookie-banner">We use cookies to improve your experience on our site. Accept all cookies.</div>
<article><h1>Harbourside Logistics hit by ransomware</h1>
<p>Harbourside Logistics said on Wednesday that a ransomware attack had disrupted deliveries across the
county, leaving hundreds of parcels stuck in its depots and drivers unable to load their vans.</p>
<figure><img src="van.jpg">
<figcaption>A delivery van outside the depot on Tuesday. Photo: Example Agency</figcaption></figure>
<p>The Akira group claimed the attack on its leak site on Thursday, threatening to publish staff records
unless a ransom was paid, according to researchers who monitor the site.</p>
<p>Sign up to our daily newsletter for the latest news from the county.</p></article>
<footer>All rights reserved. Example Gazette 2024.</footer></body></html>"""


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    ak.new_case(folder, title="Harbourside Logistics ransomware attack", victim="Harbourside Logistics",
                actor="Akira", as_of="2024-03-10")
    return folder


def test_candidates_keep_their_evidence_and_never_reach_the_events_unreviewed(case_dir: Path, tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    table, new = extract_into(case_dir, tmp_path / "a.txt", published="2024-03-07",
                              url="https://gazette.example/harbourside")
    assert new == 3 and ak.load_case(case_dir).events.empty
    rows = table.set_index("candidate_id")
    first = rows.loc["c-001"]
    assert (first["date"], first["date_rule"], first["category"], first["status"]) == (
        "2024-03-06", "weekday", "disruption", "confirmed")
    text = read_article(tmp_path / "a.txt", published="2024-03-07").text
    assert text[int(first["start_offset"]):int(first["end_offset"])] == first["evidence"]
    claim = rows.loc["c-002"]
    assert (claim["date"], claim["status"], claim["actor"], claim["category"]) == (
        "2024-03-07", "claimed", "Akira", "extortion")
    denial = rows.loc["c-003"]
    assert denial["status"] == "disputed"
    assert not any("newsletter" in e or "type of malicious" in e for e in rows["evidence"])


def test_review_accepts_with_evidence_rejects_and_reextraction_adds_nothing(case_dir: Path, tmp_path: Path,
                                                                            capsys):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    args = [str(tmp_path / "a.txt"), "--case", str(case_dir), "--published", "2024-03-07", "--url",
            "https://gazette.example/harbourside"]
    assert main(["extract", *args]) == 0
    assert main(["review", str(case_dir), "--accept", "c-001", "c-002", "--reject", "c-003"]) == 0
    case = ak.load_case(case_dir)
    assert list(case.events["event_id"]) == ["ev-001", "ev-002"]
    event = case.events.iloc[0]
    assert event["notes"].startswith("Evidence (c-001, weekday date): \u201cHarbourside Logistics said on")
    assert case.sources.iloc[0]["url"] == "https://gazette.example/harbourside"
    states = candidates_of(case_dir).set_index("candidate_id")["state"].to_dict()
    assert states == {"c-001": "accepted", "c-002": "accepted", "c-003": "rejected"}
    capsys.readouterr()
    assert main(["extract", *args]) == 0
    assert "0 new candidate event(s)" in capsys.readouterr().err
    assert len(ak.load_case(case_dir).events) == 2  # accepted once, never twice
    _, again = review(case_dir, accept=["c-001"])
    assert again == [] and len(ak.load_case(case_dir).events) == 2
    assert main(["review", str(case_dir), "--accept", "c-099"]) == 1
    assert "no candidate c-099" in capsys.readouterr().err


def test_an_edited_candidate_is_validated_like_the_form(case_dir: Path, tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    extract_into(case_dir, tmp_path / "a.txt", published="2024-03-07")
    with pytest.raises(ak.ValidationError, match=r"candidate c-001.*'2024-02-30'"):
        review(case_dir, accept=["c-001"], edits={"c-001": {"date": "2024-02-30"}})
    assert ak.load_case(case_dir).events.empty and set(candidates_of(case_dir)["state"]) == {"proposed"}
    edits = {"c-001": {"date": "2024-03-05", "category": "intrusion"}}
    _, ids = review(case_dir, accept=["c-001"], edits=edits)
    event = ak.load_case(case_dir).events.iloc[0]
    assert ids == ["ev-001"] and event["category"] == "intrusion" and str(event["start"])[:10] == "2024-03-05"


def test_an_html_page_loses_its_furniture_and_gives_its_date(case_dir: Path, tmp_path: Path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    article = read_article(tmp_path / "page.html")
    assert (article.published.isoformat(), article.date_from) == ("2024-03-07", "page metadata")
    for furniture in ("cookies", "Sport", "Photo: Example Agency", "All rights reserved"):
        assert furniture not in article.text
    table, new = extract_into(case_dir, article)
    assert new == 2 and set(table["date"]) == {"2024-03-06", "2024-03-07"}
    assert table.set_index("date").loc["2024-03-07", "status"] == "claimed"


def test_a_text_without_a_date_asks_for_one(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(ValueError, match="no publication date in the page; give it with --published"):
        read_article(tmp_path / "a.txt")


def test_a_date_after_the_publication_is_flagged_for_a_check(case_dir: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture):
    (tmp_path / "b.txt").write_text("Harbourside Logistics said its systems were restored on 12 March 2024. "
                                    "The Akira group claimed the attack on its leak site on Thursday.",
                                    encoding="utf-8")
    args = ["extract", str(tmp_path / "b.txt"), "--case", str(case_dir), "--published", "2024-03-07"]
    assert main(args) == 0
    rows = candidates_of(case_dir).set_index("candidate_id")
    assert rows.loc["c-001", "check"] == ("its date 2024-03-12 is after the article's publication on "
                                          "2024-03-07: check it")
    assert rows.loc["c-002", "check"] == ""  # "on Thursday" resolves to the publication day itself
    out = capsys.readouterr().out.splitlines()
    listed = out.index(next(o for o in out if o.startswith("c-001")))
    assert out[listed + 1].strip().startswith("its date 2024-03-12")
