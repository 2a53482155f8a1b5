"""Generated, randomly marked STIX bundles: import → export → re-import → pack, at every level.

The runs per level come from ``ANALYSTKIT_PACK_RUNS`` (default 6 bundles, 30 packs, in the
suite; ``ANALYSTKIT_PACK_RUNS=200`` gives 1,000 packs, about 20 minutes on two cores). Each run
imports the bundle, shares it at one level, writes it out as STIX and reads that back (the way
a case travels between teams), then writes a briefing pack with its timeline and graph charts.
No token of an object marked above the level may appear in any file of the pack or in the
PDF's text.
"""

from __future__ import annotations

import os
import warnings

from hypothesis import HealthCheck, given, settings
from markedbundles import DEFAULT, bundles
from test_pack import pack_text

from analystkit import schema
from analystkit.export import brief
from analystkit.io import stix

RUNS = int(os.environ.get("ANALYSTKIT_PACK_RUNS", "6"))
_ALWAYS = {"type": "report", "spec_version": "2.1", "id": "report--6d1e0bd7-4a55-5c3b-9b4e-8f0c0f0a0b01",
           "created": "2023-02-07T05:11:14.822Z", "modified": "2023-02-07T05:11:14.822Z",
           "published": "2023-02-07T05:11:14.822Z", "name": "Generated report",
           "object_marking_refs": [stix.TLP_MARKINGS["clear"]]}


@settings(max_examples=RUNS, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(drawn=bundles())
def test_no_marking_above_the_level_reaches_a_pack(tmp_path_factory, drawn) -> None:
    bundle, truth = drawn
    report = {**_ALWAYS, "object_refs": [o["id"] for o in bundle["objects"]
                                         if o["type"] in ("identity", "intrusion-set", "threat-actor")]}
    bundle = {**bundle, "objects": [*bundle["objects"], stix.marking_definition("clear"), report]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = stix.read(bundle, tlp=DEFAULT)
        for level in schema.TLP_LEVELS:
            shared, _ = case.at_tlp(level)
            travelled = stix.read(stix.to_bundle(shared), tlp=DEFAULT)
            out = brief(travelled, tmp_path_factory.mktemp(f"pack-{level}"), tlp=level,
                        charts=("timeline", "graph"))
            text = pack_text(out)
            leaked = [t for t, mark in truth.items() if not schema.tlp_allows(mark, level) and t in text]
            assert not leaked, f"at {level}: tokens of objects marked above it: {leaked}"
            if level == "red":  # everything may be shown: the names are there, so the search could fail
                assert any(t in text for t in truth if t.startswith("ntok"))
