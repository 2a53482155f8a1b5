"""Markings survive every path: STIX and MISP markings read into each row, unknown ones refused."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from casefiles import SAMPLES

from analystkit import schema
from analystkit._testing import stable_uuid
from analystkit.io import MarkingWarning, misp, stix

STIX = SAMPLES / "stix"
_S = "2023-02-07T05:11:14.822Z"


def _obj(kind: str, name: str, *marks: str, **props) -> dict:
    obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{stable_uuid(kind, name)}",
           "created": _S, "modified": _S, "name": name, **props}
    if marks:
        obj["object_marking_refs"] = list(marks)
    return obj


def _bundle(*objects: dict) -> dict:
    return {"type": "bundle", "id": f"bundle--{stable_uuid('markings')}", "objects": list(objects)}


def _targets(actor: dict, victim: dict, *marks: str) -> dict:
    rel = _obj("relationship", f"{actor['name']}>{victim['name']}", *marks, relationship_type="targets",
               source_ref=actor["id"], target_ref=victim["id"])
    del rel["name"]
    return rel


def test_a_tlp1_red_threat_actor_stays_red_and_is_not_re_exported_below_it() -> None:
    case = stix.read(STIX / "oasis_cti_documentation" / "using-granular-markings.json")
    marks = dict(zip(case.entities["name"], case.entities["tlp"], strict=True))
    assert marks["The Joker"] == "red" and marks["Gotham National Bank"] == "amber"  # unmarked
    red = stix.to_bundle(case)
    joker = next(o for o in red["objects"] if o.get("name") == "The Joker")
    assert joker["object_marking_refs"] == [stix.TLP_MARKINGS["red"]]
    amber, withheld = case.at_tlp("amber")
    assert withheld["entities"] == 1 and "The Joker" not in json.dumps(stix.to_bundle(amber))
    assert "The Joker" not in json.dumps(misp.to_event(amber))
    assert stix.read(red).entities.set_index("name").loc["The Joker", "tlp"] == "red"


def test_opencti_markings_are_read_from_the_bundle_and_tlp_test_is_restricted() -> None:
    with pytest.warns(MarkingWarning, match=r"78ca4366.*TLP marking 'TLP:TEST'.*made TLP:RED"):
        case = stix.read(STIX / "opencti" / "DATA-TEST-STIX2_v2.json", tlp="clear")
    marks = case.entities.set_index("name")["tlp"]
    assert marks["Allied Universal"] == "clear"  # OpenCTI's TLP:WHITE object (definition_type TLP)
    assert marks["Spelevo EK"] == "red"  # TLP:TEST: never the default 'clear'
    event_marks = case.events.set_index("event_id")["tlp"]
    test_marked = {o["id"] for o in json.loads((STIX / "opencti" / "DATA-TEST-STIX2_v2.json").read_text())[
        "objects"] if "marking-definition--78ca4366-f5b8-4764-83f7-34ce38198e27" in o.get(
        "object_marking_refs", ())}
    red = {e for e in event_marks.index if event_marks[e] == "red"}
    assert red == test_marked & set(event_marks.index) != set()  # campaign, incident, report
    assert case.meta["tlp"] == "red"
    unknown = case.meta["import"]["markings"]["unknown"]
    assert [u["marking"] for u in unknown] == ["marking-definition--78ca4366-f5b8-4764-83f7-34ce38198e27"]
    # the MITRE copyright statement restricts nothing: it is listed, not treated as unknown
    assert "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168" in case.meta["import"]["markings"][
        "statements"]
    # APT41 has only the statement, no marking of its own: it takes the strictest row naming it,
    # the relationship marked TLP:TEST
    assert marks["APT41"] == "red"
    assert set(case.relations.loc[case.relations["source"].eq("APT41"), "tlp"]) == {"clear", "red"}


def test_opencti_amber_strict_and_pap_markings_with_their_own_ids() -> None:
    strict = {"type": "marking-definition", "spec_version": "2.1", "created": _S,
              "id": f"marking-definition--{stable_uuid('strict')}", "definition_type": "TLP",
              "definition": {"TLP": "TLP:AMBER+STRICT"}, "x_opencti_definition": "TLP:AMBER+STRICT"}
    pap = {"type": "marking-definition", "spec_version": "2.1", "created": _S,
           "id": f"marking-definition--{stable_uuid('pap')}", "definition_type": "PAP",
           "definition": {"PAP": "PAP:AMBER"}, "x_opencti_definition": "PAP:AMBER"}
    actor = _obj("intrusion-set", "Zq Crew", strict["id"], pap["id"])
    victim = _obj("identity", "Zq Victim", stix.TLP_MARKINGS["green"], identity_class="organization")
    case = stix.read(_bundle(strict, pap, actor, victim, _targets(actor, victim, stix.TLP_MARKINGS["clear"])))
    assert case.entities.set_index("name")["tlp"].to_dict() == {"Zq Crew": "amber+strict",
                                                                "Zq Victim": "green"}
    assert case.relations["tlp"].tolist() == ["amber+strict"]  # the row names the actor
    assert case.meta["pap"] == "amber" and case.meta["import"]["markings"]["pap"] == {"amber": 1}
    bundle = stix.to_bundle(case)
    assert any(o.get("x_opencti_definition") == "PAP:AMBER" for o in bundle["objects"])
    assert stix.read(bundle).meta["pap"] == "amber"
    event = misp.to_event(case)["Event"]
    assert {"name": "PAP:AMBER"} in event["Tag"] and misp.read(event).meta["pap"] == "amber"


def test_an_undefined_marking_is_red_whatever_the_default() -> None:
    actor = _obj("threat-actor", "Zq Ghost", "marking-definition--00000000-0000-4000-8000-000000000000")
    with pytest.warns(MarkingWarning, match="marking not defined in the input"):
        case = stix.read(_bundle(actor), tlp="clear")
    assert case.entities["tlp"].tolist() == ["red"]
    assert case.at_tlp("amber+strict")[0].entities.empty


def test_granular_markings_raise_the_row_and_cover_only_their_property() -> None:
    actor = _obj("intrusion-set", "Zq Crew", stix.TLP_MARKINGS["green"], description="secret",
                 granular_markings=[{"marking_ref": stix.TLP_MARKINGS["red"], "selectors": ["description"]}])
    report = _obj("report", "Zq report", published=_S, object_refs=[actor["id"]], description="x",
                  granular_markings=[{"marking_ref": stix.TLP_MARKINGS["amber"], "selectors": ["name"]}])
    case = stix.read(_bundle(actor, report), tlp="clear")
    assert case.entities["tlp"].tolist() == ["red"]
    assert case.events["tlp"].tolist() == ["amber"]
    assert (case.meta["title_tlp"], case.meta["summary_tlp"]) == ("amber", "clear")


def test_entities_without_their_own_marking_take_the_strictest_row_naming_them() -> None:
    entities = pd.DataFrame({"name": ["LockBit", "Royal Mail", "ACME"], "tlp": ["", "", "red"]})
    events = pd.DataFrame({"actor": ["LockBit", "LockBit"], "victim": ["Royal Mail", ""],
                           "tlp": ["clear", "amber"]})
    marks = schema.entity_marks(entities, events, pd.DataFrame(), default="green")
    assert marks.tolist() == ["amber", "clear", "red"]


def test_an_entity_tlp_that_is_not_a_label_is_refused() -> None:
    frame = pd.DataFrame({"name": ["LockBit"], "kind": ["actor"], "tlp": ["pink"]})
    with pytest.raises(schema.ValidationError, match=r"'pink' is not a TLP 2\.0 label"):
        schema.validate("entities", frame)
    assert schema.validate("entities", frame.assign(tlp=""))["tlp"].tolist() == [""]


def _misp_event(**extra) -> dict:
    event = {"info": "Zq event", "date": "2023-02-07", "uuid": stable_uuid("misp-markings"),
             "Tag": [{"name": "tlp:green"}], "Attribute": [
                 {"type": "threat-actor", "value": "Zq Crew", "Tag": [{"name": "tlp:red"}]},
                 {"type": "target-org", "value": "Zq Victim"},
                 {"type": "link", "value": "https://example.org/a", "Tag": [{"name": "tlp:clear"}]}]}
    return {"Event": {**event, **extra}}


def test_misp_attribute_tags_are_read_and_the_strictest_applies_per_row() -> None:
    case = misp.read(_misp_event())
    marks = case.entities.set_index("name")["tlp"]
    assert (marks["Zq Crew"], marks["Zq Victim"]) == ("red", "green")
    assert case.relations["tlp"].tolist() == ["red"]  # it names the red actor
    link = case.sources.set_index("url").loc["https://example.org/a", "tlp"]
    assert link == "green"  # the event's tag is the floor: the stricter one applies
    assert case.at_tlp("amber")[0].relations.empty


def test_misp_unknown_tlp_tags_restrict_and_pap_tags_are_kept() -> None:
    event = _misp_event(Tag=[{"name": "tlp:ex:chr"}, {"name": "PAP:RED"}])
    with pytest.warns(MarkingWarning, match=r"tlp:ex:chr \(MISP tag 'tlp:ex:chr'"):
        case = misp.read(event, tlp="clear")
    assert set(case.events["tlp"]) == {"red"} and set(case.entities["tlp"]) == {"red"}
    assert case.meta["pap"] == "red"


def test_misp_export_tags_each_entity_with_its_own_marking() -> None:
    case = misp.read(_misp_event())
    event = misp.to_event(case)["Event"]
    actor = next(a for a in event["Attribute"] if a["type"] == "threat-actor")
    assert [t for t in actor["Tag"] if t["name"].startswith("tlp:")] == [{"name": "tlp:red"}]
    victim = next(o for o in event["Object"] if o["name"] == "victim")
    assert {t["name"] for a in victim["Attribute"] for t in a.get("Tag", [])} == {"tlp:green"}
    again = misp.read(event)
    assert again.entities.set_index("name")["tlp"].to_dict() == {"Zq Crew": "red", "Zq Victim": "green"}
