"""The candidate reviewer widget: evidence shown escaped and marked, edits validated like the form,
accept and reject saved at once."""

from __future__ import annotations

from pathlib import Path

import pytest

import analystkit as ak
from analystkit.extract.review import candidates_of, extract_into
from analystkit.widgets import candidate_review

ARTICLE = ("Harbourside Logistics said on Wednesday that a <script>ransomware</script> attack had "
           "disrupted deliveries. The Akira group claimed the attack on its leak site on Thursday.")


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    ak.new_case(folder, title="Harbourside Logistics ransomware attack", victim="Harbourside Logistics",
                as_of="2024-03-10")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    extract_into(folder, tmp_path / "a.txt", published="2024-03-07")
    return folder


def test_the_reviewer_shows_escaped_marked_evidence_and_saves_each_choice(case_dir: Path):
    widget = candidate_review(case_dir)
    r = widget.reviewer
    assert "&lt;script&gt;" in r.evidence.value and "<script>" not in r.evidence.value
    assert "<mark>disrupted</mark>" in r.evidence.value and "2 to review" in r.evidence.value
    assert (r.fields["date"].value, r.fields["category"].value) == ("2024-03-06", "disruption")
    r.fields["date"].value = "2024-02-30"
    assert r.accept() is None and "Not accepted" in r.message.value and "2024-02-30" in r.message.value
    assert ak.load_case(case_dir).events.empty  # nothing written on a bad date
    r.fields["date"].value = "2024-03-05"
    r.fields["title"].value = "Deliveries disrupted"
    assert r.accept() == "ev-001"
    event = ak.load_case(case_dir).events.iloc[0]
    assert (str(event["start"])[:10], event["title"]) == ("2024-03-05", "Deliveries disrupted")
    assert "1 to review" in r.evidence.value
    r.reject()
    states = candidates_of(case_dir).set_index("candidate_id")["state"].to_dict()
    assert states == {"c-001": "accepted", "c-002": "rejected"}
    assert r.accept_button.disabled and "No candidate left" in r.evidence.value


def test_the_reviewer_warns_of_a_date_after_the_publication(tmp_path: Path):
    folder = tmp_path / "late"
    ak.new_case(folder, title="Harbourside Logistics ransomware attack", victim="Harbourside Logistics",
                as_of="2024-03-10")
    (tmp_path / "b.txt").write_text("Harbourside Logistics said its systems were restored on 12 March 2024.",
                                    encoding="utf-8")
    extract_into(folder, tmp_path / "b.txt", published="2024-03-07")
    shown = candidate_review(folder).reviewer.evidence.value
    assert "after the article&#x27;s publication on 2024-03-07: check it" in shown and "#8A4B00" in shown
