"""brief.html opened in headless Chromium: no console error, no script run, every image loaded.

Uses Debian's ``chromium`` package (``apt-get install -y chromium``) through Playwright; the test
fails, rather than skips, when the browser is missing, because CI installs it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from casefiles import ROYAL_MAIL

import analystkit as ak
from analystkit.export import brief

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRAPS = ['<script>window.__pwned = "script"</script>Evil Corp',
         '<img src=x onerror="window.__pwned = \'img\'">Bad Ltd',
         '<svg onload="window.__pwned = \'svg\'"></svg>Worse plc']


def _browser():
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); the "
                    "browser test needs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed (pip install -r requirements-dev.txt)")
    return sync_playwright


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    case = ak.load_case(ROYAL_MAIL)
    extra = case.events.iloc[[13]].copy()  # the export disruption, with hostile text
    rows = []
    for i, trap in enumerate(TRAPS):
        row = extra.copy()
        row["event_id"], row["title"], row["victim"], row["description"] = f"trap-{i}", trap, trap, trap
        rows.append(row)
    sources = pd.concat([case.sources, pd.DataFrame([{
        "source_id": "trap-src", "name": TRAPS[0], "url": "javascript:window.__pwned='link'",
        "tlp": "clear"}])], ignore_index=True)
    events = pd.concat([case.events, *rows], ignore_index=True)
    events.loc[events["event_id"].str.startswith("trap-"), "sources"] = [("trap-src",)] * len(TRAPS)
    hostile = case.with_tables(events=events, sources=sources).validated()
    return brief(hostile, tmp_path_factory.mktemp("browser"), tlp="clear", charts=("timeline",))


def test_pack_renders_without_errors_or_scripts(hostile_pack):
    sync_playwright = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.goto((hostile_pack / "brief.html").as_uri())
            page.wait_for_load_state("load")
            assert problems == []
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate("document.scripts.length") == 0
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            assert images and all(done and width > 0 for done, width in images)
            body = page.inner_text("body")
            assert TRAPS[0] in body and "TLP:CLEAR" in body  # the hostile name is shown as text
            links = page.evaluate("Array.from(document.links).map(a => a.protocol)")
            assert set(links) <= {"http:", "https:", "file:"}  # file: is the in-page #source links
            page.click("text=" + "Evil Corp", timeout=5000)  # clicking shown text runs nothing
            assert page.evaluate("typeof window.__pwned") == "undefined"
        finally:
            browser.close()
