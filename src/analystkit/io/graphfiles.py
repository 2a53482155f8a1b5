"""Actor → victim graphs to and from GraphML, GEXF (Gephi, Cytoscape) and node-link JSON.

GraphML and GEXF only hold strings, numbers and booleans, so the kit's richer attributes are
written as tagged strings and read back to what they were: timestamps as ISO 8601 UTC
(``2023-02-07T05:11:14.822203Z``), missing timestamps as ``""``, tuples of source ids joined
with ``;``. Node keys are the kit's plain strings (``actor:LockBit``, ``victim:Royal Mail``) and
survive every format unchanged. A round trip loses no attribute:

>>> import networkx as nx, pandas as pd, tempfile, pathlib
>>> G = nx.DiGraph()
>>> G.add_node("actor:LockBit", role="actor", bipartite=0, label="LockBit", sector="", country="")
>>> G.add_node("victim:Royal Mail", role="victim", bipartite=1, label="Royal Mail",
...            sector="transportation", country="GB")
>>> G.add_edge("actor:LockBit", "victim:Royal Mail", first=pd.Timestamp("2023-01-10", tz="UTC"),
...            last=pd.NaT, count=1, relation="targets", status="reported", sources=("a", "b"), via="")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
>>> _ = write(G, path)
>>> H = read(path)
>>> H.edges["actor:LockBit", "victim:Royal Mail"] == G.edges["actor:LockBit", "victim:Royal Mail"]
True
"""

from __future__ import annotations

import html
import io
import json
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import networkx as nx
import pandas as pd

from ..files import write_atomic
from ..times import utc

__all__ = ["FORMATS", "decode", "encode", "read", "render", "write"]

#: File suffix → format name.
FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}
_DATES = ("first", "last", "date", "start", "end", "last_scrape")
_TUPLES = ("sources", "actors", "fqdns", "profile")
_INTS = ("count", "bipartite", "more", "victims")
_NAT = ""


def _enc(key: str, value: object) -> object:
    if key in _DATES:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return _NAT
        return utc(value).isoformat().replace("+00:00", "Z")
    if key in _TUPLES or isinstance(value, (tuple, list)):
        return ";".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if value is None:
        return ""
    return value


def _dec(key: str, value: object) -> object:
    if key in _DATES:
        return pd.NaT if value in ("", None) else utc(str(value))
    if key in _TUPLES:
        return tuple(p for p in str(value).split(";") if p) if value != "" else ()
    numeric = str(value).lstrip("-").replace(".0", "").isdigit()
    if key in _INTS and isinstance(value, (str, float)) and numeric:
        return int(float(value))
    return value


def encode(G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``G`` whose attributes are all strings, numbers or booleans."""
    H = nx.DiGraph()
    H.graph.update({k: _enc(k, v) for k, v in G.graph.items() if v is not None})
    H.add_nodes_from((n, {k: _enc(k, v) for k, v in d.items()}) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, {k: _enc(k, x) for k, x in d.items()}) for u, v, d in G.edges(data=True))
    return H


def decode(G: nx.DiGraph) -> nx.DiGraph:
    """The inverse of :func:`encode`: timestamps and tuples restored."""
    H = nx.DiGraph()
    H.graph.update({k: _dec(k, v) for k, v in G.graph.items()
                    if k not in ("node_default", "edge_default", "mode")})
    H.add_nodes_from((n, {k: _dec(k, v) for k, v in d.items() if k != "id" or v != n})
                     for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, {k: _dec(k, x) for k, x in d.items() if k != "id"})
                     for u, v, d in G.edges(data=True))
    return H


def _format(path: Path, format: str | None) -> str:
    fmt = format or FORMATS.get(path.suffix.lower())
    if fmt not in FORMATS.values():
        raise ValueError(f"{path}: unknown graph format {format or path.suffix!r}; expected one of "
                         f"{', '.join(FORMATS.values())} (or a .graphml / .gexf / .json suffix)")
    return fmt


def write(G: nx.DiGraph, path: str | os.PathLike, *, format: str | None = None) -> Path:
    """Write ``G`` as GraphML, GEXF or node-link JSON (chosen by ``format`` or the suffix).

    The file is rendered in memory and written whole through :func:`analystkit.files.write_atomic`,
    and its bytes depend only on the graph (no dates or version stamps), so the same graph gives
    the same file.
    """
    path = Path(path)
    fmt = _format(path, format)
    return write_atomic(path, render(encode(G), fmt))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(H: nx.DiGraph) -> nx.DiGraph:
    """``H`` with every character XML 1.0 cannot hold (NUL, most C0 controls, lone surrogates)
    replaced by U+FFFD in node keys and string attributes, so the file always parses."""
    fix = lambda v: _NOT_XML.sub("\ufffd", v) if isinstance(v, str) else v  # noqa: E731
    G = nx.DiGraph()
    G.graph.update({k: fix(v) for k, v in H.graph.items()})
    G.add_nodes_from((fix(n), {k: fix(v) for k, v in d.items()}) for n, d in H.nodes(data=True))
    G.add_edges_from((fix(u), fix(v), {k: fix(x) for k, x in d.items()})
                     for u, v, d in H.edges(data=True))
    return G


def render(H: nx.DiGraph, fmt: str) -> bytes:
    """The bytes of an :func:`encode`-d graph in format ``fmt`` (``graphml``, ``gexf`` or ``json``);
    XML formats get :func:`_xml_safe` text."""
    if fmt in ("graphml", "gexf"):
        H = _xml_safe(H)
    if fmt == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(H, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
        return buffer.getvalue()
    if fmt == "gexf":
        for _, d in H.nodes(data=True):  # GEXF keeps the display label in its own field
            d.setdefault("label", "")
        buffer = io.BytesIO()
        nx.write_gexf(H, buffer, encoding="utf-8", prettyprint=True)
        text = buffer.getvalue().decode("utf-8")
        # drop the write date (same graph, same bytes) and keep graph attributes in <description>
        text = re.sub(r'lastmodifieddate="[^"]*"', 'lastmodifieddate="1970-01-01"', text, count=1)
        meta = xml_escape(json.dumps(H.graph, sort_keys=True))
        text = re.sub(r"<creator>[^<]*</creator>",
                      f"<creator>analystkit</creator>\n    <description>{meta}</description>", text,
                      count=1)
        return text.encode("utf-8")
    data = nx.node_link_data(H, edges="edges") if _new_nodelink() else nx.node_link_data(H)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return text.encode("utf-8", "backslashreplace")  # a lone surrogate stays a JSON \\ud800 escape


def _new_nodelink() -> bool:
    import inspect

    return "edges" in inspect.signature(nx.node_link_data).parameters


def read(path: str | os.PathLike, *, format: str | None = None) -> nx.DiGraph:
    """Read a graph written by :func:`write` (or by Gephi / Cytoscape in the same formats)."""
    path = Path(path)
    fmt = _format(path, format)
    if fmt == "graphml":
        G = nx.read_graphml(path)
    elif fmt == "gexf":
        G = nx.read_gexf(path)
        for _, d in G.nodes(data=True):
            d.pop("id", None)
        found = re.search(r"<description>([^<]*)</description>", path.read_text(encoding="utf-8"))
        if found:
            try:
                G.graph.update(json.loads(html.unescape(found.group(1))))
            except json.JSONDecodeError:
                G.graph["description"] = html.unescape(found.group(1))
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        G = (nx.node_link_graph(data, edges="edges") if _new_nodelink()
             else nx.node_link_graph(data))
    return decode(nx.DiGraph(G))
