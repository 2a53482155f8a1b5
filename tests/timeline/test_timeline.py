"""Interval analysis: extents, merged periods, durations, day 0, counts per period."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from casefiles import DATA, ROYAL_MAIL, SAMPLES

import analystkit as ak
from analystkit import timeline as tl
from analystkit.io.leaksites import read_posts

CASES = ["royal-mail-2023", "change-healthcare-2024", "capita-2023", "synnovis-2024"]
POSTS = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"
UTC = pd.Timestamp


def events(rows: list[dict]) -> pd.DataFrame:
    base = {"category": "disruption", "title": "x", "status": "confirmed", "sources": "s",
            "tlp": "clear"}
    frame = pd.DataFrame([{**base, "event_id": f"e{i}", **r} for i, r in enumerate(rows)])
    return ak.validate("events", frame)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def royal_mail():
    return ak.load_case(ROYAL_MAIL)


@pytest.fixture(scope="module")
def four():
    return tl.combine([ak.load_case(DATA / "cases" / c) for c in CASES])


def test_extents_follow_precision():
    ev = events([
        {"start": "2023-01-10", "end": "2023-02-21"},                  # day: through 21 Feb
        {"start": "2023-01", "category": "extortion"},                  # month point
        {"start": "2023-01-12", "precision": "approximate"},            # ± 1 day
        {"start": "2024-06-03", "end": "2024-12", "end_precision": "month"},
        {"start": "2023-01-12T13:44:00Z"},                              # exact point
    ])
    x = tl.extents(ev)
    assert list(x["kind"]) == ["period", "point", "point", "period", "point"]
    assert x.loc[0, "end"] == ts("2023-02-22") and x.loc[0, "end_lo"] == ts("2023-02-22")
    assert (x.loc[1, "start"], x.loc[1, "start_hi"]) == (ts("2023-01-01"), ts("2023-02-01"))
    assert (x.loc[2, "lo"], x.loc[2, "start_hi"]) == (ts("2023-01-11"), ts("2023-01-14"))
    assert (x.loc[3, "end_lo"], x.loc[3, "end"]) == (ts("2024-12-01"), ts("2025-01-01"))
    assert x.loc[4, "start"] == x.loc[4, "start_hi"] == ts("2023-01-12T13:44:00")


def test_ongoing_period_runs_to_as_of_and_input_is_untouched():
    ev = events([{"start": "2024-02-21", "ongoing": "true"}, {"start": "2024-03-01"}])
    before = ev.copy(deep=True)
    x = tl.extents(ev, as_of="2024-04-30")
    assert x.loc[0, "kind"] == "period" and bool(x.loc[0, "open"])
    # still under way on the as-of day: the (exclusive) end is the midnight after it
    assert x.loc[0, "end"] == ts("2024-05-01")
    pd.testing.assert_frame_equal(ev, before)


def test_merge_periods_per_lane():
    ev = events([
        {"start": "2024-02-21", "end": "2024-03-07"},
        {"start": "2024-03-01", "end": "2024-03-15"},
        {"start": "2024-03-20", "end": "2024-03-27"},
        {"start": "2024-02-25", "end": "2024-03-02", "category": "intrusion"},
        {"start": "2024-03-05"},  # a point: ignored
    ])
    merged = tl.merge_periods(ev)
    dis = merged[merged["category"].eq("disruption")]
    assert [tuple(e) for e in dis["events"]] == [("e0", "e1"), ("e2",)]
    assert list(dis["end"]) == [ts("2024-03-16"), ts("2024-03-28")]
    assert list(merged[merged["category"].eq("intrusion")]["events"]) == [("e3",)]
    assert len(tl.merge_periods(ev, gap="5D").query("category == 'disruption'")) == 1
    with pytest.raises(KeyError, match="nope"):
        tl.merge_periods(ev, by="nope")


def test_durations_royal_mail_come_from_the_events(royal_mail):
    ev = royal_mail.events
    d = tl.durations(ev).set_index("measure")
    start = ev.loc[ev["event_id"].eq("rm-004"), "start"].iloc[0]
    end = ev.loc[ev["event_id"].eq("rm-004"), "end"].iloc[0]
    first_disclosure = ev[ev["category"].eq("disclosure") & ev["incident"].eq("royal-mail-2023")]
    first_recovery = ev[ev["category"].eq("recovery")]["start"].min()
    day = pd.Timedelta(days=1)
    assert d.loc["time to disclosure", "days"] == (first_disclosure["start"].min() - start.floor("D")) / day
    assert d.loc["time to first recovery step", "days"] == (first_recovery - start.floor("D")) / day
    assert d.loc["time to full restoration", "days"] == (end - start.floor("D")) / day
    # days disrupted counts calendar days, both ends included: 10 Jan .. 21 Feb
    assert d.loc["days disrupted", "days"] == (end - start.floor("D")) / day + 1
    assert d.loc["days disrupted", "text"] == "43 days"
    assert set(d["incident"]) == {"royal-mail-2023"}  # background rows give no durations


def test_durations_month_precision_gives_a_range(four):
    d = tl.durations(four)
    syn = d[d["incident"].eq("synnovis-2024")].set_index("measure")
    restore = syn.loc["time to full restoration"]
    # "fully restored by December 2024": any day of December
    assert (restore["days_min"], restore["days_max"]) == (181.0, 211.0)
    assert restore["text"] == "181–211 days"
    ch = d[d["incident"].eq("change-healthcare-2024")].set_index("measure")
    # Change's first service back is the end of its pharmacy outage, not the November status page
    assert ch.loc["time to first recovery step", "event_id"] == "ch-004"
    assert ch.loc["time to first recovery step", "days"] == 15


def test_day0_forms(four, royal_mail):
    assert tl.day0_of(four)["capita-2023"] == ts("2023-03-31")  # from the case metadata
    assert tl.day0_of(four, "intrusion")["change-healthcare-2024"] == ts("2024-02-12")
    assert tl.day0_of(royal_mail.events, "rm-005")["royal-mail-2023"] == ts("2023-01-11")
    assert tl.day0_of(four, {"capita-2023": "2023-04-03"})["capita-2023"] == ts("2023-04-03")
    with pytest.raises(ValueError, match="not an event id, a category"):
        tl.day0_of(four, "next tuesday-ish")
    with pytest.raises(ValueError, match="no incident has"):
        tl.day0_of(royal_mail.events[royal_mail.events["category"].eq("intrusion")], "recovery")


def test_align_puts_incidents_on_days_since_day0(four):
    a = tl.align(four)
    ch = a[a["event_id"].eq("ch-001")].iloc[0]  # intrusion nine days before day 0
    assert ch["start"] == -9.0
    pharmacy = a[a["event_id"].eq("ch-004")].iloc[0]
    assert (pharmacy["start"], pharmacy["end"]) == (0.0, 16.0)
    assert len(a) == len(four) and "lb-001" not in set(a["event_id"])  # background left out


def posts_from_json() -> pd.DataFrame:
    """The posts table built by hand from the raw feed, as an independent check."""
    raw = pd.DataFrame(json.loads(POSTS.read_text(encoding="utf-8")))
    return pd.DataFrame({"date": pd.to_datetime(raw["discovered"], utc=True),
                         "actor": raw["group_name"].map(ak.canonical_actor)})


def test_counts_merge_aliases_and_keep_every_period():
    posts = posts_from_json()
    weekly = tl.counts(posts, freq="W", top=5, start="2022-01-01", end="2023-01-01")
    columns = list(weekly.columns)
    assert columns[-1] == "other" and columns[0] == "LockBit"
    assert (weekly.index.dayofweek == 0).all()  # weeks start on Monday
    assert (weekly.index[1:] - weekly.index[:-1] == pd.Timedelta(days=7)).all()
    window = posts[(posts["date"] >= ts("2022-01-01")) & (posts["date"] < ts("2023-01-01"))]
    assert weekly["LockBit"].sum() == window["actor"].eq("LockBit").sum()
    assert weekly.to_numpy().sum() == len(window)
    raw_groups = json.loads(POSTS.read_text(encoding="utf-8"))
    lockbit_raw = sum(1 for p in raw_groups if p["group_name"] in ("lockbit2", "lockbit3")
                      and "2022-01-01" <= p["discovered"] < "2023-01-01")
    assert weekly["LockBit"].sum() == lockbit_raw


def test_counts_monthly_from_the_reader():
    posts = read_posts(POSTS)
    monthly = tl.counts(posts, freq="M", top=None)
    victims = posts[~posts["announcement"]]
    assert monthly.sum().to_dict() == victims["actor"].value_counts().to_dict()
    assert (monthly.index.day == 1).all()
    assert tl.counts(posts, freq="M", weight="count").to_numpy().sum() == victims["count"].sum()
    with pytest.raises(ValueError, match="freq"):
        tl.counts(posts, freq="Q")
    assert tl.counts(posts.iloc[:0]).empty


def test_one_incident_measures_are_the_durations_rows(royal_mail):
    from analystkit.timeline.alignment import day0_of
    from analystkit.timeline.measures import incident_measures

    ev = royal_mail.events
    name, d0 = next(iter(day0_of(ev).items()))
    rows = incident_measures(name, d0, ev, tl.extents(ev))
    assert sorted(r["measure"] for r in rows) == sorted(tl.durations(ev)["measure"])


def test_week_periods_start_on_monday():
    import numpy as np

    from analystkit.timeline.posts import period_range, period_starts

    stamps = np.array(["2023-01-04T10:00", "2023-01-15T23:59"], dtype="datetime64[ns]")
    starts = period_starts(stamps, "W")
    assert [str(s)[:10] for s in starts] == ["2023-01-02", "2023-01-09"]
    assert len(period_range(starts[0], starts[1], "W")) == 2


def test_public_names_stay_on_the_package():
    for name in tl.__all__:
        assert getattr(ak.timeline, name) is getattr(tl, name)


# -- open incidents and each case's own clock --------------------------------------------------

def test_ongoing_incident_gives_lower_bounds_never_restoration(tmp_path):
    from opencase import OPEN_DAYS, restoration_claims, write_open_case

    case = ak.load_case(write_open_case(tmp_path / "lib"))
    d = tl.durations(case.events, day0=case.meta["day0"], as_of=case.meta["as_of"]).set_index("measure")
    # day 0 → as-of date is 496 days; the days disrupted count both ends, the as-of day included
    for measure, days in (("time to full restoration", OPEN_DAYS), ("days disrupted", OPEN_DAYS + 1)):
        row = d.loc[measure]
        assert bool(row["open"]) and row["days"] == days == row["days_min"]
        assert pd.isna(row["days_max"]) and row["text"] == f"≥ {days} days"
        assert row["as_of"] == ts("2025-03-07")
        assert row["end"] == ts("2025-03-07")  # never a day before the as-of date
    assert d.loc["time to full restoration", "event_id"] == "lib-001"  # the ongoing outage
    # partial recovery stays apart: the closed website outage, not the open period's as-of end
    assert not d.loc["time to first recovery step", "open"]
    assert d.loc["time to first recovery step", "event_id"] == "lib-002"
    assert d.loc["time to first recovery step", "days"] == 43
    phrase = tl.restoration_phrase(d.loc["time to full restoration"])
    assert phrase == f"not fully restored as of 7 Mar 2025 (≥ {OPEN_DAYS} days)"
    milestone = tl.restoration_phrase(d.loc["time to full restoration"], form="milestone")
    assert milestone == f"Not fully restored as of 7 Mar 2025 · ≥ day {OPEN_DAYS}"
    assert restoration_claims(" ".join([*d["text"], phrase, milestone])) == []


def test_closed_incident_keeps_its_wording(royal_mail):
    d = tl.durations(royal_mail.events, as_of=royal_mail.meta["as_of"]).set_index("measure")
    assert not d["open"].any()
    assert (d["as_of"] == ts(royal_mail.meta["as_of"])).all()
    row = d.loc["time to full restoration"]
    assert tl.restoration_phrase(row) == "fully restored day 42"
    assert tl.restoration_phrase(row, form="milestone") == "Full restoration · day 42"
    with pytest.raises(ValueError, match="form"):
        tl.restoration_phrase(row, form="headline")


def test_combine_keeps_each_case_on_its_own_as_of(tmp_path):
    from opencase import write_open_case

    early = ak.load_case(write_open_case(tmp_path / "a", incident="lib-a", prefix="a",
                                         as_of="2024-06-30", title="Library A"))
    late = ak.load_case(write_open_case(tmp_path / "b", incident="lib-b", prefix="b",
                                        as_of="2025-03-07", title="Library B"))
    both = tl.combine([early, late])
    assert set(zip(both["incident"], both["as_of"], strict=True)) == {
        ("lib-a", ts("2024-06-30")), ("lib-b", ts("2025-03-07"))}
    x = tl.extents(both)
    ends = dict(zip(both.loc[x["open"], "incident"], x.loc[x["open"], "end"], strict=True))
    assert ends == {"lib-a": ts("2024-07-01"), "lib-b": ts("2025-03-08")}  # through each as-of day
    d = tl.durations(both)
    restore = d[d["measure"].eq("time to full restoration")].set_index("incident")
    assert restore.loc["lib-a", "days"] == (ts("2024-06-30") - ts("2023-10-28")).days == 246
    assert restore.loc["lib-b", "days"] == 496
    assert restore["open"].all() and list(restore["as_of"]) == [ts("2024-06-30"), ts("2025-03-07")]
    a = tl.align(both)
    open_end = a[a["open"].astype(bool)].set_index("incident")["end"]
    assert open_end.to_dict() == {"lib-a": 247.0, "lib-b": 497.0}
    # an explicit as_of still applies to every row
    assert set(tl.extents(both, as_of="2024-12-31").loc[x["open"], "end"]) == {ts("2025-01-01")}
