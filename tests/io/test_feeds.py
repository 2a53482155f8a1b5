"""The feed cache against a real HTTP server on 127.0.0.1 (tests/feedserver.py) serving the shared
samples: full download, not modified, resumed and discarded downloads, server errors, bodies that
are not feeds, no connection; reading a snapshot folder with each post once."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest
from feedserver import FeedServer

from analystkit.io.download import DownloadError
from analystkit.io.feeds import FeedError, latest_snapshot, pull_feed, snapshots
from analystkit.io.leaksites import read_posts

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "leaksites"
WATCH = SAMPLES / "ransomwatch_posts_2023-08-19.json"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def served(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(WATCH, root / "posts.json")
    with FeedServer(root) as server:
        yield server


def _folder(cache: Path, name: str = "ransomwatch") -> Path:
    return cache / "feeds" / name


def _leftovers(cache: Path, name: str = "ransomwatch") -> list[str]:
    return sorted(p.name for p in _folder(cache, name).iterdir() if not p.name.endswith(".parquet"))


def test_full_download_makes_a_snapshot_that_reads_as_the_feed(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    pull = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False)
    assert pull.status == "new" and pull.snapshot.posts == 7354
    assert pull.snapshot.path.parent == _folder(cache) and pull.snapshot.path.suffix == ".parquet"
    assert _leftovers(cache) == ["state.json"]  # no part, no temporary file
    from_cache, from_file = read_posts(_folder(cache)), read_posts(WATCH)
    pd.testing.assert_frame_equal(from_cache, from_file)
    assert latest_snapshot(cache) == pull.snapshot


def test_a_second_pull_asks_conditionally_and_stores_nothing_new(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    first = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False)
    again = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False)
    assert again.status == "not-modified" and again.snapshot == first.snapshot
    assert served.requests[-1][1]["If-None-Match"] == first.fetched.etag
    assert len(snapshots(cache)) == 1


def test_new_posts_make_a_second_snapshot_and_each_post_is_read_once(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    url = served.url("posts.json")
    pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    records = json.loads(WATCH.read_text(encoding="utf-8"))
    extra = [{"post_title": "examplefreight.com.au", "group_name": "lockbit3",
              "discovered": "2023-08-20 10:00:00.000000"}]
    (served.root / "posts.json").write_text(json.dumps(records + extra), encoding="utf-8")
    second = pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    assert second.status == "new" and len(snapshots(cache, feed="ransomwatch")) == 2
    both = tmp_path / "both.json"
    both.write_text(json.dumps(records + extra), encoding="utf-8")
    folder, whole = read_posts(_folder(cache)), read_posts(both)
    pd.testing.assert_frame_equal(folder, whole)  # 7,354 old posts once, not twice
    assert folder["count"].sum() == len(records) + 1


def test_an_interrupted_download_is_resumed_from_where_it_stopped(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    url = served.url("cut-once/posts.json")
    with pytest.raises(DownloadError, match=r"interrupted after .* bytes.*part is kept: run the same"):
        pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    assert snapshots(cache) == []
    kept = (_folder(cache) / "download.part").stat().st_size
    assert 0 < kept < WATCH.stat().st_size
    pull = pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    asked = served.requests[-1][1]
    assert asked["Range"] == f"bytes={kept}-" and asked["If-Range"].startswith('"')
    assert pull.status == "new" and pull.fetched.resumed_at == kept
    assert pull.fetched.size == WATCH.stat().st_size and pull.snapshot.posts == 7354
    assert _leftovers(cache) == ["state.json"]


def test_an_interrupted_download_the_server_cannot_resume_is_discarded(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="cannot resume it, so the part was discarded"):
        pull_feed("ransomwatch", url=served.url("cut-norange/posts.json"), cache=cache, progress=False)
    assert _leftovers(cache) == [] and snapshots(cache) == []


def test_a_server_error_leaves_the_cache_as_it_was(served: FeedServer, tmp_path: Path):
    cache = tmp_path / "cache"
    good = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False)
    before = good.snapshot.path.read_bytes()
    with pytest.raises(DownloadError, match=r"answered 500 Internal Server Error; nothing was written"):
        pull_feed("ransomwatch", url=served.url("error/posts.json"), cache=cache, progress=False)
    assert snapshots(cache) == [good.snapshot] and good.snapshot.path.read_bytes() == before


@pytest.mark.parametrize(("body", "said"), [
    ('[{"post_title": "x", "group_name": "y", "discovered": "2023-01-0', "not valid JSON"),
    ("<html><body>Just a moment...</body></html>", "not valid JSON"),
    ('{"error": "rate limited"}', "expected an array of posts|holds a JSON object"),
    ('[{"name": "lockbit3", "locations": []}]', "has no group, title or date field"),
])
def test_a_body_that_is_not_a_feed_is_refused_and_not_stored(served: FeedServer, tmp_path: Path,
                                                             body: str, said: str):
    (served.root / "bad.json").write_text(body, encoding="utf-8")
    cache = tmp_path / "cache"
    with pytest.raises(FeedError, match=f"bad.json: the answer is not a leak-site posts feed: .*({said})"):
        pull_feed("ransomwatch", url=served.url("bad.json"), cache=cache, progress=False)
    assert snapshots(cache) == [] and _leftovers(cache) == []


def test_no_connection_is_one_clear_error(tmp_path: Path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match=r"cannot reach 127.0.0.1 \(.*\); check the connection"):
        pull_feed("ransomwatch", url=f"http://127.0.0.1:{port}/posts.json", cache=tmp_path, progress=False)
    assert snapshots(tmp_path) == []


def test_unknown_feeds_and_empty_folders_say_what_to_do(tmp_path: Path):
    with pytest.raises(FeedError, match=r"unknown feed 'nope': pull one of ransomwatch, ransomware\.live"):
        pull_feed("nope", cache=tmp_path)
    empty = tmp_path / "feeds" / "ransomwatch"
    empty.mkdir(parents=True)
    with pytest.raises(FeedError, match="no feed snapshot here; `analystkit feeds pull NAME`"):
        read_posts(empty)


def test_snapshots_of_a_v2_feed_keep_every_field(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(DATA / "ransomwarelive_v2.json", root / "recentvictims")
    with FeedServer(root) as server:
        pull = pull_feed("ransomware.live", url=server.url("recentvictims"), cache=tmp_path, progress=False)
    import pyarrow.parquet as pq

    stored = pq.read_table(pull.snapshot.path).to_pylist()
    assert stored[0]["infostealer"] == '{"employees": 3, "users": 0}'  # nested values as JSON text
    posts = read_posts(_folder(tmp_path, "ransomware.live"), date="attackdate")
    direct = read_posts(DATA / "ransomwarelive_v2.json", date="attackdate")
    pd.testing.assert_frame_equal(posts, direct)


def test_the_command_pulls_lists_and_fails_in_one_line(served: FeedServer, tmp_path: Path, capsys):
    from analystkit.cli import main

    cache = tmp_path / "cache"
    assert main(["feeds", "pull", "ransomwatch", "--url", served.url("posts.json"), "--cache", str(cache),
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("analystkit: ransomwatch: new ransomwatch snapshot of ") and "(7,354 posts)" in err
    assert main(["feeds", "pull", "ransomwatch", "--url", served.url("posts.json"), "--cache", str(cache),
                 "--quiet"]) == 0
    assert "not-modified: keeping the ransomwatch snapshot" in capsys.readouterr().err
    assert main(["feeds", "list", "--cache", str(cache)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].endswith(".parquet") and "(7,354 posts)" in out[0]
    assert main(["feeds", "pull", "ransomwatch", "--url", served.url("error/posts.json"),
                 "--cache", str(cache), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "answered 500" in err and "Traceback" not in err


def test_the_brief_takes_the_newest_snapshot_and_says_which(served: FeedServer, tmp_path: Path, capsys):
    from analystkit.cli import main

    cache = tmp_path / "cache"
    out = tmp_path / "pack"
    assert main(["brief", "royal-mail-2023", "--tlp", "clear", "--out", str(out), "--cache", str(cache),
                 "--charts", "activity"]) == 0
    err = capsys.readouterr().err
    assert "no feed named and no feed snapshot in" in err and "`analystkit feeds pull ransomwatch`" in err
    assert "without one the pack has no activity chart" in err
    assert not (out / "activity.png").exists()
    snap = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False).snapshot
    assert main(["brief", "royal-mail-2023", "--tlp", "clear", "--out", str(out), "--cache", str(cache),
                 "--charts", "activity"]) == 0
    err = capsys.readouterr().err
    assert f"reading the newest cached snapshot, the {snap.describe()}" in err
    facts = (out / "sources.csv").read_text(encoding="utf-8") if (out / "sources.csv").exists() else ""
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert f"leak-site posts: the {snap.describe()}" in html + facts


@pytest.mark.slow
def test_the_landscape_notebook_reads_the_newest_snapshot(served: FeedServer, tmp_path: Path, monkeypatch):
    from test_notebooks import ROOT, execute, outputs_text

    cache = tmp_path / "cache"
    snap = pull_feed("ransomwatch", url=served.url("posts.json"), cache=cache, progress=False).snapshot
    monkeypatch.setenv("ANALYSTKIT_CACHE", str(cache))  # the kernel inherits it
    nb = execute(ROOT / "notebooks" / "04-leaksite-landscape.ipynb", POSTS=None,
                 OUTPUT_DIR=str(tmp_path / "out"))
    text = outputs_text(nb)
    assert f"reading the {snap.describe()}" in text
    assert "country known for 11 % of 7,144 victims (11 % inferred)" in text
    assert "sector known for 0 % of 7,144 victims" in text


def test_deleted_snapshots_are_downloaded_again_and_pulls_keep_their_order(served: FeedServer,
                                                                           tmp_path: Path):
    cache = tmp_path / "cache"
    url = served.url("posts.json")
    first = pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    first.snapshot.path.unlink()  # the user cleared the cache's snapshots, not its state
    again = pull_feed("ransomwatch", url=url, cache=cache, progress=False)
    assert again.status == "new" and "If-None-Match" not in served.requests[-1][1]
    records = json.loads(WATCH.read_text(encoding="utf-8"))
    (served.root / "posts.json").write_text(json.dumps(records[:10]), encoding="utf-8")
    last = pull_feed("ransomwatch", url=url, cache=cache, progress=False)  # within the same second
    assert latest_snapshot(cache) == last.snapshot and last.snapshot.posts == 10
    assert [s.posts for s in snapshots(cache)] == [7354, 10]
