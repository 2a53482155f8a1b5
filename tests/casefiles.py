"""Test helpers: repository paths and a small valid case written as text."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SAMPLES = ROOT.parent / "shared" / "samples"
ROYAL_MAIL = DATA / "cases" / "royal-mail-2023"

EVENTS_HEADER = ("event_id,incident,start,end,ongoing,precision,end_precision,category,title,"
                 "description,actor,victim,status,sources,tlp,conflict,notes")
EVENTS_ROWS = [
    "e-001,demo,2023-01-10,2023-02-21,false,day,day,disruption,Exports halted,,LockBit,"
    "Royal Mail,confirmed,s1,clear,,",
    "e-002,demo,2023-01,,false,month,,extortion,Ransom demand,,LockBit,Royal Mail,claimed,"
    "s1;s2,clear,,",
    "e-003,demo,2023-01-12T13:44:00Z,,false,exact,,extortion,Chat opens,,LockBit,Royal Mail,"
    "reported,s2,amber,,",
]
SOURCES = ("source_id,name,url,published,reliability,tlp\n"
           "s1,Example News,https://news.example/a,2023-01-11,B,clear\n"
           "s2,Example Wire,https://wire.example/b,,C,clear\n")
META = ('{\n  "as_of": "2024-12-31",\n  "summary": "A test case.",\n  "title": "Demo case",\n'
        '  "tlp": "amber"\n}\n')


def write_case(folder: Path, *, events: str | None = None, sources: str | None = SOURCES,
               meta: str | None = META, extra: dict[str, bytes | str] | None = None) -> Path:
    """Write a case folder from text; ``events`` defaults to the three demo rows."""
    folder.mkdir(parents=True, exist_ok=True)
    if events is None:
        events = "\n".join([EVENTS_HEADER, *EVENTS_ROWS]) + "\n"
    files: dict[str, bytes | str] = {"events.csv": events}
    if sources is not None:
        files["sources.csv"] = sources
    if meta is not None:
        files["case.json"] = meta
    files.update(extra or {})
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def stix_objects(path: Path) -> list[dict]:
    """Every object of a STIX file or folder, as written (no de-duplication by id)."""
    import json

    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    objects: list[dict] = []
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        objects += data.get("objects", [data]) if isinstance(data, dict) else data
    return objects
