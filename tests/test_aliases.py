"""Actor aliases and victim names: merged where they should be, kept apart where not."""

from __future__ import annotations

import pandas as pd
import pytest

from analystkit import canonical_actor, canonical_victim
from analystkit.aliases import load_aliases, victim_key


@pytest.mark.parametrize("alias", ["lockbit2", "lockbit3", "LockBit 2.0", "LockBit 3.0",
                                   "LockBit Black", "ABCD ransomware", "LOCKBIT3", " lockbit "])
def test_lockbit_aliases(alias):
    assert canonical_actor(alias) == "LockBit"


@pytest.mark.parametrize("alias, canonical", [
    ("BlackCat", "ALPHV"), ("alphv", "ALPHV"), ("Noberus", "ALPHV"),
    ("clop", "Cl0p"), ("Lace Tempest", "Cl0p"), ("Sodinokibi", "REvil"), ("Agenda", "Qilin"),
])
def test_other_actor_aliases(alias, canonical):
    assert canonical_actor(alias) == canonical


def test_royal_group_is_not_royal_mail():
    assert canonical_actor("royal") == "Royal"
    assert canonical_victim("royal") != "Royal Mail"
    assert canonical_victim("Royal") == "Royal"
    # the actor table never maps anything onto a victim name
    table = load_aliases()
    victims = set(table.loc[table["kind"] == "victim", "canonical"])
    assert not victims & set(table.loc[table["kind"] == "actor", "canonical"])


@pytest.mark.parametrize("raw", ["royalmailgroup.com", "ROYALMAILGROUP.COM", "www.royalmailgroup.com",
                                 "https://royalmailgroup.com/", "Royal Mail Group Ltd",
                                 "royal  mail   group", "Royal Mail International"])
def test_royal_mail_found_by_domain_and_names(raw):
    assert canonical_victim(raw) == "Royal Mail"


def test_victim_name_cleaning():
    assert canonical_victim("Ben &amp; Jerry&#39;s") == "Ben & Jerry's"
    assert canonical_victim("Some Company Holdi...") == "Some Company Holdi"
    assert canonical_victim("unknown-firm.co.uk") == "unknown-firm.co.uk"
    assert canonical_victim("newcorp.com", domains={"newcorp.com": "NewCorp"}) == "NewCorp"
    assert victim_key("Pendragon PLC") == victim_key("pendragon")


def test_alias_table_targets_are_entities():
    """Every canonical name in the alias table names an entity of a curated case."""
    from casefiles import DATA

    from analystkit import load_case

    names = set()
    for folder in (DATA / "cases").iterdir():
        names |= set(load_case(folder).entities["name"])
    table = load_aliases()
    curated = table[table["canonical"].isin(names)]
    assert {"LockBit", "ALPHV", "Cl0p", "Royal Mail"} <= set(curated["canonical"])
    assert isinstance(table, pd.DataFrame) and table["alias"].str.strip().ne("").all()
