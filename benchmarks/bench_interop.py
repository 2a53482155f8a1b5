"""Reading a large STIX bundle: analystkit.io.stix.read against json.load + stix2.parse.

Both sides read the same bundle file (one intrusion set, N/2 victim identities, N/2 ``targets``
relationships). The kit's figure includes checking every object and building the validated case
tables; the baseline only parses the objects with the reference library. Time is measured
without tracing, then peak Python memory with tracemalloc in a second pass of each job.

Run: ``.venv/bin/python benchmarks/bench_interop.py [--objects 100000]``
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from analystkit.io import misp, stix
from analystkit.io._common import stable_uuid


def write_bundle(path: Path, n: int) -> None:
    stamp = "2023-01-01T00:00:00.000Z"
    common = {"spec_version": "2.1", "created": stamp, "modified": stamp}
    actor = {"type": "intrusion-set", "id": f"intrusion-set--{stable_uuid('bench')}", **common,
             "name": "LockBit"}
    objects = [actor]
    for i in range((n - 1) // 2):
        victim = {"type": "identity", "id": f"identity--{stable_uuid('victim', i)}", **common,
                  "name": f"Victim {i}", "identity_class": "organization", "sectors": ["healthcare"]}
        objects.append(victim)
        objects.append({"type": "relationship", "id": f"relationship--{stable_uuid('rel', i)}", **common,
                        "relationship_type": "targets", "source_ref": actor["id"],
                        "target_ref": victim["id"], "confidence": 85,
                        "start_time": "2023-02-07T05:11:14.000Z"})
    path.write_text(json.dumps({"type": "bundle", "id": f"bundle--{stable_uuid('b')}",
                                "objects": objects}))


def kit(path: Path) -> int:
    return len(stix.read(path).relations)


def baseline(path: Path) -> int:
    import stix2

    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return len(stix2.parse(data, allow_custom=True).objects)


def measure(job, path: Path) -> tuple[float, float]:
    start = time.perf_counter()
    job(path)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    job(path)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        write_bundle(path, args.objects)
        size = path.stat().st_size / 2**20
        print(f"bundle: {args.objects:,} objects, {size:.1f} MiB")
        k_time, k_peak = measure(kit, path)
        b_time, b_peak = measure(baseline, path)
    print(f"{'job':<40}{'seconds':>10}{'peak MiB':>12}")
    print(f"{'analystkit stix.read -> Case':<40}{k_time:>10.2f}{k_peak:>12.1f}")
    print(f"{'json.load + stix2.parse (baseline)':<40}{b_time:>10.2f}{b_peak:>12.1f}")
    print(f"ratio kit/baseline: time {k_time / b_time:.2f}x, peak memory {k_peak / b_peak:.2f}x")
    from analystkit import load_case

    case = load_case(Path(__file__).resolve().parents[1] / "data" / "cases" / "royal-mail-2023")
    for name, job in (("stix.to_bundle(royal-mail)", stix.to_bundle),
                      ("misp.to_event(royal-mail)", misp.to_event)):
        start = time.perf_counter()
        for _ in range(20):
            job(case)
        print(f"{name:<40}{(time.perf_counter() - start) / 20 * 1000:>10.1f} ms per export")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
