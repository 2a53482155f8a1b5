"""How the command line words what went wrong: one line naming the path and saying what to do,
and the exit status that goes with it (see :mod:`analystkit.cli`)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

__all__ = ["BAD_INPUT", "COULD_NOT_WRITE", "DATA_PROBLEMS", "WRITE_ERRNOS", "one_line",
           "os_error_line"]

#: Exit status: the data has problems (listed).
DATA_PROBLEMS = 1
#: Exit status: the kit could not write its output.
COULD_NOT_WRITE = 1
#: Exit status: the command was used wrongly, or an input could not be read at all.
BAD_INPUT = 2
#: Errors only writing can meet, whatever the job was doing when they came.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG})
#: The longest line printed; longer messages end in an ellipsis.
LONGEST = 1000
# A file staged beside its target by ``files.write_atomic`` (``.brief.html.k3j9x_2a.tmp``).
_STAGED = re.compile(r"^\.(?P<name>.+)\.[^.]+\.tmp$")

_WRITE_ADVICE = {
    errno.ENOSPC: "no space is left on the device (ENOSPC); free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up (EDQUOT); free some space or write elsewhere",
    errno.EFBIG: "the file would be too large for the file system (EFBIG); write elsewhere",
    errno.EROFS: "the file system is read-only (EROFS); write somewhere else",
    errno.EACCES: "permission denied; write to a folder you may write in, or change its "
                  "permissions",
    errno.EPERM: "the operation is not permitted; write to a folder you may write in",
    errno.EEXIST: "a file is in the way where a folder is needed; name a new folder, or move "
                  "the file",
    errno.ENOTDIR: "a file is in the way where a folder is needed; name a new folder, or move "
                   "the file",
    errno.EISDIR: "it is a folder; name a file to write",
    errno.ENOENT: "a folder on the way does not exist; create it first",
}
_READ_ADVICE = {
    errno.ENOENT: "there is no such file or folder; check the path",
    errno.EACCES: "permission denied; ask for read access, or copy it somewhere you may read",
    errno.EPERM: "the operation is not permitted; copy it somewhere you may read",
    errno.EISDIR: "it is a folder; name a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
}


def one_line(message: object) -> str:
    """A message as one line: its lines joined with "; ", cut to :data:`LONGEST` characters.

    >>> one_line("3 problems found:\\n  - a\\n  - b")
    '3 problems found:; - a; - b'
    """
    text = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _shown_path(filename: object, writing: Path | None) -> str:
    """The path a message names: a staged temporary file is named by the file it stands for."""
    if isinstance(filename, bytes):
        filename = os.fsdecode(filename)
    if filename is None:
        return str(writing) if writing is not None else ""
    path = Path(str(filename))
    staged = _STAGED.match(path.name)
    return str(path.with_name(staged["name"]) if staged else path)


def os_error_line(exc: OSError, *, writing: Path | None) -> tuple[str, int]:
    """The one-line message and the exit status for an :class:`OSError` a job raised.

    Parameters
    ----------
    exc : the error. Its ``filename`` is named when set, else ``writing``.
    writing : what the job was writing when the error came, or None while it was still reading.
        An error in that stage, or one only writing can meet (no space, a read-only file system),
        is a failure to write (:data:`COULD_NOT_WRITE`); any other is an input the kit cannot
        read (:data:`BAD_INPUT`).

    Examples
    --------
    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device"), writing=Path("out"))
    ('could not write out: no space is left on the device (ENOSPC); free some space or write \
elsewhere', 1)
    >>> os_error_line(PermissionError(errno.EACCES, "Permission denied", "in/events.csv"),
    ...               writing=None)
    ('cannot read in/events.csv: permission denied; ask for read access, or copy it somewhere \
you may read', 2)
    """
    if exc.errno is None:  # raised by the kit, with a message that names the path already
        return one_line(exc), COULD_NOT_WRITE if writing is not None else BAD_INPUT
    path = _shown_path(exc.filename, writing)
    where = f" {path}" if path else ""
    if writing is not None or exc.errno in WRITE_ERRNOS:
        advice = _WRITE_ADVICE.get(exc.errno, exc.strerror or os.strerror(exc.errno))
        return one_line(f"could not write{where}: {advice}"), COULD_NOT_WRITE
    advice = _READ_ADVICE.get(exc.errno, exc.strerror or os.strerror(exc.errno))
    return one_line(f"cannot read{where}: {advice}"), BAD_INPUT
