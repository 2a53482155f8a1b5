"""The ``analystkit`` command: the kit's jobs from a shell.

User errors are printed as one line on stderr with a non-zero exit status, never a traceback.
Exit status: 0 success, 1 the data has problems, 2 the command was used wrongly. Progress of
long jobs goes to stderr, so stdout carries only results. The jobs are in
:mod:`analystkit.cli.jobs`, their options in :mod:`analystkit.cli.parser`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from ..schema import ValidationError
from .jobs import in_cli_words
from .parser import build_parser

__all__ = ["build_parser", "main"]


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
        said = in_cli_words("; ".join(map(str, exc.problems[:3])))
        print(f"analystkit {args.command}: error: {said}{more}", file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
            ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        one_line = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
        print(f"analystkit {args.command}: error: {in_cli_words(one_line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"analystkit {args.command}: interrupted", file=sys.stderr)
        return 130
