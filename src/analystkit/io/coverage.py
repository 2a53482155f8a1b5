"""How much of a leak-site feed the alias table knows: names and posts on a known actor.

A post whose group name the alias table cannot resolve (:func:`analystkit.aliases.resolve_actor`,
feed names matched loosely) is still read, under its own name; this report says how many there are
and which names they carry, so an analyst knows what an actor breakdown leaves out before drawing one.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import pandas as pd

from ..aliases import resolve_actor
from .leaksites import read_posts

__all__ = ["Coverage", "feed_coverage"]


@dataclass(frozen=True)
class Coverage:
    """Names and posts of a feed mapped to a known actor; ``unmapped`` lists the rest by posts."""

    names: int
    names_mapped: int
    posts: int
    posts_mapped: int
    unmapped: pd.DataFrame  # columns group_name, posts; most posts first

    @property
    def share(self) -> float:
        """Share of posts on a known actor (0 for an empty feed)."""
        return self.posts_mapped / self.posts if self.posts else 0.0

    def lines(self, *, top: int = 10) -> list[str]:
        """The report as short lines of text.

        >>> c = feed_coverage(pd.DataFrame({"group_name": ["lockbit3", "lockbit2", "newcrew"]}))
        >>> for line in c.lines():
        ...     print(line)
        3 posts, 3 group names
        on a known actor: 2 of 3 names, 2 of 3 posts (66.6 %)
        not mapped, by posts: newcrew 1
        """
        said = [f"{self.posts} posts, {self.names} group names",
                f"on a known actor: {self.names_mapped} of {self.names} names, {self.posts_mapped} "
                f"of {self.posts} posts ({_percent(self.share)})"]
        if len(self.unmapped):
            shown = self.unmapped.head(top)
            more = len(self.unmapped) - len(shown)
            said.append("not mapped, by posts: " + ", ".join(
                f"{name} {n}" for name, n in zip(shown["group_name"], shown["posts"], strict=True))
                + (f" and {more} more" if more else ""))
        return said


def _percent(share: float) -> str:
    """A share rounded down to 0.1 %: 5365 of 5367 is 99.9 %, never 100.0 %.

    >>> _percent(5365 / 5367), _percent(1.0), _percent(2 / 3)
    ('99.9 %', '100.0 %', '66.6 %')
    """
    return f"{math.floor(share * 1000 + 1e-9) / 10:.1f} %"


def feed_coverage(posts: pd.DataFrame | str | os.PathLike, *,
                  aliases: str | os.PathLike | None = None, **read_options) -> Coverage:
    """Report which of a feed's group names and posts resolve to a known actor.

    Parameters
    ----------
    posts : a posts table (a ``group_name`` column, and ``count`` when rows stand for several
        posts, as :func:`analystkit.io.leaksites.read_posts` gives) or a feed file to read.
    aliases : alias table to use instead of the kit's.
    **read_options : passed to ``read_posts`` when ``posts`` is a file (``date=``, ``format=``).

    Examples
    --------
    >>> c = feed_coverage(SAMPLES / "leaksites" / "ransomwatch_posts_2023-08-19.json")
    >>> c.posts, c.share >= 0.97
    (7354, True)
    """
    if not isinstance(posts, pd.DataFrame):
        posts = read_posts(posts, aliases=aliases, **read_options)
    if "group_name" not in posts:
        raise ValueError("the posts table has no 'group_name' column: coverage is about the names "
                         "the feed gives its groups; read the feed with read_posts")
    counts = posts["count"] if "count" in posts else pd.Series(1, index=posts.index)
    by_name = counts.groupby(posts["group_name"].astype(str), sort=False).sum()
    known = pd.Series([resolve_actor(n, aliases=aliases, loose=True) is not None for n in by_name.index],
                      index=by_name.index, dtype=bool)
    unmapped = by_name[~known].rename("posts").rename_axis("group_name").reset_index()
    unmapped = unmapped.sort_values(["posts", "group_name"], ascending=[False, True], ignore_index=True)
    return Coverage(names=len(by_name), names_mapped=int(known.sum()), posts=int(by_name.sum()),
                    posts_mapped=int(by_name[known].sum()), unmapped=unmapped)
