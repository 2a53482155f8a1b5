"""The explorer notebook in a real JupyterLab, driven by Debian's headless Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, token auth), opens the explorer notebook, runs all
cells, checks the widgets rendered, changes a filter and checks the chart changed, then fills the
event form with a bad date (error shown, file unchanged) and a good event (file gained the row).
A screenshot is written to ``test-artifacts/`` when a step fails. CI installs chromium; without
it these tests fail with a clear message instead of being skipped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from casefiles import ROOT, ROYAL_MAIL, SAMPLES

from analystkit import load_case
from analystkit.rows import id_prefix, next_id

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (apt-get install chromium); .ci/run "
                    "installs it for the browser tests")
    root = tmp_path_factory.mktemp("lab")
    form_case = root / "form-case"
    load_case(ROYAL_MAIL).save(form_case)
    nb = nbformat.read(ROOT / "notebooks" / "05-explorer.ipynb", as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    values = {"CASE": str(ROYAL_MAIL), "POSTS": str(SAMPLES / "leaksites" /
                                                         "ransomwatch_posts_2023-08-19.json"),
              "FORM_CASE": str(form_case), "OUTPUT_DIR": str(root / "out")}
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    cell.pop("id", None)  # the notebook is nbformat 4.4, which has no cell ids
    nb.cells.insert(index + 1, cell)
    nbformat.write(nb, root / "explorer.ipynb")

    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime"), "JUPYTER_DATA_DIR": str(root / ".data"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    log = open(root / "lab.log", "w")  # noqa: SIM115 - closed in the teardown below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", "--allow-root", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
        time.sleep(0.5)
    yield {"url": url, "token": token, "root": root, "form_case": form_case}
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{lab['url']}/lab/tree/explorer.ipynb?token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        # JupyterLab may ask which kernel to start; take the notebook's own (Python 3).
        dialog = page.locator(".jp-Dialog button.jp-mod-accept")
        try:
            dialog.wait_for(timeout=15_000)
            dialog.click()
        except Exception:  # no dialog: the kernel started by itself
            pass
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                               "#jp-main-statusbar :text('Idle')", timeout=120_000)
        yield page
        context.close()
        browser.close()


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def step(page, name):
    """Context manager: on failure, save a screenshot and name it in the error."""
    class _Step:
        def __enter__(self):
            return page

        def __exit__(self, kind, exc, tb):
            if exc is not None:
                shot = shoot(page, name)
                raise AssertionError(f"{name} failed ({exc}); screenshot: {shot}") from exc
            return False
    return _Step()


def src(page, css: str) -> str:
    return page.eval_on_selector(css, "el => el.getAttribute('src') || ''")


def test_explorer_runs_and_follows_filters(page):
    with step(page, "run-all"):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
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
