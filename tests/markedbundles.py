"""Generated STIX bundles whose objects carry random markings, and what each token may be shared at.

Each bundle holds actors, victims, ``targets`` relationships and maybe a report, each marked at
random with TLP 1.0 or 2.0 ids, OpenCTI-style marking objects with their own ids, markings the
kit cannot read (an undefined id, ``TLP:TEST``), PAP markings and granular markings. Every object
carries a unique token in its name and description (used by the leak tests in ``tests/io`` and
``tests/export``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from analystkit import schema
from analystkit._testing import stable_uuid
from analystkit.io import stix

_LEVELS = schema.TLP_LEVELS
_TLP1 = {"clear": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
         "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
         "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
         "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}
_STAMP = "2023-02-07T05:11:14.822Z"
DEFAULT = "green"  # the level given to unmarked objects on import


def _opencti(label: str) -> dict:
    """An OpenCTI-style TLP marking object with its own id."""
    name = f"TLP:{label.upper()}"
    return {"type": "marking-definition", "spec_version": "2.1", "created": _STAMP,
            "id": f"marking-definition--{stable_uuid('opencti', label)}", "definition_type": "TLP",
            "definition": {"TLP": name}, "x_opencti_definition_type": "TLP",
            "x_opencti_definition": name, "name": name}


_UNKNOWN_DEF = {"type": "marking-definition", "spec_version": "2.1", "created": _STAMP,
                "id": f"marking-definition--{stable_uuid('opencti', 'test')}", "definition_type": "TLP",
                "definition": {"TLP": "TLP:TEST"}}
_PAP = {"type": "marking-definition", "spec_version": "2.1", "created": _STAMP,
        "id": f"marking-definition--{stable_uuid('opencti', 'pap-red')}", "definition_type": "PAP",
        "definition": {"PAP": "PAP:RED"}, "x_opencti_definition": "PAP:RED"}
#: (marking id, the level it stands for or None for a PAP marking, its definition or None)
MARKS = [*((stix.TLP_MARKINGS[label], label, stix.marking_definition(label)) for label in _LEVELS),
         *((mid, label, None) for label, mid in _TLP1.items()),
         *((_opencti(label)["id"], label, _opencti(label)) for label in _LEVELS),
         (_UNKNOWN_DEF["id"], "red", _UNKNOWN_DEF),
         ("marking-definition--00000000-0000-4000-8000-000000000000", "red", None),  # undefined
         (_PAP["id"], None, _PAP)]


@st.composite
def bundles(draw: st.DrawFn) -> tuple[dict, dict[str, str]]:
    """A bundle and, for each token (one per object and property), the strictest level the
    object's markings and the granular markings of that property give (unmarked: DEFAULT)."""
    objects, truth, used = [], {}, set()
    n_actors, n_victims = draw(st.integers(1, 3)), draw(st.integers(1, 3))

    def marked(obj: dict, token: str) -> dict:
        """Mark ``obj`` at random; note what each of its tokens may be shared at."""
        refs = draw(st.lists(st.sampled_from(range(len(MARKS))), max_size=2, unique=True))
        granular = draw(st.lists(st.tuples(st.sampled_from(range(len(MARKS))),
                                           st.sampled_from(["name", "description"])), max_size=2))
        if refs:
            obj["object_marking_refs"] = [MARKS[i][0] for i in refs]
        if granular:
            obj["granular_markings"] = [{"marking_ref": MARKS[i][0], "selectors": [sel]}
                                        for i, sel in granular]
        for prop, prefix in (("name", "n"), ("description", "d"), ("external_references", "r")):
            levels = [MARKS[i][1] for i in [*refs, *(i for i, sel in granular if sel == prop)]
                      if MARKS[i][1]]  # a PAP marking says nothing of who may read
            truth[prefix + token] = schema.highest_tlp(levels, DEFAULT)
        used.update(refs, (i for i, _ in granular))
        return obj

    ids = []
    for i in range(n_actors + n_victims):
        kind = ("intrusion-set" if draw(st.booleans()) else "threat-actor") if i < n_actors else "identity"
        token = f"tok{i:02d}q{draw(st.integers(1000, 9999))}"
        oid = f"{kind}--{stable_uuid('gen', i, token)}"
        obj = {"type": kind, "spec_version": "2.1", "id": oid, "created": _STAMP, "modified": _STAMP,
               "name": f"Zq n{token}", "description": f"about d{token}"}
        if kind == "identity":
            obj["identity_class"] = "organization"
        objects.append(marked(obj, token))
        ids.append(oid)
    for j, (a, v) in enumerate(draw(st.lists(st.tuples(st.integers(0, n_actors - 1),
                                                        st.integers(0, n_victims - 1)),
                                              min_size=1, max_size=4, unique=True))):
        token = f"rel{j:02d}q{draw(st.integers(1000, 9999))}"
        objects.append(marked({"type": "relationship", "spec_version": "2.1",
                               "id": f"relationship--{stable_uuid('gen-rel', j, token)}",
                               "created": _STAMP, "modified": _STAMP, "relationship_type": "targets",
                               "source_ref": ids[a], "target_ref": ids[n_actors + v],
                               "description": f"why d{token}",
                               "external_references": [{"source_name": f"ref r{token}"}]}, token))
    if draw(st.booleans()):
        token = f"rep{draw(st.integers(1000, 9999))}"
        objects.append(marked({"type": "report", "spec_version": "2.1", "id": f"report--{stable_uuid(token)}",
                               "created": _STAMP, "modified": _STAMP, "published": _STAMP,
                               "name": f"Report n{token}", "description": f"says d{token}",
                               "object_refs": ids}, token))
    definitions = [MARKS[i][2] for i in sorted(used) if MARKS[i][2] is not None]
    return {"type": "bundle", "id": f"bundle--{stable_uuid('gen-bundle', len(objects))}",
            "objects": [*definitions, *objects]}, truth


def stix_marks(bundle: dict) -> list[str]:
    """The TLP level of every object marking in a bundle the kit wrote."""
    by_id = {mid: label for label, mid in stix.TLP_MARKINGS.items()}
    return [by_id[m] for o in bundle["objects"] for m in o.get("object_marking_refs", ()) if m in by_id]


def misp_marks(event: dict) -> list[str]:
    """The ``tlp:`` tags of every MISP row (the analystkit:case attribute and the event tag may
    carry the marking of a title withheld from this level, and are left out)."""
    attributes = [a for a in event["Attribute"] if a.get("comment") != "analystkit:case"]
    attributes += [a for o in event["Object"] for a in o["Attribute"]]
    return [t["name"][4:] for a in attributes for t in a.get("Tag", []) if t["name"].startswith("tlp:")]
