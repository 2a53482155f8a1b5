"""The kit's one way of writing a file: whole or not at all.

Every writer (case saves, chart exports, the briefing pack, graph files) goes through
:func:`write_atomic` or :func:`write_all_atomic`: the bytes go to a temporary sibling, are flushed
to disk, and the temporary file is renamed over the target; then the folder itself is synced so
the rename survives a crash. A failure or an interrupt removes the temporary file and leaves the
old target as it was. New files get the permissions an ordinary ``open()`` would give them
(``0o666`` less the process umask), not the ``0o600`` of a bare temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["file_mode", "write_all_atomic", "write_atomic"]


def file_mode() -> int:
    """The permission bits a new file gets under the current umask (e.g. ``0o644`` for ``022``).

    >>> old = os.umask(0o022); mode = file_mode(); _ = os.umask(old)
    >>> oct(mode)
    '0o644'
    """
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _stage(path: Path, data: bytes, mode: int) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole, replacing any old file only once the new one is on disk.

    >>> import tempfile
    >>> p = write_atomic(Path(tempfile.mkdtemp()) / "a" / "note.txt", b"hello")
    >>> p.read_bytes(), sorted(x.name for x in p.parent.iterdir())
    (b'hello', ['note.txt'])
    """
    return write_all_atomic({path: data})[0]


def write_all_atomic(files: Mapping[str | os.PathLike, bytes]) -> list[Path]:
    """Write several files: all are staged beside their targets first, then renamed into place.

    If staging any of them fails, no target is touched and every temporary file is removed.
    Returns the target paths in the order given.
    """
    mode = file_mode()
    targets = [Path(p) for p in files]
    staged: list[Path] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append(_stage(target, data, mode))
        for tmp, target in zip(staged, targets, strict=True):
            os.replace(tmp, target)
    except BaseException:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for folder in dict.fromkeys(t.parent for t in targets):
        sync_folder(folder)
    return targets
