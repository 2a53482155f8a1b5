"""The hostile-string matrix: every class of attacker string, through every reader, into every writer.

Each class of :data:`HOSTILE` is put into the names, titles, descriptions and references of four
real-format inputs: a ransomwatch ``posts.json``, a ransomware.live CSV export, a STIX 2.1 bundle
and a MISP event. Every class is read on its own first (the reader must not crash and must hand
back tamed tables), then all classes together are imported with the CLI into a case, and that case
goes out through every writer: the case's own CSVs, a CLEAR briefing pack (HTML, PDF, SVG, CSV),
STIX and MISP exports, GraphML, GEXF and node-link JSON. Each output is read back by a real parser
(``html.parser``, ``defusedxml``, ``csv``, ``json``, ``stix2``, ``pymisp``, networkx, poppler).

Every hostile string also has an AMBER twin, the same text behind a marker ``amb<NN>q``: the twins
are imported at (or marked) TLP:AMBER, so a marker in any CLEAR output is a leak of that class.

``test_the_matrix_is_clean`` prints the table class → tried / crashed / injected / leaked
(``pytest -s tests/test_hostile_matrix.py``).
"""

from __future__ import annotations

import base64
import csv
import html.parser
import io
import json
import re
import warnings
from collections import defaultdict
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pymisp
import pytest
import stix2
from casefiles import write_case
from test_pack import pdf_text

from analystkit import load_case, text
from analystkit._testing import stable_uuid
from analystkit.cli import main
from analystkit.graph import actor_victim_graph
from analystkit.io import graphfiles, leaksites, misp, stix
from analystkit.tables import UnreadableFileError

pytestmark = pytest.mark.slow  # about a minute: four packs and 108 single-class reads

HOSTILE = {
    "nul": "Nul\x00Byte Ltd",
    "c0": "Bell\x07\x1bEsc Ltd",
    "cr": "Evil\rCorp",
    "lf": "Line\nBreak Ltd",
    "crlf": "Dos\r\nEnding Ltd",
    "tab": "\tTabbed Ltd",
    "c1-nel": "Next\x85Line\x9bCsi Ltd",
    "del": "Del\x7fete Ltd",
    "surrogate": "Lone\ud800Half Ltd",
    "bidi": "Invoice\u202egnp.exe Corp",
    "zero-width": "Zero\u200bWidth\u2060Join Ltd",
    "bom": "\ufeffBommed Ltd",
    "formula": '=HYPERLINK("http://evil.example/x","open")',
    "plus": "+1-555 Initech",
    "minus": "-2+3 Umbrella",
    "at": "@SUM(1+1) Hooli",
    "script": "<script>window.pwned=1</script>Acme",
    "xml": ']]><!ENTITY xxe SYSTEM "file:///etc/passwd">&xxe; Cdata Corp',
    "quotes": "O'Brien \"Quoted\" `Ticked` Ltd",
    "mathtext": "Pay $80m or $x^2$ now",
    "long": "A" * 10_000,
    "emoji": "Cafe \u2615 \U0001f480 Holdings",
    "rtl": "\u0634\u0631\u0643\u0629 \u0627\u0644\u0628\u0631\u064a\u062f",  # "the postal company"
    "backslash": "C:\\Users\\evil\\x00 Ltd",
    "format": "{0} {name!r} %s %(x)d Ltd",
    "traversal": "../../../etc/passwd",
    "js-url": "javascript:alert(document.domain)",
}
CLASSES = list(HOSTILE)
#: A part of each class's text that must survive taming (what taming keeps of it).
KEPT = {"nul": "Byte Ltd", "c0": "Esc Ltd", "cr": "Corp", "lf": "Break Ltd", "crlf": "Ending Ltd",
        "tab": "Tabbed Ltd", "c1-nel": "Csi Ltd", "del": "ete Ltd", "surrogate": "Half Ltd",
        "bidi": "gnp.exe Corp", "zero-width": "Join Ltd", "bom": "Bommed Ltd", "formula": "HYPERLINK(",
        "plus": "Initech", "minus": "Umbrella", "at": "SUM(1+1) Hooli", "script": "</script>Acme",
        "xml": "&xxe; Cdata Corp", "quotes": "\"Quoted\" `Ticked`", "mathtext": "$80m or $x^2$ now",
        "long": "A" * 100, "emoji": "\u2615 \U0001f480 Holdings", "rtl": HOSTILE["rtl"],
        "backslash": "C:\\Users\\evil\\x00", "format": "{0} {name!r} %s %(x)d", "traversal": "etc/passwd",
        "js-url": "alert(document.domain)"}
#: Characters no output may hold (tab, LF and, between CSV records, CR aside).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060"
                       "\u2066-\u2069\ufeff\ud800-\udfff]")
#: What a tamed name may not hold (free text may hold tab and LF).
UNTAMED_NAME = re.compile(f"[\t\n\r{FORBIDDEN.pattern[1:-1]}]")
UNTAMED_TEXT = re.compile(f"[\r{FORBIDDEN.pattern[1:-1]}]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
READERS = ("posts-json", "posts-csv", "stix", "misp")
TLP2_AMBER = stix.TLP_MARKINGS["amber"]
STAMP = "2023-01-05T10:00:00.000Z"


def marker(i: int) -> str:
    return f"amb{i:02d}q"


def twin(i: int, value: str) -> str:
    """The AMBER twin of a hostile string: the marker first, so that truncation keeps it."""
    return f"{marker(i)} {value}"


# ---------------------------------------------------------------- inputs, in four real formats

def _posts_records(classes: list[str], *, amber: bool) -> list[dict]:
    records = []
    for name in classes:
        i = CLASSES.index(name)
        value = twin(i, HOSTILE[name]) if amber else HOSTILE[name]
        day = f"2023-01-{i % 28 + 1:02d} 10:00:00.000000"
        records.append({"post_title": value, "group_name": "lockbit3", "discovered": day,
                        "website": value, "country": "GB"})
        records.append({"post_title": f"claim {i:02d}{'a' if amber else 'c'} Ltd",
                        "group_name": f"crew {value}", "discovered": day})
    return records


def write_posts_json(path: Path, classes: list[str], *, amber: bool = False) -> Path:
    path.write_text(json.dumps(_posts_records(classes, amber=amber)), encoding="ascii")  # \ud800 escaped
    return path


def write_posts_csv(path: Path, classes: list[str], *, amber: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, ["post_title", "group_name", "discovered", "website", "country"],
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_posts_records(classes, amber=amber))
    # a lone surrogate cannot be UTF-8; written as its three bytes, it is a file a reader must refuse
    path.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
    return path


def _stix_objects(i: int, value: str, amber: bool) -> list[dict]:
    mark = {"object_marking_refs": [TLP2_AMBER]} if amber else {}
    base = {"spec_version": "2.1", "created": STAMP, "modified": STAMP, **mark}
    actor = {"type": "intrusion-set", "id": f"intrusion-set--{_uuid('actor', i, amber)}",
             "name": f"crew {value}", "description": value, "aliases": [value], **base}
    victim = {"type": "identity", "id": f"identity--{_uuid('victim', i, amber)}", "name": value,
              "description": value, "identity_class": "organization", "sectors": ["technology"], **base}
    link = HOSTILE["js-url"] if i % 2 else f"https://news.example/{i}"
    relation = {"type": "relationship", "id": f"relationship--{_uuid('rel', i, amber)}",
                "relationship_type": "targets", "source_ref": actor["id"], "target_ref": victim["id"],
                "description": value, "start_time": STAMP,
                "external_references": [{"source_name": value, "url": link, "description": value}],
                **base}
    return [actor, victim, relation]


def _uuid(*parts: object) -> str:
    return stable_uuid("hostile", *parts)


def write_stix(path: Path, classes: list[str]) -> Path:
    objects = [stix.marking_definition("amber")]
    for name in classes:
        i = CLASSES.index(name)
        objects += _stix_objects(i, HOSTILE[name], False) + _stix_objects(i, twin(i, HOSTILE[name]), True)
    objects.append({"type": "report", "id": f"report--{_uuid('report', *classes)}", "spec_version": "2.1",
                    "created": STAMP, "modified": STAMP, "published": STAMP,
                    "name": "Hostile report " + " ".join(HOSTILE[n][:30] for n in classes),
                    "description": "\n".join(HOSTILE[n] for n in classes),
                    "object_refs": [o["id"] for o in objects[1:]]})
    bundle = {"type": "bundle", "id": f"bundle--{_uuid('bundle', *classes)}", "objects": objects}
    path.write_text(json.dumps(bundle), encoding="ascii")
    return path


def _misp_objects(i: int, value: str, amber: bool) -> list[dict]:
    tags = [{"name": "tlp:amber"}] if amber else [{"name": "tlp:clear"}]

    def attr(rel: str, type_: str, v: str) -> dict:
        return {"object_relation": rel, "type": type_, "value": v, "timestamp": "1672912800", "Tag": tags}
    return [
        {"name": "victim", "uuid": _uuid("mv", i, amber), "Tag": tags, "Attribute": [
            attr("name", "target-org", value), attr("description", "text", value),
            attr("sectors", "text", value)]},
        {"name": "ransomware-group-post", "uuid": _uuid("mp", i, amber), "Tag": tags, "Attribute": [
            attr("ransomware-group", "text", f"crew {value}"), attr("entity-name", "text", value),
            attr("title", "text", value), attr("date-published", "datetime", STAMP)]},
    ]


def write_misp(path: Path, classes: list[str]) -> Path:
    objects, attributes = [], []
    for name in classes:
        i = CLASSES.index(name)
        for amber, value in ((False, HOSTILE[name]), (True, twin(i, HOSTILE[name]))):
            objects += _misp_objects(i, value, amber)
            attributes.append({"type": "link", "value": HOSTILE["js-url"] if i % 2 else
                               f"https://news.example/{i}", "comment": value, "timestamp": "1672912800",
                               "uuid": _uuid("ml", i, amber),
                               "Tag": [{"name": "tlp:amber" if amber else "tlp:clear"}]})
    event = {"Event": {"uuid": _uuid("event", *classes), "info": "Hostile event " + " ".join(
        HOSTILE[n][:30] for n in classes), "date": "2023-01-05", "timestamp": "1672912800",
        "threat_level_id": "2", "analysis": "1", "Orgc": {"name": "Example CERT"},
        "Tag": [{"name": "tlp:clear"}], "Attribute": attributes, "Object": objects}}
    path.write_text(json.dumps(event), encoding="ascii")
    return path


# ---------------------------------------------------------------- bookkeeping

class Matrix:
    """Counts per class: tried, crashed, injected, leaked (with the first few reasons)."""

    COLUMNS = ("tried", "refused", "crashed", "injected", "leaked")

    def __init__(self) -> None:
        self.counts = {name: dict.fromkeys(self.COLUMNS, 0) for name in CLASSES}
        self.why: dict[str, list[str]] = defaultdict(list)

    def tried(self, classes: list[str]) -> None:
        for name in classes:
            self.counts[name]["tried"] += 1

    def fail(self, column: str, classes: list[str], reason: str) -> None:
        for name in classes:
            self.counts[name][column] += 1
            self.why[column].append(f"{name}: {reason}")

    def table(self) -> str:
        rows = [f"| class | {' | '.join(self.COLUMNS)} |", "|---" * (len(self.COLUMNS) + 1) + "|"]
        rows += [f"| {n} | {' | '.join(str(c[k]) for k in self.COLUMNS)} |" for n, c in self.counts.items()]
        total = {k: sum(c[k] for c in self.counts.values()) for k in self.COLUMNS}
        rows.append(f"| **all** | {' | '.join(str(total[k]) for k in self.COLUMNS)} |")
        return "\n".join(rows)


def owners(found: str) -> list[str]:
    """The classes whose text holds a forbidden character (all of them when none does)."""
    return [n for n in CLASSES if found in HOSTILE[n]] or list(CLASSES)


def check_chars(m: Matrix, where: str, body: str) -> None:
    hit = FORBIDDEN.search(body)
    if hit:
        m.fail("injected", owners(hit.group()), f"{where} holds {hit.group()!r} at {hit.start()}")


def check_leaks(m: Matrix, where: str, body: str) -> None:
    for i, name in enumerate(CLASSES):
        if marker(i) in body:
            m.fail("leaked", [name], f"{where} holds the AMBER twin's marker {marker(i)}")


def check_live_links(m: Matrix, where: str, body: str) -> None:
    """What a reader sees (a page, a chart, the PDF) shows a link inside a name defanged (the
    URLs of the case's sources stay links: they are the analyst's references)."""
    if "http://evil.example" in body:
        m.fail("injected", ["formula"], f"{where} shows a live link: ...{_around(body, 'http://evil')}...")


def _around(body: str, needle: str) -> str:
    i = body.find(needle)
    return body[max(0, i - 80): i + 40].replace("\n", " ")


def check_csv(m: Matrix, where: str, body: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(body, newline="")))
    for row in rows:
        for cell in row:
            check_chars(m, where, cell.replace("\r\n", "\n").replace("\r", "\x0e"))  # a bare CR is bad
            if cell.startswith(FORMULA_START) and not _number(cell):
                starts = [n for n in CLASSES if HOSTILE[n].lstrip("\ufeff").startswith(cell[0])]
                m.fail("injected", starts or CLASSES, f"{where}: cell starts a formula: {cell[:40]!r}")
    return rows


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


class _Markup(html.parser.HTMLParser):
    ACTIVE = frozenset({"script", "iframe", "object", "embed", "img", "foreignobject"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if tag == "img" and src.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")):
            self.images.append(src)  # the kit's own charts, embedded: checked as SVG below
            attrs = [(k, v) for k, v in attrs if k != "src"]
        elif tag in self.ACTIVE:
            self.bad.append(f"<{tag}>")
        for key, value in attrs:
            if key.startswith("on"):
                self.bad.append(f"{key}= on <{tag}>")
            if key in ("href", "src", "xlink:href", "action") and value and \
                    value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.bad.append(f"{key}={value[:30]!r}")

    def handle_decl(self, decl):
        self.bad.append(f"<!{decl[:30]}>")


def check_markup(m: Matrix, where: str, body: str) -> None:
    parser = _Markup()
    parser.feed(body)
    parser.close()
    for i, src in enumerate(parser.images):
        if src.startswith("data:image/svg+xml;base64,"):
            check_xml(m, f"{where} image {i + 1}", base64.b64decode(src.split(",", 1)[1]))
    for bad in parser.bad:
        if bad.startswith("<!") and bad.lower().startswith("<!doctype"):
            continue
        culprits = ["js-url"] if "javascript" in bad else ["xml"] if "ENTITY" in bad else ["script"]
        m.fail("injected", culprits, f"{where}: active markup {bad}")


def check_xml(m: Matrix, where: str, data: bytes) -> None:
    try:
        SafeET.fromstring(data)  # refuses entity declarations: a DTD in an output is an injection
    except Exception as exc:
        m.fail("injected", CLASSES, f"{where} is not well-formed XML ({type(exc).__name__}: {exc})")
        return
    check_markup(m, where, data.decode("utf-8"))


# ---------------------------------------------------------------- single-class reads

def _read(reader: str, folder: Path, name: str):
    if reader == "posts-json":
        return leaksites.read_posts(write_posts_json(folder / f"{name}.json", [name]))
    if reader == "posts-csv":
        return leaksites.read_posts(write_posts_csv(folder / f"{name}.csv", [name]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if reader == "stix":
            return stix.read(write_stix(folder / f"{name}.stix.json", [name]), tlp="clear")
        return misp.read(write_misp(folder / f"{name}.misp.json", [name]), tlp="clear")


def _frames(result) -> dict:
    return {"posts": result} if hasattr(result, "columns") else {t: result.table(t) for t in (
        "events", "relations", "entities", "sources")}


def check_tamed(m: Matrix, where: str, frames: dict, name: str) -> None:
    """No untamed character, no overlong name, and what taming keeps of the class is still there."""
    found = False
    for table, frame in frames.items():
        for col in frame.columns:
            if frame[col].dtype != object:
                continue
            multiline = col in ("description", "notes", "summary", "stix_extra", "misp_extra")
            for value in frame[col]:
                if not isinstance(value, str):
                    continue
                found = found or KEPT[name] in value
                pattern = UNTAMED_TEXT if multiline else UNTAMED_NAME
                if pattern.search(value):
                    m.fail("injected", [name], f"{where}: {table}.{col} holds {value[:40]!r}")
                if not multiline and col != "url" and len(value) > text.NAME_MAX:
                    m.fail("injected", [name], f"{where}: {table}.{col} is {len(value)} characters")
    if not found:
        m.fail("crashed", [name], f"{where}: {KEPT[name]!r} was lost on the way in")


# ---------------------------------------------------------------- the whole run

def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def run_reader(reader: str, root: Path, m: Matrix) -> None:
    base = root / reader
    base.mkdir()
    for name in CLASSES:  # each class alone: the reader neither crashes nor lets it in untamed
        m.tried([name])
        where = f"{reader} read of {name!r} alone"
        try:
            result = _read(reader, base, name)
        except UnreadableFileError as exc:
            if name == "surrogate" and reader == "posts-csv" and "not valid UTF-8" in str(exc):
                m.counts[name]["refused"] += 1  # a lone surrogate cannot be UTF-8: refusing the
                continue  # file, naming the line, is right
            m.fail("crashed", [name], f"{where}: {type(exc).__name__}: {exc}")
            continue
        except Exception as exc:
            m.fail("crashed", [name], f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        check_tamed(m, where, _frames(result), name)

    classes = [n for n in CLASSES if not (reader == "posts-csv" and n == "surrogate")]
    case_dir = write_case(base / "case")
    if reader.startswith("posts"):
        write = write_posts_json if reader == "posts-json" else write_posts_csv
        ext = "json" if reader == "posts-json" else "csv"
        inputs = [(write(base / f"all.{ext}", classes), "clear"),
                  (write(base / f"amber.{ext}", classes, amber=True), "amber")]
    else:
        write = write_stix if reader == "stix" else write_misp
        inputs = [(write(base / "all.json", classes), "clear")]
    for path, tlp in inputs:
        m.tried(classes)
        code = main(["import", str(path), "--case", str(case_dir), "--tlp", tlp])
        if code != 0:
            m.fail("crashed", classes, f"{reader}: import of {path.name} exited {code}")
            return
    check_case_files(reader, case_dir, classes, m)

    out = base / "out"
    m.tried(classes)
    posts = ["--posts", str(inputs[0][0])] if reader.startswith("posts") else []
    code = main(["brief", str(case_dir), "--tlp", "clear", "--out", str(out), *posts])
    if code != 0:
        m.fail("crashed", classes, f"{reader}: brief exited {code}")
    else:
        check_pack(reader, out, classes, m, activity=bool(posts))

    for fmt in ("stix", "misp"):
        for level in ("clear", "amber"):
            target = base / f"export-{level}.{fmt}.json"
            m.tried(classes)
            code = main(["export", str(case_dir), "--format", fmt, "--tlp", level, "-o", str(target)])
            if code != 0:
                m.fail("crashed", classes, f"{reader}: export --format {fmt} --tlp {level} exited {code}")
                continue
            check_export(reader, fmt, level, target, classes, m)

    check_graph_files(reader, case_dir, base, classes, m)


def check_case_files(reader: str, case_dir: Path, classes: list[str], m: Matrix) -> None:
    """The case's own CSVs parse, start no formula, and a load → save gives the same bytes."""
    m.tried(classes)
    for path in sorted(case_dir.glob("*.csv")):
        check_csv(m, f"{reader}: case {path.name}", path.read_text(encoding="utf-8"))
    try:
        case = load_case(case_dir)
        again = case.save(case_dir.parent / "resaved")
    except Exception as exc:
        m.fail("crashed", classes, f"{reader}: the imported case does not load and save: {exc}")
        return
    for path in again:
        if path.suffix == ".csv" and path.read_bytes() != (case_dir / path.name).read_bytes():
            m.fail("injected", classes, f"{reader}: {path.name} changes on load and save")
    check_tamed(m, f"{reader} case", {t: case.table(t) for t in ("events", "relations", "entities")},
                classes[0])
    everything = "".join(p.read_text(encoding="utf-8") for p in case_dir.glob("*.csv"))
    for name in classes:
        kept = KEPT[name].replace('"', '""') if '"' in KEPT[name] else KEPT[name]
        if kept not in everything and text.guard_cell(KEPT[name]) not in everything:
            m.fail("crashed", [name], f"{reader}: {KEPT[name]!r} is not in the saved case")


def check_pack(reader: str, out: Path, classes: list[str], m: Matrix, *, activity: bool) -> None:
    names = {p.name for p in _files(out)}
    expected = {"brief.html", "brief.pdf", "timeline.svg", "graph.svg", "facts.csv", "sources.csv"}
    if activity:
        expected.add("activity.svg")
    if not expected <= names:
        m.fail("crashed", classes, f"{reader}: the pack lacks {sorted(expected - names)}")
    if any(p.name == "passwd" for p in _files(out.parents[1])):
        m.fail("injected", ["traversal"], f"{reader}: a name became a path: a 'passwd' file was written")
    for path in _files(out):
        where = f"{reader} pack {path.name}"
        if path.suffix == ".png":
            continue  # pixels: covered by the image baselines
        if path.suffix == ".pdf":
            body = pdf_text(path)
            check_leaks(m, where, body)
            check_live_links(m, where, body)
            if "80m or" in body and "$80m or $x^2$" not in body.replace("\n", " "):
                m.fail("injected", ["mathtext"], f"{where}: '$x^2$' was typeset as mathematics")
            continue
        data = path.read_bytes()
        try:
            body = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            m.fail("injected", CLASSES, f"{where} is not UTF-8: {exc}")
            continue
        check_leaks(m, where, body)
        check_chars(m, where, body[1:] if body.startswith("\ufeff") else body.replace("\r\n", "\n"))
        if path.suffix in (".svg", ".xml"):
            check_xml(m, where, data)
            check_live_links(m, where, body)
        elif path.suffix == ".html":
            check_markup(m, where, body)
            check_live_links(m, where, body)
        elif path.suffix == ".csv":
            check_csv(m, where, body)
        elif path.suffix == ".json":
            json.loads(body)


def check_export(reader: str, fmt: str, level: str, target: Path, classes: list[str], m: Matrix) -> None:
    where = f"{reader} {fmt} export at {level}"
    body = target.read_text(encoding="utf-8")
    check_chars(m, where, json.dumps(json.loads(body), ensure_ascii=False))
    try:
        if fmt == "stix":
            parsed = stix2.parse(body, allow_custom=True)
            assert len(parsed.objects) > 3
        else:
            event = pymisp.MISPEvent()
            event.from_dict(**json.loads(body)["Event"])
            assert event.attributes or event.objects
    except Exception as exc:
        m.fail("injected", classes, f"{where} is refused by its own library: {exc}")
    if level == "clear":
        check_leaks(m, where, body)
    else:  # the twins are in the case: the CLEAR check above could have failed
        missing = [n for n in classes if marker(CLASSES.index(n)) not in body]
        if missing:
            m.fail("crashed", missing, f"{where}: the AMBER twins are missing even at AMBER")


def check_graph_files(reader: str, case_dir: Path, base: Path, classes: list[str], m: Matrix) -> None:
    shared, _ = load_case(case_dir).at_tlp("clear")
    G = actor_victim_graph(shared)
    for suffix in ("graphml", "gexf", "json"):
        where = f"{reader} {suffix} file"
        m.tried(classes)
        try:
            path = graphfiles.write(G, base / f"graph.{suffix}")
            back = graphfiles.read(path)
        except Exception as exc:
            m.fail("crashed", classes, f"{where}: {type(exc).__name__}: {exc}")
            continue
        data = path.read_bytes()
        body = data.decode("utf-8")
        check_leaks(m, where, body)
        if suffix == "json":
            check_chars(m, where, json.dumps(json.loads(body), ensure_ascii=False))
        else:
            check_xml(m, where, data)
            check_chars(m, where, body)
        if sorted(back.nodes) != sorted(G.nodes):
            m.fail("injected", classes, f"{where}: nodes changed on the way back")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Matrix:
    m = Matrix()
    root = tmp_path_factory.mktemp("hostile-matrix")
    for reader in READERS:
        run_reader(reader, root, m)
    return m


def test_the_matrix_is_clean(matrix: Matrix) -> None:
    print("\n" + matrix.table())
    for column in ("crashed", "injected", "leaked"):
        assert not matrix.why[column], f"{column}:\n" + "\n".join(matrix.why[column][:15])


def test_every_class_went_through_every_reader_and_writer(matrix: Matrix) -> None:
    # per reader: a read alone, the import (two for feeds: CLEAR and AMBER), the case files, the
    # pack, four exports and three graph files; a lone surrogate cannot be in a UTF-8 CSV at all
    per_reader = {"posts-json": 12, "posts-csv": 12, "stix": 11, "misp": 11}
    full = sum(per_reader.values())
    assert {n: c["tried"] for n, c in matrix.counts.items()} == {
        n: full - (per_reader["posts-csv"] - 1 if n == "surrogate" else 0) for n in CLASSES}
    assert {n: c["refused"] for n, c in matrix.counts.items() if c["refused"]} == {"surrogate": 1}


def test_the_checks_catch_what_they_look_for() -> None:
    m = Matrix()
    check_chars(m, "svg", "<text>Nul\x00Byte</text>")
    check_csv(m, "csv", 'name\r\n=HYPERLINK("x")\r\n-2+3 Umbrella\r\n-5\r\n')
    check_markup(m, "html", '<p>ok</p><script>x</script><a href="javascript:alert(1)">a</a>'
                            '<img src="data:image/svg+xml;base64,' + base64.b64encode(
                                b'<svg><text>x</text><!ENTITY e "x"></svg>').decode() + '">')
    check_xml(m, "gexf", b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY xxe "x">]><g>&xxe;</g>')
    check_leaks(m, "json", f'{{"name": "{twin(CLASSES.index("emoji"), "x")}"}}')
    why = m.why["injected"]
    assert "nul: svg holds '\\x00' at 9" in why
    assert [w for w in why if "formula" in w and "csv" in w] == [
        "formula: csv: cell starts a formula: '=HYPERLINK(\"x\")'",
        "minus: csv: cell starts a formula: '-2+3 Umbrella'"]  # "-5" is a number, not a formula
    assert "script: html: active markup <script>" in why
    assert "js-url: html: active markup href='javascript:alert(1)'" in why
    embedded = [w for w in why if "html image 1 is not well-formed" in w]
    from_dtd = [w for w in why if "gexf is not well-formed XML (EntitiesForbidden" in w]
    assert len(embedded) == len(from_dtd) == len(CLASSES)  # a broken XML file puts every class in doubt
    assert len(why) == 5 + 2 * len(CLASSES)
    assert [w.split(":")[0] for w in m.why["leaked"]] == ["emoji"]
