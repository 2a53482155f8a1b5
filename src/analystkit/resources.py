"""Where the kit finds the data it ships: the alias table and the curated cases.

In a checkout the data is the repository's top-level ``data/`` folder; an installed kit (a wheel,
``pip install .``) carries the same files as package data (``analystkit/_data``). Set
``ANALYSTKIT_DATA`` to point the kit at another folder of the same layout.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["case_dir", "data_dir", "sample_cases"]

_CHECKOUT = Path(__file__).resolve().parents[2] / "data"  # src/analystkit/ -> the repository
_PACKAGED = Path(__file__).resolve().parent / "_data"  # where pyproject installs data/


def data_dir() -> Path:
    """The kit's data folder: ``$ANALYSTKIT_DATA``, else the checkout's ``data/``, else the
    package data of an installed kit.

    >>> (data_dir() / "aliases.csv").is_file()
    True
    """
    env = os.environ.get("ANALYSTKIT_DATA")
    if env:
        folder = Path(env)
        if not folder.is_dir():
            raise FileNotFoundError(f"ANALYSTKIT_DATA is {env!r}, which is not a folder; point it at "
                                    "a folder laid out like the repository's data/")
        return folder
    if (_CHECKOUT / "aliases.csv").is_file():
        return _CHECKOUT
    if (_PACKAGED / "aliases.csv").is_file():
        return _PACKAGED
    raise FileNotFoundError("analystkit's data folder was not found (neither data/ of a checkout "
                            "nor the installed package data); reinstall the kit or set ANALYSTKIT_DATA")


def sample_cases() -> list[str]:
    """Names of the curated cases shipped with the kit.

    >>> "royal-mail-2023" in sample_cases()
    True
    """
    folder = data_dir() / "cases"
    return sorted(p.name for p in folder.iterdir() if (p / "case.json").is_file())


def case_dir(name: str) -> Path:
    """The folder of the shipped case ``name`` (e.g. ``"royal-mail-2023"``).

    >>> case_dir("royal-mail-2023").name
    'royal-mail-2023'
    """
    folder = data_dir() / "cases" / name
    if not (folder / "case.json").is_file():
        raise FileNotFoundError(f"no shipped case named {name!r}; the kit ships "
                                f"{', '.join(sample_cases())}")
    return folder
