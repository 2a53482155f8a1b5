"""The day-0 comparison chart: bars in days since day 0, labels with their lengths."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from casefiles import DATA

import analystkit as ak
from analystkit import timeline as tl
from analystkit.plot import compare
from analystkit.plot.base.labels import overlapping, renderer

CASES = ["royal-mail-2023", "change-healthcare-2024", "capita-2023", "synnovis-2024"]


@pytest.fixture(scope="module")
def four():
    return tl.combine([ak.load_case(DATA / "cases" / c) for c in CASES])


def bar_spans(ax, prefix="bars-"):
    out = []
    for c in ax.collections:
        if (c.get_gid() or "").startswith(prefix):
            out += [(p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in c.get_paths()]
    return sorted(out)


def test_one_bar_per_disruption_period_in_days(four):
    ax = compare(four)
    periods = four[four["category"].eq("disruption") & four["end"].notna()]
    spans = bar_spans(ax)
    assert len(spans) == len(periods) == 6
    assert (0.25, 43.0) in [(round(a, 2), round(b, 2)) for a, b in spans]  # 06:00 on day 0 → 21 Feb
    assert (0.0, 16.0) in spans and (0.0, 24.0) in spans and (0.0, 36.0) in spans
    # Synnovis: solid to 1 December, then a light band for "some time in December"
    assert (0.0, 181.0) in spans and bar_spans(ax, "bands-") == [(181.0, 212.0)]


def test_labels_quote_days_and_incidents(four):
    ax = compare(four)
    texts = {t.get_gid(): [] for t in ax.texts}
    for t in ax.texts:
        texts[t.get_gid()].append(t.get_text())
    assert "International export services halted · 43 days" in texts["bar-label"]
    assert "Services not fully restored until December 2024 · 182–212 days" in texts["bar-label"]
    assert sorted(texts["incident"]) == sorted(four.drop_duplicates("incident")["incident_title"])
    summary = [t for t in texts["incident-summary"] if "fully restored day 42" in t]
    assert summary == ["disclosed day 1 · first recovery step day 8 · fully restored day 42"]
    ax.figure.canvas.draw()
    rend = renderer(ax.figure)
    boxes = [t.get_window_extent(rend) for t in ax.texts if t.get_gid() != "annotations"]
    assert overlapping(boxes) == []


def test_day0_choice_moves_the_bars(four):
    ch = four[four["incident"].eq("change-healthcare-2024")]
    ax = compare(ch, day0="intrusion")  # 12 Feb: the outages start on day 9
    assert [a for a, _ in bar_spans(ax)] == [9.0, 9.0, 9.0]
    markers = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections
                              if (c.get_gid() or "").startswith("points-")])
    assert markers.min() == pytest.approx(0.5)  # the intrusion itself, mid-day on day 0


def test_points_beyond_the_axis_are_counted(four):
    ax = compare(four)
    notes = [t.get_text() for t in ax.texts if "not shown" in t.get_text()]
    assert len(notes) == 1 and notes[0].endswith("not shown")


def test_empty_input_returns_untouched_axes(four):
    _fig, ax = plt.subplots()
    n = len(ax.get_children())
    assert compare(four.iloc[:0], ax=ax) is ax
    assert len(ax.get_children()) == n


def test_input_untouched_and_same_bytes(four):
    before = four.copy(deep=True)

    def png() -> bytes:
        ax = compare(four)
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", metadata={"Software": None})
        plt.close(ax.figure)
        return buf.getvalue()

    assert png() == png()
    assert four.equals(before)


# -- open incidents, each on its own clock ------------------------------------------------------

def _open_pair(tmp_path):
    from opencase import write_open_case

    early = ak.load_case(write_open_case(tmp_path / "a", incident="lib-a", prefix="a",
                                         as_of="2024-06-30", title="Library A"))
    late = ak.load_case(write_open_case(tmp_path / "b", incident="lib-b", prefix="b",
                                        as_of="2025-03-07", title="Library B"))
    return tl.combine([early, late])


def test_open_incident_header_is_not_restored_and_bar_fades(tmp_path):
    from opencase import restoration_claims

    events = _open_pair(tmp_path)
    ax = compare(events)
    summaries = [t.get_text() for t in ax.texts if t.get_gid() == "incident-summary"]
    assert summaries == [
        "disclosed day 3 · first recovery step day 43 · not fully restored as of 30 Jun 2024 (≥ 246 days)",
        "disclosed day 3 · first recovery step day 43 · not fully restored as of 7 Mar 2025 (≥ 496 days)"]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "bar-label"]
    # a bar counts the days it covers, both ends (the as-of day) included, as "days disrupted"
    assert "Catalogue and reading rooms down · ongoing, ≥ 497 days" in labels
    assert "Catalogue and reading rooms down · ongoing, ≥ 247 days" in labels
    assert restoration_claims(" ".join(t.get_text() for t in ax.texts)) == []
    # each open bar: a solid part, then a fading end with an arrow at ITS case's as-of date
    (fade,) = [c for c in ax.collections if c.get_gid() == "open-ends"]
    alphas = fade.get_facecolors()[:, 3]
    assert alphas.max() > alphas.min()
    (arrows,) = [c for c in ax.collections if c.get_gid() == "open-ends-arrows"]
    assert sorted(arrows.get_offsets()[:, 0]) == [247.0, 497.0]
    solid_ends = sorted(b for _, b in bar_spans(ax))
    assert max(solid_ends) < 497.0 and 247.0 not in solid_ends  # no closed bar to the as-of date
    fade_spans = sorted((p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in fade.get_paths())
    assert max(b for _, b in fade_spans) == 497.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ongoing at the as-of date (fading end)" in legend


def test_closed_incidents_get_no_fade_or_ongoing_legend(four):
    ax = compare(four)
    assert not [c for c in ax.collections if (c.get_gid() or "").startswith("open-ends")]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ongoing at the as-of date (fading end)" not in legend
