"""Property test: generated STIX bundles with random markings never leak above a sharing level.

Each generated bundle holds actors, victims, ``targets`` relationships and a report, each marked
at random with TLP 1.0 or 2.0 ids, OpenCTI-style marking objects with their own ids, markings
the kit cannot read (an undefined id, ``TLP:TEST``), PAP markings and granular markings. Every
object carries a unique token in its name and description. The bundle is imported, reduced with
``Case.at_tlp`` at each level and exported to STIX and MISP; then

* no token of an object whose strictest marking is above the level appears in either export,
* every STIX object's ``object_marking_refs`` and every MISP row's ``tlp:`` tags are within it.
"""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from markedbundles import DEFAULT, bundles, misp_marks, stix_marks

from analystkit import schema
from analystkit.io import misp, stix

_LEVELS = schema.TLP_LEVELS


@pytest.mark.slow  # about 40 s: 220 bundles, each shared at the five levels (1,100 runs)
@settings(max_examples=220, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bundles())
def test_no_marking_above_the_level_leaks_into_any_export(drawn: tuple[dict, dict[str, str]]) -> None:
    bundle, truth = drawn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = stix.read(bundle, tlp=DEFAULT)
    for level in _LEVELS:
        shared, _ = case.at_tlp(level)
        out_stix, out_misp = stix.to_bundle(shared), misp.to_event(shared)["Event"]
        text = json.dumps(out_stix) + json.dumps(out_misp)
        leaked = [t for t, mark in truth.items() if not schema.tlp_allows(mark, level) and t in text]
        assert not leaked, f"at {level}: tokens of objects marked above it: {leaked}"
        assert all(schema.tlp_allows(m, level) for m in stix_marks(out_stix)), level
        assert all(schema.tlp_allows(m, level) for m in misp_marks(out_misp)), level
