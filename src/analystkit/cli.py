"""The ``analystkit`` command: the kit's jobs from a shell.

User errors are printed as one line on stderr with a non-zero exit status, never a traceback.
Exit status: 0 success, 1 the data has problems, 2 the command was used wrongly. Progress of
long jobs goes to stderr, so stdout carries only results.

Each job imports the modules it needs when it runs (``analystkit --help`` and ``validate`` do not
load matplotlib); that is the only reason for the imports inside functions below.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from ._version import __version__
from .case import Case, load_case
from .files import write_atomic
from .resources import case_dir, sample_cases
from .schema import ValidationError, empty

__all__ = ["build_parser", "main"]


def _say(message: str) -> None:
    print(f"analystkit: {message}", file=sys.stderr, flush=True)


def _validate(args: argparse.Namespace) -> int:
    try:
        case = load_case(_case_folder(args.case), encoding=args.encoding)
    except ValidationError as exc:
        print(f"{args.case}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.case}: valid")
    print(case.summary())
    return 0


def _case_folder(name: str) -> Path:
    """A case folder: the path given, or (when no such folder exists) the shipped case of that name."""
    folder = Path(name)
    if folder.exists() or folder.name != name or name not in sample_cases():
        return folder
    _say(f"using the shipped case {name} ({case_dir(name)})")
    return case_dir(name)


def _chosen(case: Case, args: argparse.Namespace) -> tuple[list[Case] | None, list[Case]]:
    """The cases the pack compares with and draws on (see ``export.pack.data.listed_cases``)."""
    from .export.pack.data import listed_cases

    if args.no_related:
        return [], []
    compare = None if args.compare is None and args.related is not None else \
        listed_cases(case, "compare", args.compare, near=[Path.cwd()])  # None: the related ones
    related = listed_cases(case, "related", args.related, near=[Path.cwd()])
    for other in [*(compare or []), *related]:
        _say(f"reading related case {other.folder}")
    return compare, related


def _brief(args: argparse.Namespace) -> int:
    from .export import brief

    if args.no_related and (args.compare is not None or args.related is not None):
        print("analystkit brief: error: --no-related cannot be combined with --compare or --related",
              file=sys.stderr)
        return 2
    case = load_case(_case_folder(args.case))
    compare, related = _chosen(case, args)
    charts = tuple(c for c in (args.charts or "").split(",") if c)
    out = brief(case, args.out, tlp=args.tlp, posts=args.posts, related=related, compare=compare,
                theme=args.theme, progress=_say, **({"charts": charts} if charts else {}))
    print(out / "brief.html")
    print(out / "brief.pdf")
    return 0


def _suffix(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise ValueError(f"cannot tell the format of {path!r}: name it .png, .svg or .pdf")
    return suffix


def _one_chart(args: argparse.Namespace, key: str, pack_case, posts=None) -> int:
    from . import theme
    from .export import save
    from .export.pack.charts import draw, why_not
    from .export.pack.data import prepare

    _suffix(args.output)
    pack = prepare(pack_case, tlp=args.tlp, posts=posts)
    with theme.use(args.theme):
        _say(f"drawing the {key} chart")
        chart = draw(pack, key)
        if chart is None:
            raise ValueError(f"no {key} chart: {why_not(pack, key)}")
        paths = save(chart.figure, args.output, size=args.size, tlp=pack.tlp, title=chart.title,
                     subtitle=chart.subtitle, as_of=pack.as_of, sources=chart.sources, alt=chart.alt)
    for p in paths:
        print(p)
    return 0


def _timeline(args: argparse.Namespace) -> int:
    return _one_chart(args, "timeline", load_case(_case_folder(args.case)))


def _read_posts(path: str):
    from .io.leaksites import read_posts

    return read_posts(path)


def _graph(args: argparse.Namespace) -> int:
    source = Path(args.input)
    if source.is_dir():
        return _one_chart(args, "graph", load_case(source))
    from . import theme
    from .export import SIZES, save
    from .export.pack.data import prepare
    from .graph import actor_victim_graph
    from .plot import graph

    _suffix(args.output)
    posts = _read_posts(args.input)
    pack = prepare(_empty_case(), tlp="clear", posts=posts)
    with theme.use(args.theme):
        import matplotlib.pyplot as plt

        _say("building the actor → victim graph")
        G = actor_victim_graph(posts)
        fig, ax = plt.subplots(figsize=SIZES["slide"], layout="constrained")
        graph(G, ax=ax, top=args.top or 10, per_actor=15, legend=False)
        first, last = posts["date"].min(), posts["date"].max()
        paths = save(fig, args.output, size=args.size, tlp="clear",
                     title=f"Leak-site claims: top {args.top or 10} groups and their victims",
                     subtitle=f"{first:%d %b %Y} to {last:%d %b %Y} · claims are the groups' "
                              "own assertions",
                     sources=pack.cited([posts.assign(sources=[("leak-site-posts",)] * len(posts))]),
                     alt=f"Actor to victim graph of leak-site claims from {first:%B %Y} to {last:%B %Y}.")
    for p in paths:
        print(p)
    return 0


def _empty_case() -> Case:
    return Case(events=empty("events"), meta={"title": "Leak-site posts", "tlp": "clear", "as_of": ""})


def _activity(args: argparse.Namespace) -> int:
    case = _empty_case()
    _say(f"reading {args.posts}")
    return _one_chart(args, "activity", case, posts=_read_posts(args.posts))


def _detect(path: Path) -> str:
    if path.suffix.lower() == ".csv":
        return "leaksite"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: not a JSON file the kit can import ({exc})") from exc
    if isinstance(data, dict) and (data.get("type") == "bundle" or "spec_version" in data
                                   or isinstance(data.get("objects"), list)):
        return "stix"  # some published bundles omit "type": "bundle"
    if isinstance(data, dict) and ("Event" in data or "info" in data):
        return "misp"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        first = data[0]
        if {"post_title", "group_name"} <= set(first) or {"victim", "group"} <= set(first):
            return "leaksite"
        if "type" in first and "id" in first:
            return "stix"
    raise ValueError(f"{path}: not a leak-site posts file, STIX bundle or MISP event "
                     "(no known top-level fields)")


def _posts_as_relations(posts, tlp: str):
    import pandas as pd

    rows = posts[~posts["announcement"].astype(bool)]
    relations = pd.DataFrame({
        "relation_id": [f"post-{i + 1:05d}" for i in range(len(rows))],
        "source": rows["actor"].to_numpy(), "target": rows["victim"].to_numpy(),
        "relation": "claimed", "date": rows["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "precision": "day", "status": "claimed", "sources": "leak-site-posts", "tlp": tlp,
        "description": ["leak-site post: " + str(t) for t in rows["post_title"]]})
    source = pd.DataFrame([{"source_id": "leak-site-posts", "name": "Leak-site posts (" +
                            ", ".join(sorted(set(rows["feed"]))) + ")", "url": "", "tlp": tlp}])
    return relations, source


def _import(args: argparse.Namespace) -> int:
    import pandas as pd

    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    kind = _detect(path)
    _say(f"reading {path} as {kind}")
    folder = Path(args.case)
    case = load_case(folder) if folder.exists() else None
    if kind == "leaksite":
        from .io.leaksites import read_posts

        relations, source = _posts_as_relations(read_posts(path, date=args.date), args.tlp)
        if case is None:
            case = Case(events=empty("events"), meta={
                "title": f"Leak-site claims from {path.name}", "tlp": args.tlp,
                "as_of": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")})
        merged = case.with_tables(
            relations=pd.concat([case.relations, relations], ignore_index=True)
            .drop_duplicates(["source", "target", "date"]),
            sources=pd.concat([case.sources, source], ignore_index=True).drop_duplicates("source_id"))
    else:
        import importlib

        reader = importlib.import_module(f"analystkit.io.{kind}")
        imported = reader.read(path, tlp=args.tlp)
        if case is None:
            merged = imported
        else:
            merged = case.with_tables(**{
                name: pd.concat([case.table(name), imported.table(name)], ignore_index=True)
                .drop_duplicates(key)
                for name, key in (("events", "event_id"), ("relations", "relation_id"),
                                  ("entities", "name"), ("sources", "source_id"))})
    if kind == "leaksite" and not len(merged.events):
        raise ValueError(f"{folder}: a case needs at least one event; import leak-site posts into "
                         "an existing case")
    written = merged.save(folder)
    _say(f"wrote {len(written)} files to {folder}")
    print(folder)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .io import misp, stix

    writer = {"stix": stix.to_bundle, "misp": misp.to_event}[args.format]
    case = load_case(_case_folder(args.case))
    if args.tlp:
        case, withheld = case.at_tlp(args.tlp)
        for key in (k for k in ("title", "summary") if withheld[k]):
            _say(f"the case {key} is marked TLP:{case.marking(key).upper()} and is left out")
    text = json.dumps(writer(case), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(Path(args.output), text.encode("utf-8"))
    print(args.output)
    return 0


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


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check a case folder and print every problem",
                       description="Load a case folder, print a summary if it is valid, or "
                                   "every problem found (file, line, column, value) if not.")
    p.add_argument("case", help="case folder (case.json + events.csv ...), or the name of a shipped "
                                "case such as royal-mail-2023")
    p.add_argument("--encoding", default="utf-8",
                   help="text encoding of the CSV files (default: utf-8, BOM allowed)")
    p.set_defaults(func=_validate)


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
    p.add_argument("--posts", help="leak-site posts file for the activity chart (default: the "
                                   "bundled ransomwatch sample)")
    p.add_argument("--compare", nargs="+", metavar="CASE", help="exactly the cases of the day-0 "
                   "comparison (folders, shipped names or incident ids; default: the \"compare\" "
                   "list of CASE's case.json, else no comparison)")
    p.add_argument("--related", nargs="+", metavar="CASE", help="cases whose relations with CASE's "
                   "actors join the graph; without --compare, those of another incident with a "
                   "day 0 are compared too (default: the \"related\" list of case.json)")
    p.add_argument("--no-related", action="store_true", help="use no other case at all")
    p.add_argument("--charts", help="comma-separated subset of timeline,compare,activity,graph")
    p.add_argument("--theme", default="briefing", help="theme name (default: briefing)")
    p.set_defaults(func=_brief)


def _add_timeline(sub) -> None:
    p = sub.add_parser("timeline", help="draw a case's disruption timeline to a file",
                       description="Draw the timeline of a case's main incident with its TLP "
                                   "banner, sources and as-of date.")
    p.add_argument("case", help="case folder, or the name of a shipped case such as royal-mail-2023")
    _chart_options(p)
    p.set_defaults(func=_timeline)


def _add_graph(sub) -> None:
    p = sub.add_parser("graph", help="draw an actor → victim graph to a file",
                       description="Draw the actor → victim graph of a case folder, or of a "
                                   "leak-site posts file (top actors and their victims).")
    p.add_argument("input", metavar="CASE_OR_POSTS", help="case folder or posts file")
    p.add_argument("--top", type=int, help="actors to show for a posts file (default: 10)")
    _chart_options(p)
    p.set_defaults(func=_graph)


def _add_activity(sub) -> None:
    p = sub.add_parser("activity", help="draw leak-site posts per week to a file",
                       description="Draw victims claimed per week and group from a leak-site "
                                   "posts file (ransomwatch or ransomware.live).")
    p.add_argument("posts", help="posts file")
    _chart_options(p, tlp=False)
    p.set_defaults(func=_activity, tlp="clear")


def _add_import(sub) -> None:
    p = sub.add_parser("import", help="add a leak-site, STIX or MISP file to a case",
                       description="Detect the format of FILE (leak-site posts, STIX 2.1 bundle, "
                                   "MISP event), read it and merge it into the case folder "
                                   "(created if missing).")
    p.add_argument("file", help="file to import")
    p.add_argument("--case", required=True, help="case folder to add to")
    p.add_argument("--tlp", default="amber", help="marking for data that carries none "
                                                 "(default: amber)")
    p.add_argument("--date", choices=["discovered", "published"],
                   help="which leak-site date becomes the claim date")
    p.set_defaults(func=_import)


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write a case as a STIX bundle or MISP event",
                       description="Write the case as a STIX 2.1 bundle or a MISP event JSON.")
    p.add_argument("case", help="case folder, or the name of a shipped case such as royal-mail-2023")
    p.add_argument("--format", required=True, choices=["stix", "misp"])
    p.add_argument("-o", "--output", required=True, help="JSON file to write")
    p.add_argument("--tlp", help="leave out rows marked above this level")
    p.set_defaults(func=_export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analystkit",
        description="Actor → victim graphs and disruption timelines for CTI analysts.")
    parser.add_argument("--version", action="version", version=f"analystkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (_add_validate, _add_brief, _add_timeline, _add_graph, _add_activity, _add_import,
                _add_export):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"analystkit {args.command}: warning: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = one_line_warning
            return int(args.func(args))
    except ValidationError as exc:
        more = f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else ""
        print(f"analystkit {args.command}: error: {'; '.join(map(str, exc.problems[:3]))}{more}",
              file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
            ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        one_line = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
        print(f"analystkit {args.command}: error: {one_line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"analystkit {args.command}: interrupted", file=sys.stderr)
        return 130
