"""MISP event export and import, and alias enrichment from misp-galaxy."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import pandas as pd
import pymisp
import pytest
from casefiles import DATA, ROYAL_MAIL, SAMPLES
from hypothesis import HealthCheck, given, settings
from test_stix import CASES, assert_same_case, cases

from analystkit import load_case
from analystkit.aliases import load_aliases, name_key
from analystkit.case import Case
from analystkit.io import ImportFormatError, SkippedObjectsWarning, misp

MISP = SAMPLES / "misp"
EVENTS = sorted((MISP / "pymisp_events").glob("*.json"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_generated_case_round_trips_through_misp(case: Case) -> None:
    event = misp.to_event(case)
    assert_same_case(case, misp.read(json.loads(json.dumps(event))))


@pytest.mark.parametrize("name", CASES)
def test_curated_case_round_trips_and_loads_in_pymisp(name: str) -> None:
    case = load_case(DATA / "cases" / name)
    event = misp.to_event(case)
    loaded = pymisp.MISPEvent()
    loaded.load(json.dumps(event))
    assert loaded.info == case.title and loaded.date.isoformat() == case.meta["as_of"]
    assert len(loaded.objects) == len(event["Event"]["Object"])
    assert [t.name for t in loaded.tags] == [f"tlp:{case.tlp}"]
    assert_same_case(case, misp.read(event))
    assert_same_case(case, misp.read(event["Event"]))  # the bare event, without the wrapper


def test_royal_mail_event_uses_misp_objects_attributes_and_tags() -> None:
    case = load_case(ROYAL_MAIL)
    event = misp.to_event(case)["Event"]
    actors = [a["value"] for a in event["Attribute"] if a["type"] == "threat-actor"]
    assert "LockBit" in actors
    victims = [o for o in event["Object"] if o["name"] == "victim"]
    royal = next(o for o in victims if any(a["value"] == "Royal Mail" for a in o["Attribute"]))
    fields = {a["object_relation"]: (a["type"], a["value"]) for a in royal["Attribute"]}
    assert fields["name"] == ("target-org", "Royal Mail") and fields["regions"] == ("target-location", "GB")
    assert fields["sectors"] == ("text", "transportation")
    assert royal["template_uuid"] == "a8806e40-39ad-435f-be02-ac2a13d6fc7d"
    rows = [o for o in event["Object"] if o["name"] == "analystkit-relation"]
    assert len(rows) == len(case.relations)
    first = case.relations.iloc[0]
    tags = {t["name"] for t in rows[0]["Attribute"][0]["Tag"]}
    credibility = {"confirmed": "1", "reported": "2", "disputed": "4", "claimed": "6"}[first["status"]]
    assert tags == {f"tlp:{first['tlp']}", f'admiralty-scale:information-credibility="{credibility}"'}
    links = [a for a in event["Attribute"] if a["type"] == "link"]
    assert {a["value"] for a in links} == set(case.sources["url"]) - {""}
    timeline = [o for o in event["Object"] if o["name"] == "analystkit-event"]
    assert timeline[0]["first_seen"].startswith(f"{case.events['start'].iloc[0]:%Y-%m-%d}")
    assert json.dumps(misp.to_event(case)) == json.dumps(misp.to_event(load_case(ROYAL_MAIL)))


def test_incidents_link_their_victims_and_actors_and_read_back_without_the_kit_layer() -> None:
    case = load_case(ROYAL_MAIL)
    event = misp.to_event(case)
    body = event["Event"]
    uuids = {o["uuid"]: o for o in body["Object"]} | {a["uuid"]: a for a in body["Attribute"]}
    incident = next(o for o in body["Object"] if o["name"] == "incident"
                    and o["Attribute"][0]["value"] == "royal-mail-2023")
    named = {(r["relationship_type"], uuids[r["referenced_uuid"]]["name" if r["referenced_type"] == "1"
                                                                   else "type"])
             for r in incident["ObjectReference"]}
    assert named == {("targets", "victim"), ("attributed-to", "threat-actor")}
    target = next(uuids[r["referenced_uuid"]] for r in incident["ObjectReference"]
                  if r["relationship_type"] == "targets")
    assert any(a["value"] == "Royal Mail" for a in target["Attribute"])
    lockbit = next(a for a in body["Attribute"] if a["type"] == "threat-actor" and a["value"] == "LockBit")
    assert {"name": 'misp-galaxy:threat-actor="LockBit"'} in lockbit["Tag"]
    loaded = pymisp.MISPEvent()
    loaded.load(json.dumps(event))
    assert {r.relationship_type for o in loaded.objects for r in o.references} == {"targets", "attributed-to"}
    # what MISP users see without the kit's own objects still gives the incident as a period
    body["Object"] = [o for o in body["Object"] if not o["name"].startswith("analystkit-")]
    body["Attribute"] = [a for a in body["Attribute"] if a["comment"] != "analystkit:case"]
    again = misp.read(event).events.set_index("title")
    row = again.loc["Incident: royal-mail-2023"]
    mine = case.events[case.events["incident"].eq("royal-mail-2023")]
    assert (row["actor"], row["victim"]) == ("LockBit", "Royal Mail")
    assert row["start"] == mine["start"].min() and row["end"] == pd.concat(
        [mine["start"], mine["end"]]).max()


def test_an_open_incident_has_no_last_seen_and_a_quoted_actor_name_keeps_its_tag_whole() -> None:
    case = load_case(ROYAL_MAIL)
    events = case.events.copy()
    events.loc[events.index[-1], ["end", "ongoing"]] = [pd.NaT, True]
    entities = case.entities.copy()
    entities.loc[entities["name"].eq("LockBit"), "name"] = 'Lock"Bit'
    relations = case.relations.replace({"LockBit": 'Lock"Bit'})
    events = events.replace({"LockBit": 'Lock"Bit'})
    case = Case(events=events, relations=relations, entities=entities, sources=case.sources,
                meta=case.meta)
    body = misp.to_event(case)["Event"]
    open_incident = next(o for o in body["Object"] if o["name"] == "incident"
                         and o["Attribute"][0]["value"] == events["incident"].iloc[-1])
    assert "first_seen" in open_incident and "last_seen" not in open_incident
    actor = next(a for a in body["Attribute"] if a["type"] == "threat-actor" and a["value"] == 'Lock"Bit')
    assert {"name": "misp-galaxy:threat-actor=\"Lock'Bit\""} in actor["Tag"]


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.name)
def test_every_pymisp_sample_imports(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        case = misp.read(path)
    raw = json.loads(path.read_text())
    event = raw.get("Event", raw)
    assert case.title == event["info"]
    assert case.meta["import"]["skipped"] == []
    assert case.tlp == "clear" if "tlp:white" in {t["name"] for t in event.get("Tag", [])} else "amber"
    assert case.events.loc[0, "start"] == pd.Timestamp(event["date"], tz="UTC")
    assert case.sources.loc[0, "source_id"] == f"misp-{event['uuid']}"


def test_bare_event_with_galaxy_clusters_gives_the_actor_and_its_synonyms() -> None:
    case = misp.read(MISP / "pymisp_events" / "existing_event.json")
    sofacy = case.entities.set_index("name").loc["Sofacy"]
    assert sofacy["kind"] == "actor" and "Fancy Bear" in sofacy["aliases"]
    assert case.meta["import"]["unmapped"]["object:file"] == 37


def test_galaxies_given_only_as_tags_are_read() -> None:
    case = misp.read(MISP / "pymisp_events" / "mainly_objects_1.json")
    assert case.entities[["name", "kind"]].values.tolist() == [["SamSam", "other"],
                                                               ["Samas-Samsam", "actor"]]


def test_mitre_galaxy_values_lose_their_attack_ids() -> None:
    case = misp.read(MISP / "pymisp_events" / "galaxy_1.json")
    actors = case.entities.loc[case.entities["kind"].eq("actor"), "name"]
    assert sorted(actors) == ["APT1", "APT12"]
    assert case.meta["import"]["unmapped"]["galaxy:guidelines"] == 6


def _leak_event() -> dict:
    """An event shaped like the misp-objects templates, with numbers as strings."""
    def attr(rel: str, type_: str, value: str) -> dict:
        return {"object_relation": rel, "type": type_, "value": value, "timestamp": "1675746674"}
    return {"Event": {
        "uuid": "5b2f3c7e-0000-4000-8000-000000000001", "info": "LockBit lists Royal Mail",
        "date": "2023-02-07", "timestamp": "1676505600", "publish_timestamp": "1676505600",
        "threat_level_id": "2", "analysis": "1", "Orgc": {"name": "Example CERT"},
        "Tag": [{"name": "tlp:amber"}, {"name": 'admiralty-scale:information-credibility="2"'},
                {"name": 'admiralty-scale:source-reliability="b"'},
                {"name": 'misp-galaxy:ransomware="LockBit"'}],
        "Attribute": [{"type": "threat-actor", "value": "lockbit3", "timestamp": "1675746674"},
                      {"type": "link", "value": "https://news.example/royal-mail",
                       "comment": "Example News"}],
        "Object": [
            {"name": "victim", "uuid": "5b2f3c7e-0000-4000-8000-000000000002", "Attribute": [
                attr("name", "target-org", "Royal Mail"), attr("sectors", "text", "Transportation"),
                attr("regions", "target-location", "GB"), attr("domain", "domain", "royalmail.com")]},
            {"name": "ransomware-group-post", "uuid": "5b2f3c7e-0000-4000-8000-000000000003",
             "Attribute": [attr("ransomware-group", "text", "lockbit3"),
                           attr("entity-name", "text", "Royal Mail"),
                           attr("date-published", "datetime", "2023-02-07T05:11:14.822203+00:00")]},
            {"name": "ransom-negotiation", "uuid": "5b2f3c7e-0000-4000-8000-000000000004",
             "Attribute": [attr("initial_ransom", "float", "65700000"), attr("currency", "text", "GBP"),
                           attr("time", "datetime", "2023-02-01T00:00:00+00:00")]},
            {"name": "incident", "uuid": "5b2f3c7e-0000-4000-8000-000000000005",
             "Attribute": [attr("name", "text", "Royal Mail 2023"),
                           attr("description", "text", "Export services halted.")]},
        ]}}


def test_leak_site_victim_negotiation_and_incident_objects_are_mapped() -> None:
    case = misp.read(_leak_event())
    assert case.tlp == "amber" and case.meta["as_of"] == "2023-02-16"
    assert case.meta["incident"] == "royal-mail-2023" and case.meta["summary"] == "Export services halted."
    royal = case.entities.set_index("name").loc["Royal Mail"]
    assert (royal["kind"], royal["sector"], royal["country"], royal["domain"]) == (
        "victim", "transportation", "GB", "royalmail.com")
    lockbit = case.entities.set_index("name").loc["LockBit"]
    assert lockbit["kind"] == "actor" and lockbit["aliases"] == ("lockbit3",)
    rel = case.relations.set_index("relation")
    assert rel.loc["claimed", "date"] == pd.Timestamp("2023-02-07T05:11:14.822203Z")
    assert rel.loc["claimed", "status"] == "claimed"
    assert (rel.loc["targets", "source"], rel.loc["targets", "target"]) == ("LockBit", "Royal Mail")
    assert rel.loc["targets", "status"] == "reported"  # credibility 2
    negotiation = case.events.set_index("title").loc["Ransom negotiation"]
    assert negotiation["description"] == "initial ransom 65,700,000 GBP"
    assert negotiation["start"] == pd.Timestamp("2023-02-01", tz="UTC")
    assert set(case.events["incident"]) == {"royal-mail-2023"}
    source = case.sources.set_index("source_id").loc["misp-5b2f3c7e-0000-4000-8000-000000000001"]
    assert (source["reliability"], source["tlp"]) == ("B", "amber")
    assert "https://news.example/royal-mail" in set(case.sources["url"])


def test_truncated_json_is_a_clear_error(tmp_path: Path) -> None:
    text = (MISP / "pymisp_events" / "sighting_1.json").read_text()
    path = tmp_path / "event.json"
    path.write_text(text[:5000])
    with pytest.raises(ImportFormatError, match=r"event\.json: is not valid JSON: .*truncated"):
        misp.read(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda e: e.update(Attribute={"a": 1}), "event 'Attribute' is a JSON dict"),
    (lambda e: e.update(date="2023-13-45"), "event 'date' '2023-13-45' is not a date"),
    (lambda e: e.update(date="", timestamp="soon"), "neither a 'date' nor a numeric 'timestamp'"),
])
def test_wrongly_typed_event_fields_are_clear_errors(change, message: str) -> None:
    data = _leak_event()
    change(data["Event"])
    with pytest.raises(ImportFormatError, match=message):
        misp.read(data)


def test_unusable_attributes_and_objects_are_skipped_and_reported() -> None:
    data = _leak_event()
    data["Event"]["Attribute"].append({"type": "target-org", "value": {"name": "x"}, "uuid": "bad-1"})
    data["Event"]["Attribute"].append({"type": "target-org", "value": "ACME", "timestamp": "yesterday",
                                       "uuid": "bad-2"})
    data["Event"]["Object"][2]["Attribute"][0]["value"] = "sixty million"
    with pytest.warns(SkippedObjectsWarning, match="skipped 3"):
        case = misp.read(data)
    reasons = [(s["id"], s["reason"]) for s in case.meta["import"]["skipped"]]
    assert reasons == [
        ("bad-1", "attribute #2 'value' {'name': 'x'} is not text or a number"),
        ("bad-2", "attribute #3 'timestamp' 'yesterday' is not epoch seconds"),
        ("5b2f3c7e-0000-4000-8000-000000000004",
         "ransom-negotiation 'initial_ransom' 'sixty million' is not a number"),
    ]
    assert "Ransom negotiation" not in set(case.events["title"])
    assert "ACME" not in set(case.entities["name"])
    with pytest.raises(ImportFormatError, match="2 unusable item"):
        misp.read(data, strict=True)


def test_not_an_event_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="looks like a STIX bundle"):
        misp.read({"type": "bundle", "objects": []})
    with pytest.raises(ImportFormatError, match="top level is a JSON list"):
        misp.read([{"Event": {}}, 3])
    with pytest.raises(ImportFormatError, match="is not a MISP event"):
        misp.read({"response": [{"Event": {}}, {"Event": {}}]})  # an export of two empty events
    with pytest.raises(ImportFormatError, match="holds no event"):
        misp.read({"response": []})


def test_a_multi_event_export_reads_every_event_with_its_own_source() -> None:
    names = ("galaxy_1.json", "sighting_1.json", "HTML_event.json")
    events = [json.loads((SAMPLES / "misp" / "pymisp_events" / n).read_text()) for n in names]
    alone = [misp.read(e) for e in events]
    case = misp.read({"response": events})
    assert case.meta["import"]["events"] == 3
    assert case.meta["import"]["read"] == {"event": 3, "attribute": sum(len(e["Event"].get("Attribute", []))
                                                                         for e in events),
                                           "object": sum(len(e["Event"].get("Object", [])) for e in events)}
    assert len(case.events) == 3 and case.as_of == max(c.as_of for c in alone)
    for one in alone:  # every event keeps the source of its own event, not the first one's
        row = case.events.set_index("event_id").loc[one.events["event_id"].iloc[0]]
        assert row["sources"] == one.events["sources"].iloc[0]
        assert set(one.sources["source_id"]) <= set(case.sources["source_id"])


# --- aliases from misp-galaxy --------------------------------------------------------------------

def test_galaxy_enriches_the_alias_table_and_the_kit_stays_authoritative() -> None:
    curated = DATA / "aliases.csv"  # the hand-written table: the derived one was built this way
    kit = load_aliases(curated)
    table = misp.galaxy_aliases(MISP / "galaxy" / "clusters_ransomware.json", aliases=curated)
    pd.testing.assert_frame_equal(table.iloc[: len(kit)].reset_index(drop=True), kit.fillna(""))
    added = table.iloc[len(kit):]
    assert len(added) > 100 and set(added["kind"]) == {"actor"}
    assert added["note"].str.startswith("misp-galaxy").all()
    # a synonym from the galaxy, and a 'similar' cluster anchored on an actor the kit knows
    pairs = set(zip(added["alias"], added["canonical"], strict=True))
    assert ("Megazord", "Akira") in pairs and ("Hydra", "BianLian") in pairs
    # one canonical per alias, and no alias is another actor's canonical name
    keys = table.assign(key=table["alias"].map(name_key))
    assert keys.groupby("key")["canonical"].nunique().max() == 1
    canon = {name_key(c): c for c in table["canonical"]}
    assert all(canon.get(k, c) == c for k, c in zip(keys["key"], keys["canonical"], strict=True))
    # where the galaxy disagrees with the kit, the kit's mapping is kept and the clash reported
    pysa = next(c for c in table.attrs["conflicts"] if c["alias"] == "Pysa")
    assert pysa["kit"] == "PYSA" and pysa["galaxy"] == "Mespinoza"
    assert table.loc[table["alias"].map(name_key).eq("pysa"), "canonical"].tolist() == ["PYSA"]


def test_galaxy_file_without_values_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "galaxy.json"
    path.write_text(json.dumps({"name": "Ransomware"}))
    with pytest.raises(ImportFormatError, match="has no 'values' list"):
        misp.galaxy_aliases(path)


def test_export_refuses_a_case_without_as_of() -> None:
    case = load_case(ROYAL_MAIL)
    meta = copy.deepcopy(case.meta)
    del meta["as_of"]
    with pytest.raises(ValueError, match="no as_of date"):
        misp.to_event(Case(events=case.events, meta=meta))


def test_a_summary_marked_above_the_level_is_left_out_of_the_event() -> None:
    from test_stix import RM_SUMMARY, _marked_summary

    case = _marked_summary("amber")
    clear = json.dumps(misp.to_event(case.at_tlp("clear")[0]))
    assert RM_SUMMARY not in clear and "Royal Mail / LockBit ransomware attack (2023)" in clear
    amber = misp.to_event(case.at_tlp("amber")[0])["Event"]
    assert RM_SUMMARY in json.dumps(amber) and [t["name"] for t in amber["Tag"]] == ["tlp:amber"]


def test_a_summary_marked_above_the_case_is_tagged_with_its_own_marking() -> None:
    from test_stix import RM_SUMMARY, _marked_summary

    event = misp.to_event(_marked_summary("red"))["Event"]
    incident = next(o for o in event["Object"] if o["name"] == "incident"
                    and any(a["value"] == RM_SUMMARY or RM_SUMMARY in a["value"] for a in o["Attribute"]))
    description = next(a for a in incident["Attribute"] if a.get("object_relation") == "description")
    assert [t["name"] for t in description["Tag"]] == ["tlp:red"]
    holder = next(a for a in event["Attribute"] if a["comment"] == "analystkit:case")
    assert [t["name"] for t in holder["Tag"]] == ["tlp:red"]  # it carries the summary too
    assert [t["name"] for t in event["Tag"]] == ["tlp:amber"]  # the title stays at the case's level


def _admiralty_tags() -> set[str]:
    """Every machine tag of the real MISP ``admiralty-scale`` taxonomy."""
    data = json.loads((MISP / "taxonomies" / "admiralty-scale.machinetag.json").read_text())
    return {f'{data["namespace"]}:{v["predicate"]}="{e["value"]}"' for v in data["values"]
            for e in v["entry"]}


def test_credibility_travels_as_the_admiralty_tag_and_back() -> None:
    case = load_case(ROYAL_MAIL)
    relations, events = case.relations.copy(), case.events.copy()
    relations.loc[0, "credibility"], events.loc[0, "credibility"] = "3", "5"
    case = case.with_tables(relations=relations, events=events).validated()
    event = misp.to_event(case)
    loaded = pymisp.MISPEvent()
    loaded.load(json.dumps(event))
    rows = {o["name"]: [] for o in event["Event"]["Object"]}
    for o in event["Event"]["Object"]:
        rows[o["name"]].append({t["name"] for t in o["Attribute"][0].get("Tag", [])})
    assert 'admiralty-scale:information-credibility="3"' in rows["analystkit-relation"][0]
    assert 'admiralty-scale:information-credibility="5"' in rows["analystkit-event"][0]
    used = {t for tags in rows.values() for s in tags for t in s if t.startswith("admiralty-scale:")}
    assert used and used <= _admiralty_tags()
    again = misp.read(event)
    assert again.relations.loc[0, "credibility"] == "3" and again.events.loc[0, "credibility"] == "5"
    assert_same_case(case, again)


def test_foreign_event_credibility_tag_grades_its_rows() -> None:
    case = misp.read(_leak_event())
    assert set(case.events["credibility"]) == {"2"} and set(case.relations["credibility"]) == {"2"}
    assert 'admiralty-scale:information-credibility="2"' in _admiralty_tags()
