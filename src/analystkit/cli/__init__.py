"""The ``analystkit`` command: the kit's jobs from a shell.

Every expected failure is printed as one line on stderr, ``analystkit <command>: error: ...``,
naming the file or folder and saying what to do; never a traceback. (``validate`` is the one
job that prints a list: finding every problem of a case is what it is for.)

Exit status:

- 0: success.
- 1: the data has problems (a case or feed was read and something in it is wrong: a bad
  value, a CSV row with the wrong number of fields, text in the wrong encoding), or the kit
  could not write its output (no space left, a read-only file system, permission denied, a
  file where the output folder should be).
- 2: the command was used wrongly (an unknown option, options that exclude each other), or
  an input could not be read at all (nothing at the path, permission denied, a folder or named
  pipe where a file was expected, a JSON file in no encoding JSON allows, a download that
  failed: no connection, a server error, an interrupted body).

Progress of long jobs goes to stderr, so stdout carries only results. The jobs are in
:mod:`analystkit.cli.jobs`, their options in :mod:`analystkit.cli.parser`, the wording of
errors in :mod:`analystkit.cli.errors`.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Sequence

from ..io.download import DownloadError
from ..schema import ValidationError
from ..tables import UnreadableFileError
from .errors import BAD_INPUT, DATA_PROBLEMS, one_line, os_error_line
from .jobs import in_cli_words
from .parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; return its exit status (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.writing = None  # a job sets it to what it writes once it starts writing

    def one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"analystkit {args.command}: warning: {one_line(message)}", file=sys.stderr)

    def error(message: object, status: int) -> int:
        said = in_cli_words(one_line(message))
        print(f"analystkit {args.command}: error: {said}", file=sys.stderr)
        return status

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            # libraries' deprecation notices (pyparsing under an older matplotlib) are not the
            # user's business: the CLI shows only warnings about their data
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
            logging.getLogger("matplotlib").setLevel(logging.ERROR)
            warnings.showwarning = one_line_warning
            return int(args.func(args))
    except ValidationError as exc:
        more = f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else ""
        return error("; ".join(map(str, exc.problems[:3])) + more, DATA_PROBLEMS)
    except (UnreadableFileError, DownloadError) as exc:
        return error(exc, BAD_INPUT)
    except OSError as exc:  # from any job, however deep: pandas, matplotlib, the atomic writer
        return error(*os_error_line(exc, writing=args.writing))
    except (ValueError, KeyError) as exc:
        return error(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc, DATA_PROBLEMS)
    except KeyboardInterrupt:
        print(f"analystkit {args.command}: interrupted", file=sys.stderr)
        return 130
