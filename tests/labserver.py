"""A real JupyterLab on 127.0.0.1 and Debian's headless Chromium, for the browser tests.

:func:`start_lab` starts JupyterLab (a free port, token auth, its own config folders) rooted in a
folder; :func:`open_notebook` opens a notebook of it in a Playwright page and waits for an idle
kernel; :func:`shoot` and :func:`step` keep screenshots under ``test-artifacts/``. Without
chromium the tests fail with a clear message instead of being skipped.
"""

from __future__ import annotations

import contextlib
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
from casefiles import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_parameters(source: Path, target: Path, values: dict[str, object]) -> Path:
    """Copy notebook ``source`` to ``target`` with ``values`` set after its parameters cell."""
    nb = nbformat.read(source, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    if values:
        cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
        cell.pop("id", None)  # the notebooks are nbformat 4.4, which has no cell ids
        nb.cells.insert(index + 1, cell)
    nbformat.write(nb, target)
    return target


@contextlib.contextmanager
def start_lab(root: Path):
    """JupyterLab serving ``root``; yields ``{"url", "token", "root"}`` and stops it afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (apt-get install chromium); .ci/run "
                    "installs it for the browser tests")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime"), "JUPYTER_DATA_DIR": str(root / ".data"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    log = open(root / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", "--allow-root", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
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
        yield {"url": url, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser_page(*, width: int = 1500, height: int = 1100):
    """A Playwright page in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(120_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def open_notebook(page, lab: dict, name: str) -> None:
    """Open notebook ``name`` of the lab in ``page`` and wait until its kernel is idle."""
    page.goto(f"{lab['url']}/lab/tree/{name}?token={lab['token']}")
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


def run_all(page) -> None:
    """Run every cell of the open notebook (Run ▸ Run All Cells)."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextlib.contextmanager
def step(page, name: str):
    """On failure, save a screenshot and name it in the error."""
    try:
        yield page
    except Exception as exc:
        shot = shoot(page, name)
        raise AssertionError(f"{name} failed ({exc}); screenshot: {shot}") from exc
