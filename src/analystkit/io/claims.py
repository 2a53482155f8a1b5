"""Leak-site posts as relations of a case: each post is its group's claim, never a confirmation.

A relation's id comes from what it says (actor, victim, day), so importing a second feed, or the
same feed again, into a case adds only the claims it does not hold yet.
"""

from __future__ import annotations

import pandas as pd

from ._common import stable_uuid

__all__ = ["POSTS_SOURCE", "as_relations", "claim_id"]

#: ``source_id`` of the source row every imported claim cites.
POSTS_SOURCE = "leak-site-posts"


def claim_id(actor: str, victim: str, day: str) -> str:
    """The relation id of a leak-site claim: the same claim always gets the same id.

    >>> claim_id("LockBit", "Royal Mail", "2023-02-07")
    'post-e680173cdd59'
    >>> claim_id("LockBit", "Royal Mail", "2023-02-07") != claim_id("LockBit", "Royal Mail", "2023-02-08")
    True
    """
    return "post-" + stable_uuid("leak-site claim", actor, victim, day).replace("-", "")[:12]


def as_relations(posts: pd.DataFrame, *, tlp: str, source_id: str = POSTS_SOURCE,
                 file: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``claimed`` relations and the one source row for a posts table.

    Parameters
    ----------
    posts : the table :func:`analystkit.io.leaksites.read_posts` returns.
    tlp : marking of every row (a feed carries none of its own).
    source_id : id of the source row the claims cite; give each file its own, so that a claim
        two feeds make cites both once the cases are merged.
    file : the file's name, for the source row.

    Returns
    -------
    (relations, sources)
        One relation per post that names a victim (the groups' own announcements are left out),
        with ``status='claimed'``, and a source row naming the feeds the posts came from.

    Examples
    --------
    >>> from analystkit.io.leaksites import read_posts
    >>> posts = read_posts(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> relations, sources = as_relations(posts, tlp="clear")
    >>> row = relations[relations["target"] == "Royal Mail"].iloc[0]
    >>> row["source"], row["relation"], row["status"], row["date"], row["relation_id"]
    ('LockBit', 'claimed', 'claimed', '2023-02-07', 'post-e680173cdd59')
    >>> sources.iloc[0]["name"]
    'Leak-site posts (ransomwatch)'
    """
    rows = posts[~posts["announcement"].astype(bool)]
    days = rows["date"].dt.strftime("%Y-%m-%d").tolist()
    actors, victims = rows["actor"].tolist(), rows["victim"].tolist()
    relations = pd.DataFrame({
        "relation_id": [claim_id(a, v, d) for a, v, d in zip(actors, victims, days, strict=True)],
        "source": actors, "target": victims, "relation": "claimed", "date": days,
        "precision": "day", "status": "claimed", "sources": source_id, "tlp": tlp,
        "description": ["leak-site post: " + str(t) for t in rows["post_title"]]})
    feeds = ", ".join(sorted(set(rows["feed"]))) or "no posts"
    named = f"Leak-site posts ({feeds}{', ' + file if file else ''})"
    sources = pd.DataFrame([{"source_id": source_id, "name": named, "url": "",
                             "tlp": tlp}])
    return relations.drop_duplicates("relation_id", ignore_index=True), sources
