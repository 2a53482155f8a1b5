"""The pack's folder holds this pack and nothing else.

:func:`building` gives a fresh hidden sibling of the pack folder to write into; when the whole
pack is written, it is swapped in for the old folder in one atomic step (``renameat2`` with
``RENAME_EXCHANGE`` on Linux; two renames elsewhere) and the old folder is removed. So no chart of
an earlier pack (an AMBER ``graph.png`` under a CLEAR pack) survives, and a failed or killed run
leaves the previous pack as it was. A folder that holds anything but an earlier pack is never
replaced: :func:`check_folder` refuses it, naming what it holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ...files import exchange, file_mode, sync_folder, write_atomic

__all__ = ["MANIFEST", "building", "check_folder", "write_manifest"]

#: The list of files (with their SHA-256) that a pack writes last.
MANIFEST = "manifest.json"
_OURS = re.compile(r"(brief\.(html|pdf)|(facts|conflicts|durations|sources)\.csv|"
                   r"(timeline|compare|activity|graph)\.(png|svg|txt)|manifest\.json)")


def _listed(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def check_folder(out: Path) -> None:
    """Raise ``ValueError`` unless ``out`` is missing, empty or an earlier pack (every entry in
    its manifest or named as a pack file).

    >>> check_folder(Path(tempfile.mkdtemp()) / "new")
    >>> check_folder(Path(tempfile.mkdtemp()).parent)
    Traceback (most recent call last):
    ValueError: ...
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder: give --out (out_dir) a folder for "
                         "the pack, new or holding an earlier pack")
    listed = _listed(out)
    foreign = sorted(p.name for p in out.iterdir() if p.name not in listed and not _OURS.fullmatch(p.name))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ValueError(f"{out} holds files that are not part of a briefing pack ({shown}); the "
                         "pack replaces its folder whole, so write it to a new or empty folder")


def _stale(out: Path) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(out.name)}\.pack-\w+")
    return [p for p in out.parent.iterdir() if pattern.fullmatch(p.name)] if out.parent.is_dir() else []


@contextlib.contextmanager
def building(out: Path) -> Iterator[Path]:
    """A fresh folder to write the pack into; swapped in for ``out`` when the block ends well,
    removed when it raises. Leftovers of an earlier killed run are removed first."""
    check_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in _stale(out):
        if not out.exists() and (old / MANIFEST).exists():
            os.replace(old, out)  # a run killed between its two fallback renames: put it back
        else:
            shutil.rmtree(old, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.pack-", dir=out.parent))
    try:
        os.chmod(work, file_mode() | (file_mode() & 0o444) >> 2)  # as mkdir would, not 0o700
        yield work
        check_folder(out)  # nothing foreign appeared meanwhile
        _swap_in(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the new pack on failure, the old one on success


def _swap_in(work: Path, out: Path) -> None:
    if not out.exists():
        os.rename(work, out)
    elif not exchange(work, out):
        aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.pack-", dir=out.parent))
        os.rename(out, aside / "old")
        os.rename(work, out)
        os.rename(aside / "old", work)
        os.rmdir(aside)
    sync_folder(out.parent)


def write_manifest(folder: Path, *, tlp: str) -> Path:
    """List every file of the pack in ``folder`` with its SHA-256 and the pack's marking."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.iterdir()) if p.is_file() and p.name != MANIFEST}
    body = json.dumps({"tlp": tlp, "files": files}, indent=2) + "\n"
    return write_atomic(folder / MANIFEST, body.encode("utf-8"))
