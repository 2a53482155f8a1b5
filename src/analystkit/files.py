"""The kit's one way of writing a file: whole or not at all.

Every writer (case saves, chart exports, the briefing pack, graph files) goes through
:func:`write_atomic` or :func:`write_all_atomic`: the bytes go to a temporary sibling, are flushed
to disk, and the temporary file is renamed over the target; then the folder itself is synced so
the rename survives a crash. A failure or an interrupt removes the temporary file and leaves the
old target as it was. New files get the permissions an ordinary ``open()`` would give them
(``0o666`` less the process umask), not the ``0o600`` of a bare temporary file.

A folder of files that belong together (a case) is saved by :func:`write_folder_atomic`, whole or
not at all even when the process is killed: every file is staged, then a journal naming the staged
files is put in place with one rename, then the files are renamed over their targets and the
journal is removed. :func:`settle_folder` (run by every save and load) finishes a save that was
stopped after its journal was written and removes the temporary files of one stopped before, so a
reader sees the old folder or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

__all__ = ["JOURNAL", "exchange", "file_mode", "settle_folder", "write_all_atomic", "write_atomic",
           "write_folder_atomic"]

#: The journal of a folder save in progress (a hidden file inside the folder).
JOURNAL = ".analystkit-save.json"


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


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (``flock`` on the folder itself; released when the
    process dies, so a killed save never leaves it held). A no-op where locking is unsupported."""
    try:
        import fcntl
        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temp_of(name: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]+\.tmp")


def _journal_entries(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """``{file name: staged temporary name}`` from the folder's journal; {} when there is none.
    Only the given names and temporary names of the kit's own form are honoured."""
    try:
        entries = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    wanted = set(names)
    return {n: t for n, t in entries.items() if isinstance(n, str) and isinstance(t, str)
            and n in wanted and _temp_of(n).fullmatch(t)}


def settle_folder(folder: str | os.PathLike, names: Iterable[str]) -> dict[str, Path]:
    """Finish or undo an interrupted :func:`write_folder_atomic` of ``names`` in ``folder``.

    A journal left by a save killed during its renames is rolled forward (the save completes);
    temporary files of a save killed before its journal was written are removed. Returns where
    each file's current content is: its own path, or, when the folder cannot be written (read-
    only), the staged file the journal names, so the folder still reads as the new version.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = write_folder_atomic(d, {"a.csv": b"new"})
    >>> _ = (d / ".a.csv.stale123.tmp").write_bytes(b"half")
    >>> settle_folder(d, ["a.csv"])["a.csv"].read_bytes(), sorted(p.name for p in d.iterdir())
    (b'new', ['a.csv'])
    """
    folder = Path(folder)
    names = list(names)
    where = {n: folder / n for n in names}
    if not folder.is_dir():
        return where
    with _locked(folder):
        return _settle(folder, names, where)


def _settle(folder: Path, names: list[str], where: dict[str, Path]) -> dict[str, Path]:
    entries = _journal_entries(folder, names)
    try:
        for name, tmp in entries.items():
            if (folder / tmp).exists():
                os.replace(folder / tmp, folder / name)
        if entries or (folder / JOURNAL).exists():
            sync_folder(folder)
            (folder / JOURNAL).unlink(missing_ok=True)
        for path in folder.iterdir():
            if any(_temp_of(n).fullmatch(path.name) for n in [*names, JOURNAL]):
                path.unlink(missing_ok=True)
    except OSError:  # a read-only folder: read the new version where the journal says it is
        where.update({n: folder / t for n, t in entries.items() if (folder / t).exists()})
    return where


def write_folder_atomic(folder: str | os.PathLike, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files ``{name: bytes}`` into ``folder`` as one unit: after a failure, an
    interrupt or a kill at any point, :func:`settle_folder` gives either every old file or
    every new one. Other files in the folder are left alone. Returns the paths written.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "case"
    >>> [p.name for p in write_folder_atomic(d, {"a.csv": b"1", "b.csv": b"2"})]
    ['a.csv', 'b.csv']
    >>> sorted(p.name for p in d.iterdir())
    ['a.csv', 'b.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    mode = file_mode()
    names = list(files)
    with _locked(folder):
        _settle(folder, names, {})
        staged: dict[str, Path] = {}
        try:
            for name, data in files.items():
                staged[name] = _stage(folder / name, data, mode)
            sync_folder(folder)
            journal = json.dumps({"files": {n: p.name for n, p in staged.items()}}, indent=1)
            os.replace(_stage(folder / JOURNAL, journal.encode("utf-8"), mode), folder / JOURNAL)
        except BaseException:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            raise
        sync_folder(folder)  # from here on the new version is the folder's content
        for name, tmp in staged.items():
            os.replace(tmp, folder / name)
        sync_folder(folder)
        (folder / JOURNAL).unlink()
        sync_folder(folder)
    return [folder / n for n in names]


def exchange(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Swap two existing paths (folders or files) in one atomic step; False where the system
    cannot (no ``renameat2``, or a file system without ``RENAME_EXCHANGE``), so the caller falls
    back to two renames.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a").write_text("A"); _ = (d / "b").write_text("B")
    >>> swapped = exchange(d / "a", d / "b")
    >>> (d / "a").read_text() == ("B" if swapped else "A")
    True
    """
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), os.fspath(a))
