"""The ``analystkit`` command: the kit's jobs from a shell.

User errors are printed as one line on stderr with a non-zero exit status, never a traceback.
Exit status: 0 success, 1 the data has problems, 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .case import load_case
from .schema import ValidationError

__all__ = ["main"]


def _validate(args: argparse.Namespace) -> int:
    try:
        case = load_case(args.case, encoding=args.encoding)
    except ValidationError as exc:
        print(f"{args.case}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.case}: valid")
    print(case.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analystkit",
        description="Actor → victim graphs and disruption timelines for CTI analysts.")
    parser.add_argument("--version", action="version", version=f"analystkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help="check a case folder and print every problem",
                       description="Load a case folder, print a summary if it is valid, or "
                                   "every problem found (file, line, column, value) if not.")
    p.add_argument("case", help="case folder (case.json + events.csv ...)")
    p.add_argument("--encoding", default="utf-8",
                   help="text encoding of the CSV files (default: utf-8, BOM allowed)")
    p.set_defaults(func=_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, IsADirectoryError, PermissionError, ValueError) as exc:
        print(f"analystkit {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"analystkit {args.command}: interrupted", file=sys.stderr)
        return 130
