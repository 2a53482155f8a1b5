"""Leak-site feeds read into the posts table: real sample, dirty titles, refused bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from casefiles import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from analystkit import aliases
from analystkit._testing import tidy_titles
from analystkit.aliases import LEGAL_FORMS, victim_key
from analystkit.io.leaksites import PostsError, is_announcement, read_groups, read_posts, tidy_victim
from analystkit.schema import POSTS_COLUMNS

SAMPLE = SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json"


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    return read_posts(SAMPLE)


def _live(tmp_path, records, name="live.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


LIVE = [
    {"post_title": "royalmailgroup.com", "group_name": "lockbit3", "discovered": "2024-03-06 10:00:00.0",
     "published": "2023-02-06 20:00:00.000000", "website": "royalmailgroup.com", "country": "GB",
     "activity": "Transportation/Logistics", "description": "", "post_url": ""},
    {"post_title": "Royal Mail Group Ltd", "group_name": "LockBit 3.0", "discovered": "2024-03-06 11:00:00",
     "published": "2023-02-06 21:00:00", "website": "", "country": "", "activity": "",
     "description": "", "post_url": ""},
    {"post_title": "Acme &amp; Sons", "group_name": "royal", "discovered": "2024-03-07 11:00:00+02:00",
     "published": "2023-01-06", "website": "acme.example", "country": "US",
     "activity": "Manufacturing", "description": "", "post_url": ""},
]


def test_real_sample_shape_and_columns(posts):
    assert list(posts.columns) == list(POSTS_COLUMNS)
    assert str(posts["date"].dtype) == "datetime64[ns, UTC]"
    assert posts["count"].sum() == 7354  # every raw post is accounted for
    assert len(posts) < 7354  # and re-posts were collapsed
    assert posts["date"].is_monotonic_increasing
    assert set(posts["feed"]) == {"ransomwatch"}


def test_lockbit_aliases_merged(posts):
    lockbit = posts[posts["actor"] == "LockBit"]
    assert set(lockbit["group_name"]) == {"lockbit2", "lockbit3"}
    assert lockbit["count"].sum() == 2038
    assert not posts["actor"].isin(["lockbit2", "lockbit3"]).any()


def test_royal_mail_found_by_domain_and_kept_apart_from_royal(posts):
    rm = posts[posts["victim"] == "Royal Mail"]
    assert len(rm) == 1
    row = rm.iloc[0]
    assert (row["actor"], row["group_name"], row["post_title"]) == ("LockBit", "lockbit3",
                                                                   "royalmailgroup.com")
    assert row["date"] == pd.Timestamp("2023-02-07 05:11:14.822203", tz="UTC")
    royal = posts[posts["group_name"] == "royal"]
    assert len(royal) > 150 and set(royal["actor"]) == {"Royal"}
    assert "Royal Mail" not in set(royal["victim"])


def test_dirty_titles_are_tidied(posts):
    by_title = posts.set_index("post_title")
    assert by_title.loc["Greenwood Fabricating &amp; Plating", "victim"] == "Greenwood Fabricating & Plating"
    assert by_title.loc["hammer-poznan.p...", "victim"] == "hammer-poznan.p…"  # says it was cut
    assert by_title.loc["*.skifgroup.com", "victim"] == "skifgroup.com"
    assert by_title.loc["https://www.inforlandia.com", "victim"] == "inforlandia.com"
    assert tidy_victim("Weir &amp; Partners LLP / Part 2") == ("Weir & Partners LLP", "weir & partners")
    assert tidy_victim("Tegut. Part 1.")[0] == "Tegut"
    assert tidy_victim("R*** M****")[0] == "R*** M****"  # as written, star for star
    assert tidy_victim("Evil\u202eCorp\x00 Ltd")[0] == "Evil Corp Ltd"


def test_parts_of_one_leak_collapse_with_a_count(posts):
    tegut = posts[posts["victim"] == "Tegut"]
    assert tegut["count"].sum() == 2


def test_announcements_flagged(posts):
    flagged = set(posts.loc[posts["announcement"], "post_title"])
    assert {"Announcement", "[IMPORTANT ANNOUNCEMENT!]", "Announcement. ReviLives."} <= flagged
    # Ragnar Locker's "hello world" to one victim names the victim
    brunner = posts[posts["post_title"].eq("Brunner Announce – Hello World !")]
    assert not brunner["announcement"].any() and set(brunner["victim"]) == {"Brunner"}
    assert not is_announcement("Finite Recruitment")
    assert not is_announcement("royalmailgroup.com")
    assert posts["announcement"].sum() <= 45  # 41 of 7,334 claims; precision: test_announcements


def test_victim_key_fast_path_matches_full_normalisation_on_every_real_title():
    """Plain ASCII titles skip entity decoding and NFKC; the key must be the same as with them."""
    def slow(text: str) -> str:  # a trailing no-break space forces the full normalisation
        return victim_key(text + "\u00a0")

    titles = {p["post_title"] for p in json.loads(SAMPLE.read_text(encoding="utf-8"))}
    plain = [t for t in titles if t.isascii() and t.isprintable() and "&" not in t]
    assert len(plain) > 5000
    assert [t for t in plain if victim_key(t) != slow(t)] == []


def test_ransomware_live_needs_an_explicit_date(tmp_path):
    path = _live(tmp_path, LIVE)
    with pytest.raises(PostsError, match="pass date='discovered' or date='published'"):
        read_posts(path)
    pub = read_posts(path, date="published")
    disc = read_posts(path, date="discovered")
    assert pub["date"].min() == pd.Timestamp("2023-01-06", tz="UTC")
    assert disc["date"].max() == pd.Timestamp("2024-03-07 09:00", tz="UTC")  # +02:00 made UTC
    assert set(pub["feed"]) == {"ransomware.live"}
    rm = pub[pub["victim"] == "Royal Mail"]
    assert set(rm["actor"]) == {"LockBit"} and rm["count"].sum() == 2
    assert set(rm["country"]) == {"GB"} and set(rm["sector"]) == {"Transportation/Logistics"}
    acme = pub[pub["actor"] == "Royal"].iloc[0]
    assert (acme["victim"], acme["website"], acme["sector"]) == ("Acme & Sons", "acme.example",
                                                                 "Manufacturing")


def test_ransomware_live_csv_and_api_v2(tmp_path):
    csv = tmp_path / "posts.csv"
    pd.DataFrame(LIVE).to_csv(csv, index=False)
    a = read_posts(csv, date="published")
    v2 = [{"victim": r["post_title"], "group": r["group_name"], "discovered": r["discovered"],
           "published": r["published"], "country": r["country"], "activity": r["activity"],
           "domain": r["website"]} for r in LIVE]
    b = read_posts(_live(tmp_path, v2, "v2.json"), date="published")
    for frame in (a, b):
        assert frame["count"].sum() == 3
        assert set(frame["victim"]) == {"Royal Mail", "Acme & Sons"}


def test_ransomwatch_has_no_published(tmp_path):
    with pytest.raises(PostsError, match="carry only 'discovered'"):
        read_posts(SAMPLE, date="published")


def test_truncated_json_names_file_and_record(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(SAMPLE.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    with pytest.raises(PostsError) as err:
        read_posts(path)
    assert "cut.json" in str(err.value) and "record [31]" in str(err.value)
    assert "truncated" in str(err.value)


def test_missing_field_names_record_and_field(tmp_path):
    records = json.loads(SAMPLE.read_text(encoding="utf-8"))[:20]
    del records[7]["group_name"]
    with pytest.raises(PostsError, match=r"bad\.json, record \[7\], field 'group_name'"):
        read_posts(_live(tmp_path, records, "bad.json"))


def test_bad_date_names_record_field_and_value(tmp_path):
    records = json.loads(SAMPLE.read_text(encoding="utf-8"))[:20]
    records[5]["discovered"] = "2023-13-45 nonsense"
    with pytest.raises(PostsError, match=r"record \[5\], field 'discovered': value '2023-13-45 nonsense'"):
        read_posts(_live(tmp_path, records, "date.json"))


def test_csv_errors_name_the_line(tmp_path):
    csv = tmp_path / "posts.csv"
    frame = pd.DataFrame(LIVE)
    frame.loc[1, "published"] = "yesterday"
    frame.to_csv(csv, index=False)
    with pytest.raises(PostsError, match=r"record \[3\], field 'published': value 'yesterday'"):
        read_posts(csv, date="published")


def test_read_groups(tmp_path):
    path = tmp_path / "groups.json"
    path.write_text(json.dumps([
        {"name": "lockbit3", "captcha": False, "parser": True, "javascript_render": False, "meta": None,
         "profile": ["https://example.org/lockbit"], "locations": [
             {"fqdn": "a.onion", "title": "LockBit", "version": 3, "slug": "http://a.onion",
              "available": True, "updated": "2023-08-19 10:00:00.000000",
              "lastscrape": "2023-08-19 10:00:00.000000", "enabled": True},
             {"fqdn": "b.onion", "title": "LockBit", "version": 3, "slug": "http://b.onion",
              "available": False, "updated": "", "lastscrape": "2023-08-18 10:00:00.000000",
              "enabled": True}]},
        {"name": "royal", "captcha": False, "parser": True, "javascript_render": False, "meta": None,
         "profile": [], "locations": []}]), encoding="utf-8")
    groups = read_groups(path)
    lb = groups.iloc[0]
    assert (lb["actor"], lb["locations"], lb["available"], lb["fqdns"]) == ("LockBit", 2, 1,
                                                                          ("a.onion", "b.onion"))
    assert lb["last_scrape"] == pd.Timestamp("2023-08-19 10:00", tz="UTC")
    assert groups.iloc[1]["actor"] == "Royal" and groups.iloc[1]["locations"] == 0


DIRTY = ["", ".com", "Acme Inc", "Acme, Inc", "Acme,inc", "acme s.a", "Acme Pty Ltd", "Acme Sdn Bhd",
         "Acme.", "Acme ,", "x.co", "www.Royalmailgroup.com", "ROYAL MAIL GROUP LTD", "Bosch Gmb...",
         "Bosch Gmb..", "Partners Clinic", "Tegut. Part 1.", "Weir &amp; Partners LLP / Part 2",
         "A &amp;amp; B", "Caf&eacute; Nord", "-abc", "abc|", "İnc announce", "Hello World",
         "Hello&nbsp;World", "&amp; Announcement", "our new partner", "10 breaking news", "We are hiring",
         "Join  us", "for press", "R*** M****", "Evil\u202eCorp\x00 Ltd", "https://www.inforlandia.com/",
         "*.skifgroup.com", "a  b", " a", "...", "a. ...", "acme.co...", "Acme Co. Ltd.", "x sdn bhd",
         "pty ltd", "Acme A/S", "Acme &", "Acme &amp;", "two\nlines", "acme.com\n",
         "ｒｏｙａｌｍａｉｌｇｒｏｕｐ.com", "\ud800 lone surrogate", "new york leak", "Acme part2",
         "acme.com/", "&#38; Co", "A &amp;amp; B &amp; C"]


def _one_by_one(titles: list[str]) -> tuple[list[tuple[str, str]], list[bool]]:
    return [tidy_victim(t) for t in titles], [is_announcement(t) for t in titles]


def _assert_bulk_matches(titles: list[str]) -> None:
    victims, keys, flags = tidy_titles(titles)
    expected, announced = _one_by_one(titles)
    assert [t for t, v, k, e in zip(titles, victims, keys, expected, strict=True) if (v, k) != e] == []
    assert [t for t, f, e in zip(titles, flags.tolist(), announced, strict=True) if f != e] == []


def test_bulk_tidying_matches_one_by_one_on_every_real_title():
    titles = [p["post_title"] for p in json.loads(SAMPLE.read_text(encoding="utf-8"))]
    assert len(titles) == 7354
    _assert_bulk_matches(titles)
    assert tidy_titles(titles)[2].sum() >= 10  # the sample's own announcements are among them


def test_bulk_tidying_matches_one_by_one_on_dirty_titles():
    _assert_bulk_matches(DIRTY)
    _assert_bulk_matches(DIRTY[::-1] + DIRTY)  # order and repeats change nothing
    victims, keys, flags = tidy_titles(DIRTY)
    at = DIRTY.index("Hello&nbsp;World")
    assert flags[at] and not flags[DIRTY.index("Partners Clinic")]
    assert (victims[DIRTY.index("acme.com\n")], keys[DIRTY.index("Acme Co. Ltd.")]) == ("acme.com", "acme")
    victims, keys, flags = tidy_titles([])
    assert (victims, keys, flags.shape) == ([], [], (0,))


FRAGMENTS = ["Acme", "ACME", "royal mail", "Royal Mail Group", "royalmailgroup.com", "www.", "https://",
             ".com", ".co.uk", "/", "*.", "*", "**", "█", " ", "  ", "\t", "\n", "\x00", "\u202e", "\u200b",
             "é", "İ", "ｌｔｄ", "&amp;", "&amp;amp;", "&#38;", "&nbsp;", "&eacute;", "&", "&amp; ", "...",
             "..", ".", "…", ",", "-", "|", " Ltd", " Ltd.", " Pty Ltd", ", Inc.", " inc", " S.A.", " s.a",
             " sdn bhd", " A/S", " co", " GmbH & Co. KG", "Leaks from company ", "new leak ", " Part 2",
             "part 1/3", " - leaked", " / information updated", " - more then 5 GB data leaked",
             "Announcement", "announce of", "hello world", "we are hiring", "join us", "news", "FAQ",
             "recruiting affiliates", "$", "1", "42"]
WORDS = ["Acme", "north", "ROYAL", "Mail", "Group", "Partners", "Part", "2", "leak", "news", "co", "ltd",
         "Inc.", "s.a", "A/S", "x.", ".", "updated", "2023", "&amp;", "&", "-", "|", "announce", "hello",
         "world", "join", "us", "we", "are", "hiring", "pty", "sdn", "bhd", "pte", "corp", "company", "*",
         "R***", "for", "press"]
HOSTILE = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=2), max_size=6).map("".join)
ENDINGS = ["", "...", " ...", "..", ".", ",", " Ltd", " Ltd.", ", Inc.", " Pty Ltd..."]
WORDY = st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
                  st.sampled_from(ENDINGS)).map("".join)
DOMAIN = st.tuples(st.sampled_from(["", "www.", "WWW."]),
                   st.lists(st.sampled_from(["acme", "RoyalMailGroup", "co", "uk", "com", "x-y", "9", "a"]),
                            min_size=1, max_size=4).map(".".join),
                   st.sampled_from(["", ".com", ".io...", "."])).map("".join)
TITLE = HOSTILE | WORDY | DOMAIN


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(TITLE, min_size=1, max_size=12))
def test_bulk_tidying_matches_one_by_one_on_generated_titles(titles):
    _assert_bulk_matches(titles)


KEY_WORDS = ["acme", "north", "co", "ltd", "inc", "pty", "sdn", "bhd", "pte", "s.a", "a/s", "l.l.c", "x.",
             ".", "..", "company", "corp.", "ab", "se", "12", *LEGAL_FORMS]


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(KEY_WORDS), min_size=1, max_size=6))
def test_legal_forms_dropped_by_words_as_by_the_expression(words):
    key = " ".join(words)  # lower-case ASCII, single spaces, no comma: victim_key's word path
    assert aliases._drop_form(key) == aliases._drop_form_rx(key)
    previous, expected = None, aliases.TRUNCATION.sub("", key).strip()
    while previous != expected:
        previous, expected = expected, aliases._drop_form_rx(expected).strip(" ,.")
    assert victim_key(key) == expected


def test_read_posts_rows_agree_with_tidy_victim(posts):
    """Each row names the victim its title does, but for a cut title completed by the same
    actor's complete name (test_a_cut_name_joins_...)."""
    rows = zip(posts["post_title"], posts["victim"], posts["victim_key"], strict=True)
    differ = [(t, v) for t, v, k in rows if tidy_victim(t) != (v, k)]
    assert differ and all(tidy_victim(t)[0].endswith("…") and not v.endswith("…") for t, v in differ)
    assert all(v.casefold().replace("www.", "").startswith(tidy_victim(t)[1][:5]) or v == "Continental"
               for t, v in differ)
    assert posts["announcement"].tolist() == [is_announcement(t) for t in posts["post_title"]]


def test_posts_of_one_instant_ordered_by_actor_then_victim(tmp_path):
    at = "2023-05-01 10:00:00.000000"
    records = [{"post_title": t, "group_name": g, "discovered": d} for t, g, d in [
        ("Zeta Corp", "lockbit3", at), ("Alpha", "play", at), ("Beta", "lockbit2", at),
        ("Early", "play", "2023-04-30 09:00:00.000000"), ("Beta Ltd", "lockbit3", at)]]
    posts = read_posts(_live(tmp_path, records))
    assert posts[["actor", "victim_key", "count"]].values.tolist() == [
        ["Play", "early", 1], ["LockBit", "beta", 2], ["LockBit", "zeta", 1], ["Play", "alpha", 1]]
    assert posts.loc[1, "post_title"] == "Beta"  # the first post of a collapsed claim is kept


def test_non_text_titles_and_separators_in_titles(tmp_path):
    records = [{"post_title": t, "group_name": "play", "discovered": f"2023-05-0{i + 1} 10:00:00"}
               for i, t in enumerate([12345, ["a", "b"], "two\nlines", "Hello&nbsp;World"])]
    posts = read_posts(_live(tmp_path, records))
    # a title is one line: the newline is tamed at the door
    assert posts["post_title"].tolist() == ["12345", "['a', 'b']", "two lines", "Hello&nbsp;World"]
    assert posts["victim"].tolist() == ["12345", "['a', 'b']", "two lines", "Hello World"]
    assert posts["announcement"].tolist() == [False, False, False, True]


def test_feed_without_posts_gives_an_empty_table(tmp_path):
    csv = tmp_path / "empty.csv"
    csv.write_text("post_title,group_name,discovered\n", encoding="utf-8")
    posts = read_posts(csv)
    assert list(posts.columns) == list(POSTS_COLUMNS) and len(posts) == 0
    assert (str(posts["date"].dtype), str(posts["count"].dtype)) == ("datetime64[ns, UTC]", "int64")


def test_a_field_that_first_appears_late_is_read(tmp_path):
    records = [{"post_title": f"Victim {i}", "group_name": "play", "discovered": "2024-01-02 10:00:00"}
               for i in range(1500)]
    records[1400]["country"] = "GB"  # only one post of the feed carries a country
    posts = read_posts(_live(tmp_path, records, "late.json"))
    assert posts.loc[posts["victim"].eq("Victim 1400"), "country"].tolist() == ["GB"]
    assert posts["country"].eq("").sum() == 1499


# --- victims tidied right: one test per way real feeds get it wrong --------------------------------

def test_a_cut_url_keeps_what_it_shows_and_says_it_was_cut(posts):
    by_title = posts.drop_duplicates("post_title").set_index("post_title")
    assert by_title.loc["https://www.nov...", "victim"] == "www.nov…"  # not the stub "nov"
    stubs = posts[posts["victim"].str.len().le(4) & posts["post_title"].str.endswith("...")]
    assert stubs.empty


def test_a_cut_name_joins_the_one_complete_name_of_the_same_actor(posts):
    by_title = posts.drop_duplicates("post_title").set_index("post_title")
    assert by_title.loc["www.continental...", "victim"] == "Continental"  # the curated victim
    assert by_title.loc["www.psomagen.co...", "victim"] == "psomagen.com"
    # still cut where nothing completes it, or where too little is left to say
    assert by_title.loc["hammer-poznan.p...", "victim"] == "hammer-poznan.p…"


def test_www_means_the_same_cut_short_or_not():
    assert tidy_victim("www.acme-corp.co...")[1] == tidy_victim("acme-corp.co...")[1] == "acme-corp.co"
    assert tidy_victim("www.acme-corp.com")[1] == tidy_victim("acme-corp.com")[1] == "acme-corp.com"


def test_redacted_names_are_never_merged_with_each_other(posts):
    bianlian = posts[posts["actor"].eq("BianLian") & posts["post_title"].str.contains(r"\*\*")]
    assert bianlian["post_title"].nunique() == bianlian["victim_key"].nunique() > 50
    assert tidy_victim("C******* S*****")[1] != tidy_victim("C*** S***")[1]


@pytest.mark.parametrize(("title", "victim"), [
    ("Leaks from company Acme Widgets", "Acme Widgets"),
    ("{UPD} Acme Widgets", "Acme Widgets"), ("Update: Acme Widgets", "Acme Widgets"),
    ("Attention, Acme Widgets updated", "Acme Widgets"),
    ("Acme Widgets Full Leak", "Acme Widgets"), ("Acme Widgets (with data)", "Acme Widgets"),
    ("Acme Widgets (UPDATE)", "Acme Widgets"), ("ACME WIDGETS FILES PART4 PUBLISHED", "ACME WIDGETS"),
    ("Acme Widgets / Data on sale", "Acme Widgets"), ("Acme Widgets. Part 2.", "Acme Widgets"),
    ("Acme Widgets - leaked", "Acme Widgets"), ("Acme Widgets / Information updated", "Acme Widgets"),
    ("Acme Widgets will be leaked in 3 Days", "Acme Widgets"),
    ("{UPD} Acme Widgets (with data) Full Leak", "Acme Widgets"),  # every layer
    ("Part Time Staffing", "Part Time Staffing"), ("Leaky Roof Repairs", "Leaky Roof Repairs"),
])
def test_decoration_is_stripped_by_the_listed_rules(title, victim):
    assert tidy_victim(title)[0] == victim


def test_every_decoration_rule_has_a_tested_example():
    import re

    from analystkit.io.leaksites import ANNOUNCEMENT_RULES, DECORATION_RULES

    for where, pattern, hint, example in DECORATION_RULES:
        assert re.search(hint, example.lower()), (pattern, example)  # the bulk path finds it
        assert where in ("prefix", "suffix")
    for pattern, hint, example in ANNOUNCEMENT_RULES:
        assert re.search(pattern, example.split(" / ")[0], re.IGNORECASE), (pattern, example)
        assert not hint or re.search(hint, example.split(" / ")[0].lower()), (hint, example)
