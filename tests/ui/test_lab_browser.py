"""The explorer notebook in a real JupyterLab, driven by Debian's headless Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, token auth), opens the explorer notebook, runs all
cells, checks the widgets rendered, changes a filter and checks the chart changed, then fills the
event form with a bad date (error shown, file unchanged) and a good event (file gained the row).
A screenshot is written to ``test-artifacts/`` when a step fails. CI installs chromium; without
it these tests fail with a clear message instead of being skipped.
"""

from __future__ import annotations

import pytest
from casefiles import ROOT, ROYAL_MAIL, SAMPLES
from labserver import browser_page, open_notebook, run_all, start_lab, step, with_parameters

from analystkit import load_case
from analystkit.rows import id_prefix, next_id

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    form_case = root / "form-case"
    load_case(ROYAL_MAIL).save(form_case)
    values = {"CASE": str(ROYAL_MAIL), "POSTS": str(SAMPLES / "leaksites" /
                                                         "ransomwatch_posts_2023-08-19.json"),
              "FORM_CASE": str(form_case), "OUTPUT_DIR": str(root / "out")}
    with_parameters(ROOT / "notebooks" / "05-explorer.ipynb", root / "explorer.ipynb", values)
    with start_lab(root) as lab:
        yield {**lab, "form_case": form_case}


@pytest.fixture(scope="module")
def page(lab):
    with browser_page() as page:
        open_notebook(page, lab, "explorer.ipynb")
        yield page


def src(page, css: str) -> str:
    return page.eval_on_selector(css, "el => el.getAttribute('src') || ''")


def test_explorer_runs_and_follows_filters(page):
    with step(page, "run-all"):
        run_all(page)
        page.wait_for_selector(".ak-explorer", timeout=180_000)
        page.wait_for_selector("img.ak-chart-timeline[src^='blob:'], img.ak-chart-timeline[src^='data:']")
    with step(page, "widgets-rendered"):
        for name in ("timeline", "activity", "graph"):
            assert page.locator(f"img.ak-chart-{name}").count() == 1
            assert page.eval_on_selector(f"img.ak-chart-{name}", "el => el.naturalWidth") > 100
        assert page.locator(".ak-explorer .ak-actors select").count() == 1
        assert "Events shown" in page.inner_text(".ak-explorer .ak-summary")
    with step(page, "filter-changes-chart"):
        before = src(page, "img.ak-chart-timeline")
        summary = page.inner_text(".ak-summary")
        page.click("button.ak-cat-recovery")
        page.wait_for_function(
            "old => document.querySelector('img.ak-chart-timeline').getAttribute('src') !== old",
            arg=before)
        page.wait_for_function(
            "old => document.querySelector('.ak-summary').innerText !== old", arg=summary)
        assert "recovery" not in page.inner_text(".ak-summary").split("Filters")[0]


def test_event_form_refuses_then_saves(page, lab):
    events = lab["form_case"] / "events.csv"
    ids = load_case(lab["form_case"]).events["event_id"]
    expected = next_id(ids, id_prefix(ids))  # the case's own numbering, not a generic ev-001
    assert not expected.startswith("ev-")
    before = events.read_bytes()
    rows = before.count(b"\n")
    with step(page, "form-bad-date"):
        page.locator(".ak-event-form").scroll_into_view_if_needed()
        page.fill(".ak-field-start input", "2022-101-27")
        page.fill(".ak-field-title input", "Browser test event")
        page.fill(".ak-field-source_name input", "Example News")
        page.fill(".ak-field-source_url input", "https://news.example/browser")
        page.click("button.ak-add")
        page.wait_for_selector(".ak-message:has-text('Not saved')")
        assert "2022-101-27" in page.inner_text(".ak-message")
        assert events.read_bytes() == before
    with step(page, "form-good-event"):
        page.fill(".ak-field-start input", "2023-02-24")
        page.click("button.ak-add")
        page.wait_for_function(
            "id => document.querySelector('.ak-message').innerText.includes('Saved ' + id)", arg=expected)
        case = load_case(lab["form_case"])
        assert events.read_bytes().count(b"\n") == rows + 1
        assert case.events.iloc[-1]["title"] == "Browser test event"
