"""The timeline chart: what is drawn, where, in which style, and that labels never collide."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from casefiles import ROYAL_MAIL
from matplotlib.dates import date2num, num2date
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import Bbox

import analystkit as ak
from analystkit import text, theme
from analystkit.plot import timeline
from analystkit.plot.base.labels import overlapping, renderer

WINDOW = ("2023-01-01", "2023-03-01")


def num(text_date: str) -> float:
    return date2num(pd.Timestamp(text_date).to_datetime64())


def by_gid(ax, prefix: str) -> list:
    return [c for c in ax.collections if (c.get_gid() or "").startswith(prefix)]


def rects(collections) -> list[tuple[float, float, float, float]]:
    """(x0, x1, y0, y1) of every rectangle in some PolyCollections, in data coordinates."""
    out = []
    for c in collections:
        for p in c.get_paths():
            v = p.vertices
            out.append((v[:, 0].min(), v[:, 0].max(), v[:, 1].min(), v[:, 1].max()))
    return out


def events(rows: list[dict]) -> pd.DataFrame:
    base = {"category": "disruption", "title": "x", "status": "confirmed", "sources": "s",
            "tlp": "clear"}
    return ak.validate("events", pd.DataFrame([{**base, "event_id": f"e{i}", **r}
                                               for i, r in enumerate(rows)]))


@pytest.fixture(scope="module")
def case():
    return ak.load_case(ROYAL_MAIL)


@pytest.fixture
def rm_ax(case):
    fig, ax = plt.subplots(figsize=(13.33, 7.5))
    fig.subplots_adjust(left=0.11, right=0.98, top=0.86, bottom=0.1)
    timeline(case.events, ax=ax, window=WINDOW, tz="Europe/London", as_of=case.as_of,
             title=case.title)
    fig.canvas.draw()
    return ax


def shown(case) -> pd.DataFrame:
    x = ak.timeline.extents(case.events, as_of=case.as_of)
    keep = (x["hi"] >= pd.Timestamp(WINDOW[0], tz="UTC")) & (x["lo"] <= pd.Timestamp(WINDOW[1], tz="UTC"))
    return case.events[keep.to_numpy()]


def test_period_bars_count_and_extent(rm_ax, case):
    ev = shown(case)
    periods = ev[ev["end"].notna()]
    bars = rects(by_gid(rm_ax, "bars-"))
    assert len(bars) == len(periods) == 3
    outage = periods[periods["event_id"].eq("rm-004")].iloc[0]
    x0 = date2num(outage["start"].tz_convert(None).to_datetime64())  # 06:00 on 10 Jan, exact
    x1 = num("2023-02-22")  # a day-precise end runs through 21 February
    assert any(np.isclose(b[0], x0) and np.isclose(b[1], x1) for b in bars)


def test_month_precise_event_spans_its_month(rm_ax):
    bands = rects(by_gid(rm_ax, "bands-"))
    assert any(np.isclose(b[0], num("2023-01-01")) and np.isclose(b[1], num("2023-02-01"))
               for b in bands)


def test_approximate_dates_have_whiskers(rm_ax, case):
    ev = shown(case)
    approx = ev[ev["precision"].eq("approximate")]
    (coll,) = by_gid(rm_ax, "whiskers")
    assert len(coll.get_segments()) == 3 * len(approx)  # a line and two caps each
    spans = {(round(s[0, 0], 3), round(s[1, 0], 3)) for s in coll.get_segments()[: len(approx)]}
    assert (round(num("2023-01-09"), 3), round(num("2023-01-12"), 3)) in spans  # 10 Jan ± 1 day


def test_markers_coded_by_status(rm_ax, case):
    ev = shown(case)
    points = ev[ev["end"].isna() & ~ev["precision"].isin(["month", "year"])]
    bg = matplotlib.colors.to_rgba(theme.current().background)
    for status, group in points.groupby("status"):
        (coll,) = by_gid(rm_ax, f"points-{status}")
        assert len(coll.get_offsets()) == len(group)
        style = theme.status_style(status)
        marker = MarkerStyle(style["marker"])
        expected = marker.get_path().transformed(marker.get_transform())
        assert np.allclose(coll.get_paths()[0].vertices, expected.vertices)
        filled = not np.allclose(coll.get_facecolors()[0], bg)
        assert filled == style["fill"], status
    claimed = by_gid(rm_ax, "points-claimed")[0]
    confirmed = by_gid(rm_ax, "points-confirmed")[0]
    assert len(claimed.get_paths()[0].vertices) != len(confirmed.get_paths()[0].vertices)


def test_legend_names_every_status_drawn(rm_ax, case):
    labels = [t.get_text() for t in rm_ax.get_legend().get_texts()]
    assert set(shown(case)["status"]) <= set(labels)
    assert "month known, day not (light band)" in labels and "date ± 1 day (whiskers)" in labels


def event_labels(ax):
    return [t for t in ax.texts if t.get_gid() != "label-inside" and t.get_text()
            and t.get_position()[1] > 0 and t.get_transform() == ax.transData]


def test_labels_are_the_titles_and_never_overlap(rm_ax, case):
    ev = shown(case)
    drawn = {t.get_text().removesuffix(" \u2260") for t in rm_ax.texts}
    assert {text.label(t, max_len=56) for t in ev["title"]} <= drawn
    assert {"Day 0", "First disclosure · day 1", "Full restoration · day 42"} <= drawn
    rend = renderer(rm_ax.figure)
    labels = [t for t in rm_ax.texts if t.get_transform() == rm_ax.transData]
    boxes = [t.get_window_extent(rend) for t in labels]
    assert overlapping(boxes) == []
    # no label touches a bar or a band, except a label written inside its own bar
    items = rects(by_gid(rm_ax, "bars-")) + rects(by_gid(rm_ax, "bands-"))
    to_px = rm_ax.transData.transform
    item_boxes = [Bbox(to_px([[x0, y0], [x1, y1]])) for x0, x1, y0, y1 in items]
    outside = [b for t, b in zip(labels, boxes, strict=True) if t.get_gid() != "label-inside"]
    clashes = [(i, j) for i, j in overlapping(outside, item_boxes) if i < len(outside) <= j]
    assert clashes == []
    inside = [b for t, b in zip(labels, boxes, strict=True) if t.get_gid() == "label-inside"]
    assert all(any(ib.x0 <= b.x0 and b.x1 <= ib.x1 for ib in item_boxes) for b in inside)
    # and every label stays within the figure
    fig_box = rm_ax.figure.bbox
    assert all(fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 for b in boxes)


def test_window_note_and_axis_name(rm_ax, case):
    hidden = len(case.events) - len(shown(case))
    assert any(t.get_text() == f"{hidden} events outside the window not shown" for t in rm_ax.texts)
    assert rm_ax.get_xlabel() == "Date (Europe/London)"


def test_tz_moves_ticks_across_the_dst_change():
    ev = events([{"start": "2023-03-24", "end": "2023-03-29"}])
    utc = timeline(ev, window=("2023-03-24", "2023-03-30"))
    london = timeline(ev, window=("2023-03-24", "2023-03-30"), tz="Europe/London")
    assert utc.get_xlabel() == "Date (UTC)" and london.get_xlabel() == "Date (Europe/London)"
    ticks = [num2date(t) for t in london.xaxis.get_major_locator()()]
    hours = {t.strftime("%d %H:%M") for t in ticks}
    # local midnights: 00:00 UTC in GMT before 26 March, 23:00 UTC the day before in BST after
    assert "25 00:00" in hours and "27 23:00" in hours and "28 00:00" not in hours
    labels = london.xaxis.get_major_formatter().format_ticks(london.xaxis.get_major_locator()())
    assert "27 Mar" in labels and "28 Mar" in labels
    utc_hours = {num2date(t).strftime("%H:%M") for t in utc.xaxis.get_major_locator()()}
    assert utc_hours == {"00:00"}


def test_empty_and_single_event():
    _fig, ax = plt.subplots()
    before = (len(ax.get_children()), ax.get_xlim(), ax.get_ylim())
    assert timeline(ak.schema.empty("events"), ax=ax) is ax
    assert (len(ax.get_children()), ax.get_xlim(), ax.get_ylim()) == before
    one = events([{"start": "2023-01-10", "title": "Only one", "category": "intrusion"}])
    ax2 = timeline(one)
    (coll,) = by_gid(ax2, "points-confirmed")
    assert len(coll.get_offsets()) == 1
    assert coll.get_offsets()[0][0] == pytest.approx(num("2023-01-10T12:00"))
    assert "Only one" in [t.get_text() for t in ax2.texts]


def test_hostile_titles_are_escaped_and_input_untouched():
    ev = events([{"start": "2023-01-10", "title": "Pay $5m to evil.example.com\x00 now $x$"}])
    before = ev.copy(deep=True)
    ax = timeline(ev)
    ax.figure.canvas.draw()  # mathtext would raise or swallow the dollars
    (label,) = [t.get_text() for t in ax.texts if "Pay" in t.get_text()]
    assert label == r"Pay \$5m to evil[.]example[.]com now \$x\$"
    pd.testing.assert_frame_equal(ev, before)


def test_ongoing_period_fades_to_as_of():
    ev = events([{"start": "2024-06-03", "ongoing": "true", "title": "Still down"}])
    ax = timeline(ev, as_of="2024-09-01")
    (fade,) = [c for c in ax.collections if c.get_gid() == "open-ends"]
    right = max(p.vertices[:, 0].max() for p in fade.get_paths())
    assert right == pytest.approx(num("2024-09-02"))  # through the as-of day
    alphas = fade.get_facecolors()[:, 3]
    assert alphas.max() > alphas.min()  # it fades
    (arrow,) = [c for c in ax.collections if c.get_gid() == "open-ends-arrows"]
    assert arrow.get_offsets()[0][0] == pytest.approx(num("2024-09-02"))


def test_dense_mode_stays_vectorised():
    rng = np.random.default_rng(7)
    n = 5000
    start = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 24, n), "h")
    frame = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n)], "start": start,
        "end": [s + pd.Timedelta(hours=int(h)) if h > 24 else pd.NaT
                for s, h in zip(start, rng.integers(0, 200, n), strict=True)],
        "category": rng.choice(["intrusion", "disruption", "recovery"], n), "title": "t",
        "status": rng.choice(["confirmed", "claimed", "disputed", "reported"], n),
        "sources": "s", "tlp": "clear"})
    ev = ak.validate("events", frame)
    ax = timeline(ev, milestones=None)
    assert len(ax.collections) < 30
    assert sum(len(c.get_offsets()) for c in by_gid(ax, "points-")) == int(ev["end"].isna().sum())
    assert len(rects(by_gid(ax, "bars-"))) == int(ev["end"].notna().sum())
    assert [t for t in ax.texts if t.get_text() == "t"] == []


def render(fmt: str) -> bytes:
    case = ak.load_case(ROYAL_MAIL)
    with theme.use("light"):
        ax = timeline(case.events, window=WINDOW, as_of=case.as_of, title=case.title)
        buf = io.BytesIO()
        meta = {"Software": None} if fmt == "png" else {"Date": None}
        ax.figure.savefig(buf, format=fmt, metadata=meta)
    plt.close(ax.figure)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_input_same_bytes(fmt):
    assert render(fmt) == render(fmt)


def test_open_incident_milestone_says_not_restored_at_the_as_of_date(tmp_path):
    from opencase import OPEN_DAYS, restoration_claims, write_open_case

    case = ak.load_case(write_open_case(tmp_path / "lib"))
    ax = timeline(case.events, as_of=case.meta["as_of"], day0=case.meta["day0"])
    texts = [t.get_text() for t in ax.texts]
    assert restoration_claims(" ".join(texts)) == []
    (mark,) = [t for t in ax.texts if t.get_gid() == "milestone-open"]
    assert mark.get_text() == f"Not fully restored as of 7 Mar 2025 · ≥ day {OPEN_DAYS}"
    assert mark.get_fontstyle() == "italic" and mark.get_fontweight() != "bold"
    assert "First recovery step · day 43" in texts  # partial recovery keeps its own wording
    (line,) = [c for c in ax.collections if c.get_gid() == "milestone-open"]
    (x,) = {seg[0][0] for seg in line.get_segments()}
    assert x == pytest.approx(num("2025-03-07"))
    (dashed,) = [c for c in ax.collections if type(c).__name__ == "LineCollection"
                 and c.get_gid() is None]  # the other milestones: day 0, disclosure, first step
    xs = sorted(seg[0][0] for seg in dashed.get_segments())
    assert xs == pytest.approx([num("2023-10-28"), num("2023-10-31"), num("2023-12-10")])


# --- events sources disagree on ------------------------------------------------------------------

def _disputed() -> pd.DataFrame:
    return events([
        {"start": "2023-01-10", "title": "Exports halted", "conflict": ""},
        {"start": "2023-01-18", "title": "Letters reopen (Royal Mail)", "conflict": "letters"},
        {"start": "2023-01-19", "title": "Letters reopen (Post Office)", "conflict": "letters"},
        {"start": "2023-01-20", "end": "2023-02-21", "title": "Parcels back", "conflict": "end-day"},
        {"start": "2023-01-25", "title": "Backlog cleared"},
    ])


def test_conflict_marker_follows_exactly_the_disputed_labels():
    fig, ax = plt.subplots(figsize=(13.33, 7.5))
    timeline(_disputed(), ax=ax)
    marked = sorted(t.get_text() for t in ax.texts if t.get_text().endswith(" \u2260"))
    assert marked == ["Letters reopen (Post Office) \u2260", "Letters reopen (Royal Mail) \u2260",
                      "Parcels back \u2260"]
    assert by_gid(ax, "conflicts") == []  # labelled events carry it in their label only
    assert "sources disagree" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_unlabelled_disputed_events_get_the_marker_at_their_own_place():
    ev = _disputed()
    fig, ax = plt.subplots(figsize=(13.33, 7.5))
    timeline(ev, ax=ax, labels=False)
    (marks,) = by_gid(ax, "conflicts")
    xs = sorted(np.round(marks.get_offsets()[:, 0], 3))
    expected = sorted(np.round([num("2023-01-18") + 0.5, num("2023-01-19") + 0.5,
                                num("2023-01-20")], 3))
    assert xs == expected and not any("\u2260" in t.get_text() for t in ax.texts)
    plt.close(fig)


def test_no_conflict_no_marker_and_no_legend_entry():
    fig, ax = plt.subplots(figsize=(13.33, 7.5))
    timeline(_disputed().assign(conflict=""), ax=ax, labels=False)
    assert by_gid(ax, "conflicts") == []
    assert "sources disagree" not in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
