"""Image regression: every chart the kit draws, compared with a committed baseline picture.

Each case below draws one chart through the public API (or writes the Royal Mail briefing pack and
renders every page of its PDF) and compares the PNG with ``tests/baselines/<name>.png`` using
matplotlib's ``compare_images`` (RMS tolerance :data:`TOL`). On a failure the new image, the
baseline and the difference image are kept under ``test-artifacts/images/``.

Regenerate the baselines on purpose (after a change that must move pixels; say why in the commit)::

    .venv/bin/python -m pytest tests/test_images.py --update-baselines

The pictures depend on the exact matplotlib, FreeType and poppler builds, so they are compared
only with the versions ``requirements.txt`` resolves to (the lowest-versions run skips them with
``-m "not images"``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from casefiles import DATA, ROOT, ROYAL_MAIL, SAMPLES
from matplotlib.testing.compare import compare_images

import analystkit as ak

pytestmark = pytest.mark.images

BASELINES = ROOT / "tests" / "baselines"
ARTIFACTS = ROOT / "test-artifacts" / "images"
TOL = 2.0  # RMS over 0-255 grey levels: anti-aliasing noise passes, a moved label does not
DPI = 60  # small pictures that still show every label
SAMPLE_POSTS = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"
OTHER_CASES = ("capita-2023", "change-healthcare-2024", "ransomware-victims", "synnovis-2024")


@pytest.fixture(scope="module")
def royal_mail():
    return ak.load_case(ROYAL_MAIL)


@pytest.fixture(scope="module")
def posts():
    return ak.read_posts(SAMPLE_POSTS)


@pytest.fixture(scope="module")
def pack(tmp_path_factory, posts) -> Path:
    """The Royal Mail briefing pack as the README's first command writes it, at a low dpi."""
    related = [ak.load_case(DATA / "cases" / name) for name in OTHER_CASES]
    out = tmp_path_factory.mktemp("pack")
    return ak.export.brief(ak.load_case(ROYAL_MAIL), out, tlp="clear", posts=posts,
                           related=related, dpi=DPI)


def check(png: Path, name: str, request: pytest.FixtureRequest) -> None:
    """Compare ``png`` with the baseline ``name``; keep all three pictures when they differ."""
    baseline = BASELINES / f"{name}.png"
    if request.config.getoption("--update-baselines"):
        BASELINES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, baseline)
        return
    assert baseline.exists(), (f"no baseline {baseline.relative_to(ROOT)}: run "
                               "`pytest tests/test_images.py --update-baselines` and commit it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    actual = ARTIFACTS / f"{name}-actual.png"
    shutil.copyfile(png, actual)
    result = compare_images(str(baseline), str(actual), tol=TOL, in_decorator=True)
    if result is None:
        actual.unlink()
        return
    shutil.copyfile(baseline, ARTIFACTS / f"{name}-expected.png")
    pytest.fail(f"{name}: RMS {result['rms']:.2f} > {TOL}; new image, baseline and difference in "
                f"{ARTIFACTS.relative_to(ROOT)}/{name}-*.png")


def figure_png(fig, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def _axes(size=(13.333, 7.5)):
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def timeline_window(case, posts):
    fig, ax = _axes()
    ak.plot.timeline(case.events, window=("2023-01-01", "2023-03-01"), tz="Europe/London", ax=ax)
    return fig


def timeline_full(case, posts):
    fig, ax = _axes()
    ak.plot.timeline(case.events, tz="Europe/London", as_of=case.meta.get("as_of"), ax=ax)
    return fig


def compare_day0(case, posts):
    cases = [case] + [ak.load_case(DATA / "cases" / n) for n in ("capita-2023", "synnovis-2024")]
    fig, ax = _axes()
    ak.plot.compare(ak.timeline.combine(cases), ax=ax, bars="disruption",
                    points=("intrusion", "disclosure", "recovery"))
    return fig


def activity_weekly(case, posts):
    fig, ax = _axes()
    ak.plot.activity(posts, freq="W", start="2022-06-01", end="2023-06-30",
                     annotations=[("2023-01-10", "Royal Mail day 0")], ax=ax)
    return fig


def activity_heat(case, posts):
    fig, ax = _axes()
    ak.plot.activity(posts, freq="M", kind="heat", top=12, ax=ax)
    return fig


def graph_case(case, posts):
    G = ak.actor_victim_graph(ak.load_case(DATA / "cases" / "ransomware-victims"))
    fig, ax = plt.subplots(figsize=(11, 11))
    ak.plot.graph(G, highlight=["Royal Mail"], ax=ax)
    return fig


def graph_top50(case, posts):
    fig, ax = plt.subplots(figsize=(11, 11))
    ak.plot.graph(ak.actor_victim_graph(posts), top=50, highlight=["Royal Mail"], ax=ax)
    return fig


def before_after(case, posts):
    from analystkit.plot import before_after as draw

    fig, axes = plt.subplots(1, 2, figsize=(17, 8.5))
    draw(posts, "2023-01-01", axes=axes, top=8, per_actor=25)
    return fig


CHARTS: dict[str, Callable] = {f.__name__: f for f in (
    timeline_window, timeline_full, compare_day0, activity_weekly, activity_heat, graph_case,
    graph_top50, before_after)}


@pytest.mark.parametrize("name", list(CHARTS))
def test_chart(name, royal_mail, posts, tmp_path, request):
    with ak.theme.use("briefing"):
        fig = CHARTS[name](royal_mail, posts)
        png = figure_png(fig, tmp_path, name)
    check(png, name, request)


@pytest.mark.parametrize("size", sorted(ak.export.SIZES))
def test_furnished_save(size, posts, tmp_path, request):
    """``export.save`` at every size preset: title, TLP:AMBER banner, as-of date, caption."""
    with ak.theme.use("briefing"):
        fig, ax = plt.subplots(layout="constrained")
        ak.plot.activity(posts, freq="M", top=4, start="2023-01-01", end="2023-06-30", ax=ax)
        paths = ak.export.save(fig, tmp_path / f"save-{size}", formats=("png",), size=size, dpi=DPI,
                               tlp="amber", title="Leak-site claims, first half of 2023",
                               subtitle="Victims claimed per month by the four most active groups",
                               as_of="2023-08-19", sources=["ransomwatch", "BBC News", "The Record"])
        plt.close(fig)
    check(paths[0], f"save-{size}", request)


@pytest.mark.parametrize("chart", ["timeline", "compare", "activity", "graph"])
def test_pack_chart(chart, pack, request):
    """The briefing pack's own charts, each on its furnished slide."""
    check(pack / f"{chart}.png", f"pack-{chart}", request)


def _pdf_pages(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page*.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_pack_pdf_pages(pack, tmp_path, request):
    """Every page of the Royal Mail ``brief.pdf`` rendered to PNG."""
    pages = _pdf_pages(pack / "brief.pdf", tmp_path)
    expected = sorted(BASELINES.glob("pdf-page-*.png"))
    if not request.config.getoption("--update-baselines"):
        assert len(pages) == len(expected), f"brief.pdf has {len(pages)} pages, baselines {len(expected)}"
    else:
        for old in expected:
            old.unlink()
    failures = []
    for i, page in enumerate(pages, start=1):
        try:
            check(page, f"pdf-page-{i:02d}", request)
        except pytest.fail.Exception as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
