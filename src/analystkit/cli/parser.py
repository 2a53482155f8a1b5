"""The ``analystkit`` command line: its sub-commands and their options."""

from __future__ import annotations

import argparse

from .._version import __version__
from ..schema.vocab import POST_DATES
from . import jobs

__all__ = ["build_parser"]

_CACHE_HELP = "feed cache folder (default: $ANALYSTKIT_CACHE, else ~/.cache/analystkit)"


def _encoding_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encoding", default="utf-8",
                   help="text encoding of the case's CSV files (default: utf-8, BOM allowed; "
                        "cp1252 for what Excel saves on Windows)")


def _chart_options(p: argparse.ArgumentParser, tlp: bool = True) -> None:
    """The output, TLP, size and theme options of the single-chart sub-commands."""
    p.add_argument("-o", "--output", required=True,
                   help="file to write; its suffix (.png, .svg, .pdf) picks the format")
    if tlp:
        p.add_argument("--tlp", default="clear",
                       help="share at this TLP level: rows marked above it are left out "
                            "(default: clear)")
    p.add_argument("--size", default="slide",
                   choices=["slide", "a4-half", "a4-full", "square", "a4-landscape"],
                   help="figure size preset (default: slide, 16:9)")
    p.add_argument("--theme", default="briefing", help="light, dark, print, transparent "
                                                       "or briefing (default)")


def _add_new(sub) -> None:
    p = sub.add_parser("new", help="start a case folder for a new incident",
                       description="Write a new, valid case folder: case.json with the title, "
                                   "TLP, as-of date, day 0, display time zone and incident id, "
                                   "and the actor and victim as entities. No event is written: "
                                   "add them from sources (`analystkit import`, the event form).")
    p.add_argument("folder", help="folder to create (must not hold a case)")
    p.add_argument("--title", required=True, help="the case's title")
    p.add_argument("--actor", help="the threat actor, if known")
    p.add_argument("--victim", help="the victim organisation")
    p.add_argument("--day0", help="the incident's first day, YYYY-MM-DD")
    p.add_argument("--tz", help="IANA time zone the charts show (default: UTC)")
    p.add_argument("--tlp", default="amber", help="the case's TLP marking (default: amber)")
    p.add_argument("--incident", help="the main incident's id (default: from the title)")
    p.add_argument("--as-of", help="as-of date, YYYY-MM-DD (default: today)")
    p.add_argument("--author", help="who writes the case (named in STIX exports)")
    p.set_defaults(func=jobs.new_case_job)


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check a case folder and print every problem",
                       description="Load a case folder, print a summary if it is valid, or "
                                   "every problem found (file, line, column, value) if not.")
    p.add_argument("case", help="case folder (case.json + events.csv ...), or the name of a shipped "
                                "case such as royal-mail-2023")
    _encoding_option(p)
    p.set_defaults(func=jobs.validate_case)


def _add_brief(sub) -> None:
    p = sub.add_parser("brief", help="write a briefing pack (charts, brief.html, brief.pdf)",
                       description="A briefing pack at one TLP level: every chart, brief.html, "
                                   "brief.pdf, CSV tables. Rows, title or summary marked above it "
                                   "are left out, and the pack says so. Other cases join only "
                                   "when named (--compare, --related or case.json's lists).")
    p.add_argument("case", help="case folder, or the name of a shipped case such as royal-mail-2023")
    p.add_argument("--tlp", required=True, help="level the pack is shared at (clear, green, "
                                                "amber, amber+strict, red)")
    p.add_argument("--out", required=True, help="folder to write the pack into")
    p.add_argument("--posts", nargs="+", metavar="FEED",
                   help="leak-site posts files (ransomwatch, ransomware.live or a table of claims) "
                        "for the activity chart; several are merged, each post counted once; "
                        "without it, the newest snapshot of the feed cache (`analystkit feeds "
                        "pull`), else no activity chart")
    p.add_argument("--date", choices=list(POST_DATES),
                   help="which date of a ransomware.live feed is the claim date")
    p.add_argument("--cache", help=_CACHE_HELP)
    p.add_argument("--compare", nargs="+", metavar="CASE", help="exactly the cases of the day-0 "
                   "comparison (folders, shipped names or incident ids; default: the \"compare\" "
                   "list of CASE's case.json, else no comparison)")
    p.add_argument("--related", nargs="+", metavar="CASE", help="cases whose relations with CASE's "
                   "actors join the graph; without --compare, those of another incident with a "
                   "day 0 are compared too (default: the \"related\" list of case.json)")
    p.add_argument("--no-related", action="store_true", help="use no other case at all")
    p.add_argument("--charts", help="comma-separated subset of timeline,compare,activity,graph")
    p.add_argument("--theme", default="briefing", help="theme name (default: briefing)")
    _encoding_option(p)
    p.set_defaults(func=jobs.write_brief)


def _add_timeline(sub) -> None:
    p = sub.add_parser("timeline", help="draw a case's disruption timeline to a file",
                       description="Draw the timeline of a case's main incident with its TLP "
                                   "banner, sources and as-of date.")
    p.add_argument("case", help="case folder, or the name of a shipped case such as royal-mail-2023")
    _chart_options(p)
    _encoding_option(p)
    p.set_defaults(func=jobs.draw_timeline)


def _add_graph(sub) -> None:
    p = sub.add_parser("graph", help="draw an actor → victim graph to a file",
                       description="Draw the actor → victim graph of a case folder, or of a "
                                   "leak-site posts file (top actors and their victims).")
    p.add_argument("input", metavar="CASE_OR_POSTS", help="case folder or posts file")
    p.add_argument("--top", type=int, help="actors to show for a posts file (default: 10)")
    _chart_options(p)
    _encoding_option(p)
    p.set_defaults(func=jobs.draw_graph)


def _add_activity(sub) -> None:
    p = sub.add_parser("activity", help="draw leak-site posts per week to a file",
                       description="Draw victims claimed per week and group from a leak-site "
                                   "posts file (ransomwatch or ransomware.live).")
    p.add_argument("posts", help="posts file")
    _chart_options(p, tlp=False)
    p.set_defaults(func=jobs.draw_activity, tlp="clear")


def _add_coverage(sub) -> None:
    p = sub.add_parser("coverage", help="say how much of a leak-site feed maps to known actors",
                       description="Read a leak-site posts file and report its group names and "
                                   "posts that the alias table maps to a known actor, and the "
                                   "names it does not, most posts first.")
    p.add_argument("posts", help="posts file")
    p.add_argument("--date", choices=list(POST_DATES),
                   help="which date to read, for a ransomware.live file that has both")
    p.add_argument("--top", type=int, default=15, help="unmapped names to list (default: 15)")
    p.set_defaults(func=jobs.report_coverage)


def _add_feeds(sub) -> None:
    p = sub.add_parser("feeds", help="pull today's leak-site posts into the local cache",
                       description="Keep dated snapshots of leak-site feeds in a local cache "
                                   "(read them with `read_posts(CACHE/feeds/NAME)`; the brief uses "
                                   "the newest when no --posts is named). Nothing is downloaded "
                                   "but by `feeds pull`.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    pull = actions.add_parser("pull", help="download a feed's current posts as a new snapshot",
                              description="Download feed NAME (ransomwatch, ransomware.live, "
                                          "ransomlook) into a new snapshot; asks the server "
                                          "only for what changed and resumes an interrupted "
                                          "download.")
    pull.add_argument("name", metavar="NAME", help="feed to pull")
    pull.add_argument("--url", help="download from this address instead of the feed's own")
    pull.add_argument("--cache", help=_CACHE_HELP)
    pull.add_argument("--quiet", action="store_true", help="no progress bar")
    pull.set_defaults(func=jobs.pull_feed_job)
    listing = actions.add_parser("list", help="list the snapshots in the cache")
    listing.add_argument("--cache", help=_CACHE_HELP)
    listing.set_defaults(func=jobs.list_feeds)


def _add_extract(sub) -> None:
    p = sub.add_parser("extract", help="propose the events of a news article for review",
                       description="Read an article (HTML or text), find the sentences that state "
                                   "events of the incident, resolve their dates against the "
                                   "publication date and add them to the case's candidates table "
                                   "(candidates.csv) with their evidence. Nothing reaches the "
                                   "events until you accept it (`analystkit review`).")
    p.add_argument("article", help="the article: an .html page or a text file")
    p.add_argument("--case", required=True, help="case folder (`analystkit new` makes one)")
    p.add_argument("--published", help="publication date, YYYY-MM-DD (default: from the page)")
    p.add_argument("--url", default="", help="the article's address, kept as its source")
    p.add_argument("--kind", choices=["news", "statement", "blog"], default="news",
                   help="whose words: the press (default), the victim's or an authority's own "
                        "statement (its sentences are confirmed), or research")
    p.set_defaults(func=jobs.extract_job)
    p = sub.add_parser("review", help="accept or reject candidate events",
                       description="List a case's candidate events, or accept some (each becomes "
                                   "an event that keeps its evidence) and reject others.")
    p.add_argument("case", help="case folder")
    p.add_argument("--accept", nargs="+", default=[], metavar="ID", help="candidates to accept")
    p.add_argument("--reject", nargs="+", default=[], metavar="ID", help="candidates to reject")
    p.set_defaults(func=jobs.review_job)


def _add_import(sub) -> None:
    p = sub.add_parser("import", help="add a table of facts, leak-site, STIX, MISP or galaxy file "
                                      "to a case",
                       description="Detect the format of FILE (a table of facts as CSV or Excel, "
                                   "leak-site posts, STIX 2.x bundle "
                                   "or a folder of STIX objects, MISP event or multi-event export, "
                                   "MISP galaxy clusters), read it and merge it into the case "
                                   "folder (created if missing). Each row keeps the source it "
                                   "came from; a row the case holds with different content from "
                                   "another source is refused, naming both.")
    p.add_argument("file", help="file (or folder of STIX objects) to import")
    p.add_argument("--case", required=True, help="case folder to add to")
    p.add_argument("--tlp", default="amber", help="marking for data that carries none "
                                                 "(default: amber)")
    p.add_argument("--date", choices=list(POST_DATES),
                   help="which leak-site date becomes the claim date")
    p.add_argument("--update-as-of", action="store_true",
                   help="move an existing case's as-of date to the file's, when that is later")
    p.add_argument("--map", nargs="+", metavar="COLUMN=FIELD", default=[],
                   help="a table of facts: read COLUMN as the event field FIELD (start, end, "
                        "precision, category, title, description, source_name, source_url, "
                        "status, tlp, actor, victim, ...), before the headers are matched by keyword")
    p.add_argument("--dry-run", action="store_true",
                   help="print what would be written, and every problem, and write nothing")
    _encoding_option(p)
    p.set_defaults(func=jobs.import_file)


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write a case as a STIX bundle or MISP event",
                       description="Write the case as a STIX 2.1 bundle or a MISP event JSON.")
    p.add_argument("case", help="case folder, or the name of a shipped case such as royal-mail-2023")
    p.add_argument("--format", required=True, choices=["stix", "misp"])
    p.add_argument("-o", "--output", required=True, help="JSON file to write")
    p.add_argument("--tlp", help="leave out rows marked above this level")
    p.add_argument("--incident-core", action="store_true",
                   help="STIX only: also write the timeline in the OASIS Incident Core Extension "
                        "draft (incident events other tools can show)")
    _encoding_option(p)
    p.set_defaults(func=jobs.export_case)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analystkit",
        description="Actor → victim graphs and disruption timelines for CTI analysts.")
    parser.add_argument("--version", action="version", version=f"analystkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (_add_new, _add_validate, _add_brief, _add_timeline, _add_graph, _add_activity, _add_coverage,
                _add_feeds, _add_extract, _add_import, _add_export):
        add(sub)
    return parser
