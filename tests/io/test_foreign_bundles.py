"""Generated bundles of another producer, with every object type the reader maps: they import,
export strict-valid, keep the producer's ids and times, and reach a fixpoint on the second trip."""

from __future__ import annotations

import json
import uuid
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analystkit.io import stix

stix2validator = pytest.importorskip("stix2validator")

STRICT = {"version": "2.1", "strict": True, "disabled": ["extref-hashes"]}
_TAMED = "".join(map(chr, [*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060,
                           *range(0x2066, 0x206A), 0x061C, 0xFEFF]))
_NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                              blacklist_characters=";" + _TAMED), min_size=1, max_size=16)
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_TAMED),
                min_size=1, max_size=30)
_YEARS = st.integers(2005, 2029)
_TLP2 = {"clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
         "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
         "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
         "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}


def _stamp(draw: st.DrawFn) -> str:
    year, day = draw(_YEARS), draw(st.integers(1, 28))
    return f"{year}-{draw(st.integers(1, 12)):02d}-{day:02d}T{draw(st.integers(0, 23)):02d}:00:00.000Z"


@st.composite
def bundles(draw: st.DrawFn) -> dict:
    """A bundle another tool could write: actors, victims, malware, a tool, an attack pattern,
    a location, their relationships, a campaign, a sighting, a note, an opinion and a report,
    each object marked TLP:CLEAR, GREEN, AMBER or RED (or not marked)."""
    seq = iter(range(10_000))
    names = iter(draw(st.lists(_NAME, min_size=12, max_size=12, unique_by=lambda s: s.casefold())))
    objects: list[dict] = []

    def make(stype: str, **props: object) -> dict:
        created = _stamp(draw)
        obj = {"type": stype, "spec_version": "2.1",
               "id": f"{stype}--{uuid.UUID(int=(next(seq) + 1) * 7919, version=4)}",
               "created": created, "modified": max(created, _stamp(draw)), **props}
        label = draw(st.sampled_from([None, *_TLP2]))
        if label:
            obj["object_marking_refs"] = [_TLP2[label]]
        objects.append(obj)
        return obj

    def link(rtype: str, source: dict, target: dict) -> dict:
        return make("relationship", relationship_type=rtype, source_ref=source["id"],
                    target_ref=target["id"])

    actors = [make(draw(st.sampled_from(["intrusion-set", "threat-actor"])), name=next(names),
                   aliases=draw(st.lists(_NAME, max_size=2, unique=True)) or [],
                   description=draw(_TEXT)) for _ in range(draw(st.integers(1, 2)))]
    for actor in actors:
        if not actor["aliases"]:
            del actor["aliases"]
    victims = [make("identity", name=next(names), identity_class="organization",
                    sectors=[draw(st.sampled_from(["healthcare", "government", "technology"]))])
               for _ in range(draw(st.integers(1, 2)))]
    tools = [make("malware", name=next(names), is_family=True, malware_types=["ransomware"]),
             make("tool", name=next(names), tool_types=["remote-access"]),
             make("attack-pattern", name=next(names),
                  kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "impact"}])]
    place = make("location", name=next(names), country=draw(st.sampled_from(["GB", "US", "FR"])))
    link("located-at", victims[0], place)
    for actor in actors:
        link("targets", actor, draw(st.sampled_from(victims)))
        for used in draw(st.lists(st.sampled_from(tools), min_size=1, max_size=3, unique_by=id)):
            link("uses", actor, used)
    campaign = make("campaign", name=next(names), first_seen=_stamp(draw))
    link("attributed-to", campaign, actors[0])
    link("targets", campaign, victims[0])
    make("sighting", sighting_of_ref=tools[0]["id"], first_seen=_stamp(draw),
         count=draw(st.integers(1, 50)), where_sighted_refs=[victims[-1]["id"]])
    make("note", content=draw(_TEXT), object_refs=[campaign["id"], actors[-1]["id"]])
    make("opinion", opinion=draw(st.sampled_from(["agree", "neutral", "strongly-disagree"])),
         explanation=draw(_TEXT), object_refs=[campaign["id"]])
    if draw(st.booleans()):
        make("report", name=next(names), published=_stamp(draw), report_types=["threat-report"],
             object_refs=[o["id"] for o in objects])
    used_markings = {m for o in objects for m in o.get("object_marking_refs", ())}
    definitions = [{"type": "marking-definition", "spec_version": "2.1", "id": mid,
                    "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{label.upper()}",
                    "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                                   {"extension_type": "property-extension", "tlp_2_0": label}}}
                   for label, mid in _TLP2.items() if mid in used_markings]
    return {"type": "bundle", "id": f"bundle--{uuid.UUID(int=1, version=4)}",
            "objects": [*definitions, *objects]}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles())
def test_a_foreign_bundle_exports_strict_valid_and_reaches_a_fixpoint(bundle: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = stix.read(bundle)
        first = stix.to_bundle(case)
        second_case = stix.read(json.loads(json.dumps(first)))
        second = stix.to_bundle(second_case)
        third_case = stix.read(json.loads(json.dumps(second)))
    assert not case.meta["import"]["skipped"]
    result = stix2validator.validate_instance(first, stix2validator.ValidationOptions(**STRICT))
    assert result.is_valid, [str(e) for e in result.errors][:3]
    for table in ("sources", "entities", "relations", "events"):
        assert second_case.table(table).equals(third_case.table(table)), table
    assert second == stix.to_bundle(third_case)
    # what the producer made keeps its id, created and modified; every campaign, sighting and
    # note is somewhere in the case
    theirs = {o["id"]: o for o in bundle["objects"]}
    for obj in second["objects"]:
        if obj["id"] in theirs and obj["type"] in ("intrusion-set", "threat-actor", "identity",
                                                   "malware", "tool", "attack-pattern"):
            assert (obj["created"], obj["modified"]) == (theirs[obj["id"]]["created"],
                                                         theirs[obj["id"]]["modified"])
    kinds = {o["type"] for o in bundle["objects"]}
    events = set(case.events["event_id"])
    assert {o["id"] for o in bundle["objects"] if o["type"] in ("campaign", "sighting")} <= events
    note = next(o for o in bundle["objects"] if o["type"] == "note")
    assert case.events.set_index("event_id").loc[note["object_refs"][0], "notes"] != ""
    assert {"tool", "attack-pattern"} <= kinds
    assert {n for n in case.entities["name"]} >= {o["name"].strip() for o in bundle["objects"]
                                                  if o["type"] in ("tool", "attack-pattern")}
