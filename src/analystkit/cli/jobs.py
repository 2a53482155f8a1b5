"""What each ``analystkit`` sub-command does, one function per job (the parser is in
:mod:`analystkit.cli.parser`).

Each job imports the modules it needs when it runs (``analystkit --help`` and ``validate`` do not
load matplotlib); that is the only reason for the imports inside functions below.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path

from ..case import Case, load_case
from ..files import write_atomic
from ..resources import case_dir, sample_cases
from ..schema import ValidationError, empty
from ..tables import UnreadableFileError, regular_file_problem

__all__ = ["draw_activity", "draw_graph", "draw_timeline", "export_case", "import_file",
           "in_cli_words", "say", "validate_case", "write_brief"]


def in_cli_words(message: str) -> str:
    """A message of the kit's Python API put in the command line's words: an option spelled
    ``encoding='cp1252'`` becomes ``--encoding cp1252``.

    >>> in_cli_words("read it with encoding='cp1252'")
    'read it with --encoding cp1252'
    """
    return re.sub(r"\bencoding='([\w-]+)'", r"--encoding \1", message)


def say(message: str) -> None:
    print(f"analystkit: {message}", file=sys.stderr, flush=True)


def _writing(args: argparse.Namespace, path: str | Path) -> Path:
    """Note that the job now writes ``path``: from here on an :class:`OSError` is a failure to
    write it (exit status 1), not an input that could not be read (2)."""
    args.writing = Path(path)
    return args.writing


def validate_case(args: argparse.Namespace) -> int:
    try:
        case = load_case(_case_folder(args.case), encoding=args.encoding)
    except ValidationError as exc:
        print(in_cli_words(f"{args.case}: {exc}"), file=sys.stderr)
        return 1
    print(f"{args.case}: valid")
    print(case.summary())
    return 0


def _case_folder(name: str) -> Path:
    """A case folder: the path given, or (when no such folder exists) the shipped case of that name."""
    folder = Path(name)
    if folder.exists() or folder.name != name or name not in sample_cases():
        return folder
    say(f"using the shipped case {name} ({case_dir(name)})")
    return case_dir(name)


def _chosen(case: Case, args: argparse.Namespace) -> tuple[list[Case] | None, list[Case]]:
    """The cases the pack compares with and draws on (see ``export.pack.data.listed_cases``)."""
    from ..export.pack.data import listed_cases

    if args.no_related:
        return [], []
    compare = None if args.compare is None and args.related is not None else \
        listed_cases(case, "compare", args.compare, near=[Path.cwd()])  # None: the related ones
    related = listed_cases(case, "related", args.related, near=[Path.cwd()])
    for other in [*(compare or []), *related]:
        say(f"reading related case {other.folder}")
    return compare, related


def write_brief(args: argparse.Namespace) -> int:
    from ..export import brief

    if args.no_related and (args.compare is not None or args.related is not None):
        print("analystkit brief: error: --no-related cannot be combined with --compare or --related",
              file=sys.stderr)
        return 2
    from ..export.pack.data import pack_level

    pack_level(args.tlp)  # a bad level is refused before anything is read
    case = load_case(_case_folder(args.case), encoding=args.encoding)
    compare, related = _chosen(case, args)
    charts = tuple(c for c in (args.charts or "").split(",") if c)
    posts = _feeds(args.posts, args.date) if args.posts else _cached(args)  # read before writing
    out = brief(case, _writing(args, args.out), tlp=args.tlp, posts=posts, related=related,
                compare=compare, theme=args.theme, progress=say, **({"charts": charts} if charts else {}))
    print(out / "brief.html")
    print(out / "brief.pdf")
    return 0


def _suffix(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise ValueError(f"cannot tell the format of {path!r}: name it .png, .svg or .pdf")
    return suffix


def _one_chart(args: argparse.Namespace, key: str, pack_case, posts=None) -> int:
    from .. import theme
    from ..export import save
    from ..export.pack.charts import draw, why_not
    from ..export.pack.data import prepare

    _suffix(args.output)
    pack = prepare(pack_case, tlp=args.tlp, posts=posts)
    with theme.use(args.theme):
        say(f"drawing the {key} chart")
        chart = draw(pack, key)
        if chart is None:
            raise ValueError(f"no {key} chart: {why_not(pack, key)}")
        paths = save(chart.figure, _writing(args, args.output), size=args.size, tlp=pack.tlp,
                     title=chart.title,
                     subtitle=chart.subtitle, as_of=pack.as_of, sources=chart.sources, alt=chart.alt)
    for p in paths:
        print(p)
    return 0


def draw_timeline(args: argparse.Namespace) -> int:
    return _one_chart(args, "timeline", load_case(_case_folder(args.case), encoding=args.encoding))


def _read_posts(path: str, date: str | None = None):
    from ..io.leaksites import read_posts

    return read_posts(path, date=date)


def _cached(args: argparse.Namespace):
    """The newest snapshot of the feed cache as posts (None when the cache holds none, said)."""
    from ..io.feeds import FeedError, posts_source
    from ..io.leaksites import read_posts

    try:
        folder, snap = posts_source(cache=args.cache)
    except FeedError as exc:
        say(f"{exc}; without one the pack has no activity chart")
        return None
    say(f"no --posts named: reading the newest cached snapshot, the {snap.describe()} ({folder})")
    try:
        posts = read_posts(folder, date=args.date)
    except ValueError as exc:
        if args.date is not None or "is ambiguous" not in str(exc):
            raise
        say("the snapshot has several dates: counting by 'discovered' (the crawler's); --date picks another")
        posts = read_posts(folder, date="discovered")
    posts.attrs["snapshot"] = snap.describe()
    return posts


def _feeds(paths: list[str], date: str | None = None):
    """One feed as it is read; several combined, each post once (victims linked across them)."""
    if len(paths) == 1:
        return _read_posts(paths[0], date)
    from ..io.feedmerge import combine_feeds

    posts, merges = combine_feeds({Path(p).name: _read_posts(p, date) for p in paths})
    say(f"merged {len(paths)} feeds: {len(posts)} posts, {len(merges)} victim names linked")
    return posts


def draw_graph(args: argparse.Namespace) -> int:
    source = Path(args.input)
    if source.is_dir():
        return _one_chart(args, "graph", load_case(source, encoding=args.encoding))
    from .. import theme
    from ..export import SIZES, save
    from ..export.pack.data import prepare
    from ..graph import actor_victim_graph
    from ..plot import graph

    _suffix(args.output)
    posts = _read_posts(args.input)
    pack = prepare(_empty_case(), tlp="clear", posts=posts)
    with theme.use(args.theme):
        import matplotlib.pyplot as plt

        say("building the actor → victim graph")
        G = actor_victim_graph(posts)
        fig, ax = plt.subplots(figsize=SIZES["slide"], layout="constrained")
        graph(G, ax=ax, top=args.top or 10, per_actor=15, legend=False)
        first, last = posts["date"].min(), posts["date"].max()
        paths = save(fig, _writing(args, args.output), size=args.size, tlp="clear",
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


def draw_activity(args: argparse.Namespace) -> int:
    case = _empty_case()
    say(f"reading {args.posts}")
    return _one_chart(args, "activity", case, posts=_read_posts(args.posts))


def report_coverage(args: argparse.Namespace) -> int:
    from ..io.coverage import feed_coverage

    coverage = feed_coverage(args.posts, date=args.date)
    for line in [f"{args.posts}: {coverage.lines()[0]}", *coverage.lines(top=max(args.top, 0))[1:]]:
        say(line)
    return 0


def new_case_job(args: argparse.Namespace) -> int:
    from ..newcase import new_case

    folder = _writing(args, Path(args.folder))
    case = new_case(folder, title=args.title, actor=args.actor, victim=args.victim, day0=args.day0,
                    tz=args.tz, tlp=args.tlp, incident=args.incident, as_of=args.as_of,
                    author=args.author)
    say(f"new case {case.meta['incident']!r} ({case.tlp.upper()}, as of {case.meta['as_of']}, "
        f"{len(case.entities)} entities, no events yet)")
    print(folder)
    return 0


def extract_job(args: argparse.Namespace) -> int:
    from ..extract.article import read_article
    from ..extract.review import CANDIDATES_FILE, extract_into

    article = read_article(args.article, published=args.published, url=args.url)
    say(f"reading {args.article}: published {article.published} ({article.date_from})")
    table, new = extract_into(_writing(args, Path(args.case)), article, kind=args.kind)
    mine = table[table["article"] == (article.url or article.file)]
    say(f"{new} new candidate event(s), {len(mine)} from this article in {Path(args.case) / CANDIDATES_FILE}")
    for _, row in mine[mine["state"] == "proposed"].iterrows():
        print(f"{row['candidate_id']}\t{row['date']} ({row['date_rule']})\t{row['category']}\t"
              f"{row['status']}\t{row['evidence'][:100]}")
        if row["check"]:
            print(f"\t  {row['check']}")
    return 0


def review_job(args: argparse.Namespace) -> int:
    from ..extract.review import candidates_of, review

    if not args.accept and not args.reject:
        for _, row in candidates_of(args.case).iterrows():
            print(f"{row['candidate_id']}\t{row['state']}\t{row['date']}\t{row['category']}\t"
                  f"{row['status']}\t{row['evidence'][:100]}")
        return 0
    _, new = review(_writing(args, Path(args.case)), accept=args.accept, reject=args.reject)
    say(f"accepted {len(new)} as event(s) {', '.join(new) or '-'}; rejected {len(args.reject)}")
    return 0


def pull_feed_job(args: argparse.Namespace) -> int:
    from ..io.feeds import pull_feed

    pull = pull_feed(args.name, url=args.url, cache=args.cache, progress=not args.quiet)
    say(f"{args.name}: {pull.line()}")
    return 0


def list_feeds(args: argparse.Namespace) -> int:
    from ..io.feeds import default_cache, snapshots

    held = snapshots(args.cache)
    if not held:
        say(f"no feed snapshot in {args.cache or default_cache()}: `analystkit feeds pull ransomwatch` "
            "stores one")
    for snap in held:
        print(f"{snap.describe()}\t{snap.path}")
    return 0


def import_file(args: argparse.Namespace) -> int:
    from ..io.detect import detect
    from ..io.importing import import_into, report_lines

    path = Path(args.file)
    why = regular_file_problem(path)
    if why == "does not exist":
        raise FileNotFoundError(2, "no such file", str(path))
    if why is not None and not path.is_dir():
        raise UnreadableFileError(path, f"{why}; name the file to import")
    say(f"reading {path} as {'facts' if args.map else detect(path)}")
    folder = Path(args.case)
    case = load_case(folder, encoding=args.encoding) if folder.exists() else None
    mapping = dict(_pair(m) for m in args.map)
    try:
        merged, counts = import_into(case, path, tlp=args.tlp, date=args.date,
                                     update_as_of=args.update_as_of, mapping=mapping)
    except ValidationError as exc:
        if not args.dry_run:
            raise
        for problem in exc.problems:  # a dry run lists every problem, not the first three
            say(f"problem: {problem}")
        say(f"dry run: {len(exc.problems)} problem(s); nothing would be written")
        return 1
    kept = "not written (dry run)" if args.dry_run else f"{folder / 'case.json'}, key \"import\""
    for line in report_lines(merged.meta.get("import", {}), counts, kept=kept):
        say(line)
    if args.dry_run:
        say(f"dry run: nothing written to {folder}")
        return 0
    if case is not None and not any(c.get("added") or c.get("updated") for c in counts.values()):
        say(f"nothing new: {folder} is left as it was")
        print(folder)
        return 0
    written = merged.save(_writing(args, folder))
    say(f"wrote {len(written)} files to {folder}")
    print(folder)
    return 0


def _pair(text: str) -> tuple[str, str]:
    """``COLUMN=FIELD`` of ``--map``."""
    column, sep, name = text.partition("=")
    if not sep or not column.strip() or not name.strip():
        raise ValueError(f"--map {text!r}: write COLUMN=FIELD, e.g. --map 'When=start'")
    return column.strip(), name.strip()


def export_case(args: argparse.Namespace) -> int:
    from ..io import misp, stix

    if args.incident_core and args.format != "stix":
        raise ValueError("--incident-core is a STIX option; use it with --format stix")
    writer = {"stix": functools.partial(stix.to_bundle, incident_core=args.incident_core),
              "misp": misp.to_event}[args.format]
    case = load_case(_case_folder(args.case), encoding=args.encoding)
    if args.tlp:
        case, withheld = case.at_tlp(args.tlp)
        for key in (k for k in ("title", "summary") if withheld[k]):
            say(f"the case {key} is marked TLP:{case.marking(key).upper()} and is left out")
    text = json.dumps(writer(case), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(_writing(args, args.output), text.encode("utf-8"))
    print(args.output)
    return 0
