"""What the benchmark scripts share: child-process measuring, synthetic inputs, the table, the JSON.

Measuring. Every measured job runs in a fresh interpreter (``multiprocessing`` "spawn"), so its
memory is its own and not what an earlier job or the parent left behind. The wall time is
``time.perf_counter`` around the job only (the child's imports and the making of its inputs are
not counted). The peak memory is the child's peak resident set size, read one way for every
script by :func:`peak_mb`: ``VmHWM`` in ``/proc/self/status`` (``ru_maxrss`` where there is no
/proc). It covers the whole child: interpreter, libraries, inputs and the job.

    in_child(fn, *args)            -> (fn's return value, child's peak MB)
    measure(job, *args, setup=, repeat=) -> Measure(times, peak_mb, values, setup_s); .seconds = best

Inputs. ``synthetic_events`` (a validated-schema events table), ``synthetic_posts`` (a posts table
in the kit's columns), ``ransomwatch_feed`` / ``write_feed`` (a dirty ransomwatch ``posts.json``),
``stix_bundle`` / ``write_bundle`` (a STIX 2.1 bundle), ``CASE`` (the Royal Mail case folder) and
``png`` (a figure rendered to PNG bytes).

Reporting. ``Row`` is one figure: kit and baseline seconds and peak MB, their ratio and the
targets (``target_ratio`` on kit/baseline, ``target_s`` and ``target_mb`` on the kit's own
figures). ``Report`` prints the rows as a table as they come, writes them with the python and
library versions and the date to ``benchmarks/results/<script>.json`` and, with ``--check``,
turns missed targets into one line each and exit status 1. ``arguments`` is the scripts' common
command line (``--quick``, ``--check``).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import platform
import resource
import sys
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
#: The curated Royal Mail case, used by the timeline, explorer and interop benchmarks.
CASE = ROOT / "data" / "cases" / "royal-mail-2023"
#: What the peak memory figures are, written into every JSON file.
MEMORY = ("peak resident set size of the job's own child process (VmHWM, /proc/self/status), "
          "interpreter, libraries and inputs included")


# -- measuring -------------------------------------------------------------------------------
def peak_mb() -> float:
    """This process's peak resident set size, in MiB.

    ``VmHWM`` is the high-water mark of this interpreter's own memory. ``ru_maxrss`` is not, in a
    child started by fork + exec: it keeps the parent's resident size at the fork. It is only
    the fallback where there is no /proc (macOS reports it in bytes).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _child_main(conn, fn, args: tuple, kwargs: dict) -> None:
    try:
        value = fn(*args, **kwargs)
        conn.send((True, value, peak_mb()))
    except BaseException:
        conn.send((False, traceback.format_exc(), peak_mb()))
    finally:
        conn.close()


def in_child(fn, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` in a fresh interpreter: its return value and the child's peak MiB.

    ``fn``, the arguments and the value travel by pickle: ``fn`` must be a module-level function
    (or a ``functools.partial`` of one) of an importable module or of the running script.
    """
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(send, fn, args, kwargs))
    child.start()
    send.close()
    try:
        ok, value, peak = receive.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"{getattr(fn, '__name__', fn)} died in its child process "
                           f"(exit code {child.exitcode})") from None
    child.join()
    if not ok:
        raise RuntimeError(f"{getattr(fn, '__name__', fn)} failed in its child process:\n{value}")
    return value, peak


@dataclass
class Measure:
    """One job measured in its own child: every run's seconds, the child's peak, what it returned."""

    times: list[float]
    peak_mb: float
    values: list[Any]
    setup_s: float = 0.0

    @property
    def seconds(self) -> float:
        """The best (shortest) run."""
        return min(self.times)

    @property
    def mean(self) -> float:
        return sum(self.times) / len(self.times)


def _timed_runs(job, args: tuple, setup, repeat: int) -> tuple[list[float], list[Any], float]:
    start = time.perf_counter()
    inputs = (setup(), *args) if setup is not None else args
    setup_s = time.perf_counter() - start
    times, values = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        values.append(job(*inputs))
        times.append(time.perf_counter() - start)
    return times, values, setup_s


def measure(job, *args: Any, setup=None, repeat: int = 1) -> Measure:
    """Time ``job`` ``repeat`` times in one fresh child process.

    The job is called as ``job(setup(), *args)`` when ``setup`` is given (its input made in the
    child, not timed: ``Measure.setup_s``), else as ``job(*args)``.
    """
    (times, values, setup_s), peak = in_child(_timed_runs, job, args, setup, repeat)
    return Measure(times, peak, values, setup_s)


def seconds(fn, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and its wall time, for steps timed one by one inside a child."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def png(fig) -> int:
    """Render a matplotlib figure to PNG (100 dpi, no software stamp) and close it; the byte count."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    if fig.canvas.manager is not None:  # a pyplot figure: let pyplot forget it
        import matplotlib.pyplot as plt

        plt.close(fig)
    return len(buffer.getvalue())


# -- synthetic inputs ------------------------------------------------------------------------
def _zipf_choice(rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    """``n`` draws from ``k`` items with Zipf-like weights 1 / rank^1.1 (a few big groups)."""
    weights = 1 / np.arange(1, k + 1) ** 1.1
    return rng.choice(k, size=n, p=weights / weights.sum())


def synthetic_events(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` events over 2022–2024 in the events schema: 30 % periods, every category and status."""
    from analystkit.schema import CATEGORIES, STATUSES

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3 * 365 * 24, n), unit="h")
    is_period = rng.random(n) < 0.3
    end = start + pd.to_timedelta(rng.integers(1, 30 * 24, n), unit="h")
    frame = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n)], "incident": "synthetic",
        "start": start, "end": end.where(is_period, pd.NaT), "ongoing": False,
        "precision": "exact", "end_precision": "",
        "category": rng.choice(CATEGORIES, n), "title": "event",
        "status": rng.choice(STATUSES, n), "sources": [("s1",)] * n, "tlp": "clear"})
    frame["end_precision"] = np.where(is_period, "exact", "")
    return frame


def synthetic_posts(n: int, seed: int, *, start: str = "2021-01-01", days: int = 3 * 365) -> pd.DataFrame:
    """A posts table (the kit's columns, oldest first) of ``n`` claims by 100 Zipf-sized actors.

    Dates are uniform over ``days`` days from ``start`` (UTC, whole seconds); every claim names
    its own random victim; country and sector are drawn from a few values and blanks.
    """
    from analystkit.schema import POSTS_COLUMNS

    rng = np.random.default_rng(seed)
    actors = np.array([f"group{i:03d}" for i in range(100)])[_zipf_choice(rng, 100, n)]
    dates = pd.Timestamp(start, tz="UTC") + pd.to_timedelta(rng.integers(0, days * 86400, n), unit="s")
    victims = np.char.add("victim-", rng.integers(0, n, n).astype(str))
    frame = pd.DataFrame({
        "date": dates, "actor": actors, "group_name": actors, "victim": victims,
        "victim_key": victims, "post_title": victims, "count": 1, "announcement": False,
        "country": rng.choice(np.array(["US", "GB", "DE", "FR", "IT", "CA", "AU", ""]), n),
        "sector": rng.choice(np.array(["healthcare", "manufacturing", "technology", "retail", ""]), n),
        "website": "", "feed": "ransomwatch"})
    return frame[list(POSTS_COLUMNS)].sort_values("date", kind="stable").reset_index(drop=True)


#: Real ransomwatch group spellings (the alias table merges some of them) and victim-name words.
FEED_GROUPS = ["lockbit3", "lockbit2", "alphv", "blackcat", "clop", "conti", "royal", "play",
               "bianlian", "blackbasta", "8base", "akira", "medusa", "hiveleak", "vicesociety", "pysa",
               "revil"]
FEED_WORDS = ["North", "Valley", "Global", "Metal", "Health", "Group", "Logistics", "Systems", "Dental",
              "County", "Foods", "Legal", "Partners", "Energy", "Bank", "Clinic", "Press", "Motors"]


def ransomwatch_feed(n: int, seed: int = 7) -> list[dict]:
    """``n`` ransomwatch-format posts with realistic skew and dirt.

    Zipf-distributed groups (the real spellings plus 400 more), 93 % as many victims as posts
    (so some are re-posted), titles as bare domains, truncated with "...", with an HTML entity or
    a legal form, and an "Announcement" every 997 posts; dates over 2021–2023.
    """
    rng = np.random.default_rng(seed)
    groups = FEED_GROUPS + [f"group{i:03d}" for i in range(400)]
    g = _zipf_choice(rng, len(groups), n)
    n_victims = int(n * 0.93)
    vid = rng.integers(0, n_victims, size=n)
    words = np.array(FEED_WORDS)
    w1, w2 = rng.integers(0, len(FEED_WORDS), size=(2, n_victims))
    names = [f"{words[a]} {words[b]} {i}" for i, (a, b) in enumerate(zip(w1, w2, strict=True))]
    style = rng.integers(0, 10, size=n)
    secs = rng.integers(0, 3 * 365 * 86400, size=n)
    dates = (np.datetime64("2021-01-01T00:00:00") + secs.astype("timedelta64[s]")).astype(str)
    posts = []
    for i in range(n):
        name = names[vid[i]]
        s = style[i]
        if s == 0:
            title = name.replace(" ", "").lower() + ".com"
        elif s == 1:
            title = name[:15] + "..."
        elif s == 2:
            title = name.replace(" ", " &amp; ", 1)
        else:
            title = name + (" Inc." if s == 3 else "")
        posts.append({"post_title": title, "group_name": groups[g[i]],
                      "discovered": dates[i].replace("T", " ") + ".000000"})
    for i in range(0, n, 997):
        posts[i]["post_title"] = "Announcement"
    return posts


def write_feed(path: Path, n: int, seed: int = 7) -> Path:
    """Write :func:`ransomwatch_feed` to ``path`` (a ransomwatch ``posts.json``)."""
    path.write_text(json.dumps(ransomwatch_feed(n, seed)), encoding="utf-8")
    return path


_NAMESPACE = uuid.UUID("5d1b8f2e-6a43-4c1e-9a55-0b1e6c3f7a21")  # the benchmarks' own uuid5 space


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def stix_bundle(n: int) -> dict:
    """A STIX 2.1 bundle of ``n`` objects: one intrusion set, (n-1)/2 victim identities and as
    many ``targets`` relationships from it (deterministic uuid5 ids)."""
    stamp = "2023-01-01T00:00:00.000Z"
    common = {"spec_version": "2.1", "created": stamp, "modified": stamp}
    actor = {"type": "intrusion-set", "id": f"intrusion-set--{_uuid('bench')}", **common,
             "name": "LockBit"}
    objects = [actor]
    for i in range((n - 1) // 2):
        victim = {"type": "identity", "id": f"identity--{_uuid('victim', i)}", **common,
                  "name": f"Victim {i}", "identity_class": "organization", "sectors": ["healthcare"]}
        objects.append(victim)
        objects.append({"type": "relationship", "id": f"relationship--{_uuid('rel', i)}", **common,
                        "relationship_type": "targets", "source_ref": actor["id"],
                        "target_ref": victim["id"], "confidence": 85,
                        "start_time": "2023-02-07T05:11:14.000Z"})
    return {"type": "bundle", "id": f"bundle--{_uuid('b')}", "objects": objects}


def write_bundle(path: Path, n: int) -> Path:
    """Write :func:`stix_bundle` to ``path``."""
    path.write_text(json.dumps(stix_bundle(n)), encoding="utf-8")
    return path


# -- reporting -------------------------------------------------------------------------------
def arguments(doc: str, quick: str) -> argparse.ArgumentParser:
    """The common command line: the docstring's first line, ``--quick`` (what it does) and ``--check``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"a small run: {quick}")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1, one line per missed target, when a target is missed")
    return parser


@dataclass
class Row:
    """One figure of a benchmark: the kit's job beside its baseline, and the targets it must meet."""

    job: str
    size: int
    kit_s: float
    baseline_s: float | None = None
    peak_mb: float | None = None
    baseline_peak_mb: float | None = None
    target_ratio: float | None = None  # kit_s / baseline_s at most this
    target_s: float | None = None  # kit_s under this
    target_mb: float | None = None  # peak_mb under this
    note: str = ""
    missed: list[str] = field(init=False)

    def __post_init__(self) -> None:
        where = f"{self.job} at {self.size:,}"
        self.missed = []
        ratio = self.ratio
        if self.target_ratio is not None and ratio is not None and ratio > self.target_ratio:
            self.missed.append(f"{where}: ratio {ratio:.2f}x above the {self.target_ratio:g}x target "
                               f"(kit {self.kit_s:.3f} s, baseline {self.baseline_s:.3f} s)")
        if self.target_s is not None and self.kit_s >= self.target_s:
            self.missed.append(f"{where}: {self.kit_s:.3f} s, not under the {self.target_s:g} s target")
        if self.target_mb is not None and self.peak_mb is not None and self.peak_mb >= self.target_mb:
            self.missed.append(f"{where}: peak {self.peak_mb:,.0f} MB, not under the "
                               f"{self.target_mb:,.0f} MB target")

    @property
    def ratio(self) -> float | None:
        return self.kit_s / self.baseline_s if self.baseline_s else None

    @property
    def target(self) -> str:
        parts = []
        if self.target_ratio is not None:
            parts.append(f"<={self.target_ratio:g}x")
        if self.target_s is not None:
            parts.append(f"<{self.target_s:g} s")
        if self.target_mb is not None:
            parts.append(f"<{self.target_mb / 1024:g} GB" if self.target_mb >= 1024
                         else f"<{self.target_mb:g} MB")
        return ", ".join(parts) or "-"

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(ratio=self.ratio, target=self.target, passed=not self.missed)
        return out


def _num(value: float | None, spec: str, width: int) -> str:
    return f"{value:{width}{spec}}" if value is not None else f"{'-':>{width}}"


class Report:
    """Rows printed as a table as they come; the JSON results file; the ``--check`` verdict."""

    HEADER = (f"{'job':<38}{'size':>11}{'kit s':>9}{'base s':>9}{'ratio':>8}{'kit MB':>9}"
              f"{'base MB':>9}  {'target':<22}result")

    def __init__(self, script: str, args: argparse.Namespace, libraries: tuple[str, ...],
                 timing: str) -> None:
        self.script, self.args, self.timing = script, args, timing
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.versions = {"python": platform.python_version(),
                         **{name: _version(name) for name in ("analystkit", *libraries)}}
        print(", ".join(f"{k} {v}" for k, v in self.versions.items()) + f"; {platform.machine()}, "
              f"{multiprocessing.cpu_count()} cpus")
        print(f"{timing}; peak MB = {MEMORY}\n")
        self._header_due = True

    def add(self, row: Row) -> Row:
        if self._header_due:
            print(self.HEADER)
            self._header_due = False
        self.rows.append(row)
        ratio = f"{row.ratio:7.2f}x" if row.ratio is not None else f"{'-':>8}"
        verdict = ("MISSED" if row.missed else "met") if row.target != "-" else ""
        print(f"{row.job:<38}{row.size:>11,}{row.kit_s:>9.3f}{_num(row.baseline_s, '.3f', 9)}{ratio}"
              f"{_num(row.peak_mb, ',.0f', 9)}{_num(row.baseline_peak_mb, ',.0f', 9)}  "
              f"{row.target:<22}{verdict}")
        if row.note:
            print(f"    {row.note}")
        return row

    def note(self, text: str, *, header: bool = True) -> None:
        """Context (printed now, kept in the JSON's ``notes``); ``header``: the next row repeats it."""
        self.notes.append(text)
        print(text)
        self._header_due = self._header_due or header

    def write(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.script}.json"
        data = {"script": self.script, "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "argv": sys.argv[1:], "quick": bool(getattr(self.args, "quick", False)),
                "versions": self.versions, "machine": platform.machine(),
                "cpus": multiprocessing.cpu_count(), "timing": self.timing, "memory": MEMORY,
                "passed": not self.missed, "results": [row.record() for row in self.rows],
                "notes": self.notes}
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @property
    def missed(self) -> list[str]:
        return [reason for row in self.rows for reason in row.missed]

    def finish(self) -> int:
        """Write the JSON file; the exit status: 1 when ``--check`` is on and a target was missed."""
        path = self.write()
        missed = self.missed
        print(f"\n{len(self.rows)} figures, {len(missed)} missed targets; written to "
              f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        if missed and self.args.check:
            for reason in missed:
                print(f"MISSED {self.script}: {reason}", file=sys.stderr)
            return 1
        return 0


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"
