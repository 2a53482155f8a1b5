"""Reading a large STIX bundle: analystkit.io.stix.read against json.load + stix2.parse.

Both sides read the same bundle file (one intrusion set, N/2 victim identities, N/2 ``targets``
relationships: ``_bench.stix_bundle``). The kit's figure includes checking every object and
building the validated case tables; the baseline only parses the objects with the reference
library. Each side runs once in its own fresh child process (``_bench.measure``), timed with
``time.perf_counter``; its peak memory is that child's peak resident set size. The Royal Mail
case's STIX and MISP exports are timed beside them (mean of 20, no baseline).

Target: kit ≤ 1.0 × baseline. No figure was ever stated here; this one follows from the comparison
above: the kit does the baseline's work (parse every object) and more (check it, build the case
tables), so not being slower than the reference library's parse alone is the bar it sets. The
exports have no target.

Run: ``.venv/bin/python benchmarks/bench_interop.py [--objects 100000] [--quick] [--check]``;
``--quick`` reads a 10,000-object bundle. Figures go to ``benchmarks/results/bench_interop.json``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import _bench
from _bench import Row, measure

from analystkit import load_case
from analystkit.io import misp, stix

TARGET_RATIO = 1.0
EXPORTS = 20  # runs of each export


def kit(path: Path) -> int:
    return len(stix.read(path).relations)


def baseline(path: Path) -> int:
    import stix2

    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return len(stix2.parse(data, allow_custom=True).objects)


def load_royal_mail():
    return load_case(_bench.CASE)


def main(argv: list[str] | None = None) -> int:
    parser = _bench.arguments(__doc__, "a 10,000-object bundle")
    parser.add_argument("--objects", type=int, help="objects in the bundle (default: 100,000)")
    args = parser.parse_args(argv)
    n = args.objects or (10_000 if args.quick else 100_000)
    report = _bench.Report(Path(__file__).stem, args, ("stix2", "pandas"),
                           "one run of each read, mean of 20 of each export (time.perf_counter); "
                           "each job in its own fresh child")
    with tempfile.TemporaryDirectory() as tmp:
        path = _bench.write_bundle(Path(tmp) / "bundle.json", n)
        report.note(f"bundle: {n:,} objects, {path.stat().st_size / 2**20:.1f} MiB")
        k = measure(kit, path)
        b = measure(baseline, path)
    report.add(Row("stix.read vs json.load + stix2.parse", n, k.seconds, b.seconds,
                   k.peak_mb, b.peak_mb, target_ratio=TARGET_RATIO,
                   note=f"peak memory ratio {k.peak_mb / b.peak_mb:.2f}x"))
    for name, job in (("stix.to_bundle, Royal Mail case", stix.to_bundle),
                      ("misp.to_event, Royal Mail case", misp.to_event)):
        m = measure(job, setup=load_royal_mail, repeat=EXPORTS)
        report.add(Row(name, 1, m.mean, peak_mb=m.peak_mb,
                       note=f"{m.mean * 1000:.1f} ms per export (mean of {EXPORTS})"))
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
