"""``brief.html``: one self-contained page, safe to open whatever the case contains.

Every string from the data goes through :func:`analystkit.text.html_text` (cleaned, defanged,
escaped); links are made only from ``http``/``https`` URLs that are not onion services. The page
carries a Content-Security-Policy that allows no script at all, no outside request, and only the
one stylesheet below (pinned by its hash), so even a string that slipped through could not run.
Charts are embedded as SVG data URIs, so the file needs nothing beside it.
"""

from __future__ import annotations

import base64
import hashlib

import pandas as pd

from ...text import defang, html_text, safe_url, source_name
from ...theme import tlp_label
from .data import Pack
from .facts import conflicts, facts_rows, key_facts, when

__all__ = ["CSS", "render"]

CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;color:#1a1a1a;margin:0;background:#fff;
 font-size:15px;line-height:1.45}
main{max-width:1080px;margin:0 auto;padding:0 24px 24px}
.bar{display:flex;justify-content:space-between;align-items:center;padding:8px 24px;
 border-bottom:1px solid #ddd;font-size:13px;color:#555}
.tlp{background:#000;font-weight:bold;padding:3px 8px;letter-spacing:.02em;font-size:14px}
.tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber,.tlp-amber-strict{color:#ffc000}
.tlp-red{color:#ff2b2b}
h1{font-size:26px;margin:18px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #eee}
.sub{color:#555;margin:0 0 12px}.note{background:#f4f4f4;border-left:4px solid #999;padding:8px 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}
dl.facts dt{font-weight:bold}dl.facts dd{margin:0}
figure{margin:18px 0}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:13px;color:#444}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e4e4e4;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.when{white-space:nowrap}.detail{color:#555;font-size:12px}
.status-claimed,.status-disputed{font-style:italic}td.grade,td.mark{white-space:nowrap}
.conflict{border-left:4px solid #b36b00;padding:2px 0 2px 12px;margin:14px 0}
.conflict h3{font-size:15px;margin:4px 0}
ol.sources li{margin:3px 0;overflow-wrap:anywhere}.url{color:#555;font-size:12px}
footer{border-top:1px solid #ddd;margin-top:24px}
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; script-src 'none'; object-src 'none'; img-src data:; "
            f"style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-src 'none'")


def _tlp(pack: Pack) -> str:
    css = pack.tlp.replace("+", "-")
    return f'<span class="tlp tlp-{css}">{html_text(pack.label)}</span>'


def _bar(pack: Pack, where: str) -> str:
    as_of = f"As of {html_text(pack.as_of)}" if pack.as_of else ""
    return (f'<div class="bar {where}">{_tlp(pack)}<span>{as_of}</span>'
            f"<span>{html_text(pack.case.title, max_len=120)}</span></div>")


def _figure(chart) -> str:
    svg = next(p for p in chart.files if p.suffix == ".svg")
    data = base64.b64encode(svg.read_bytes()).decode("ascii")
    cites = ", ".join(f"[{n}]" for n in chart.sources)
    caption = html_text(chart.title, max_len=200)
    if cites:
        caption += f" · Sources {cites}"
    return (f'<figure id="chart-{chart.key}"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{html_text(chart.alt, max_len=2000)}"><figcaption>{caption}<br>'
            f'<span class="detail">{html_text(chart.alt, max_len=2000)}</span></figcaption></figure>')


def _source_item(row, marks: bool = False) -> str:
    name = html_text(source_name(row.name), max_len=200, defang_hosts=False)
    url = str(row.url or "")
    link = safe_url(url)
    if link:
        head = (f'<a href="{html_text(link, max_len=None, defang_hosts=False)}" '
                f'rel="noopener noreferrer nofollow">{name}</a>')
        shown = f'<span class="url">{html_text(link, max_len=160, defang_hosts=False)}</span>'
    else:
        head = name
        shown = (f'<span class="url">{html_text(defang(url), max_len=160)} (not linked)</span>'
                 if url else "")
    bits = []
    if pd.notna(row.published):
        bits.append(f"published {pd.Timestamp(row.published):%d %b %Y}")
    if row.reliability:
        bits.append(f"reliability {html_text(row.reliability)}")
    if marks:
        bits.append(html_text(tlp_label(row.tlp)))
    extra = f" — {', '.join(bits)}" if bits else ""
    return f'<li id="source-{int(row.n)}" value="{int(row.n)}">{head}{extra}<br>{shown}</li>'


def render(pack: Pack) -> str:
    """The whole page as text."""
    case = pack.case
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(pack.label)} {html_text(case.title, max_len=160)}</title>",
        f"<style>{CSS}</style>", "</head>", "<body>", _bar(pack, "top"), "<main>",
        f"<h1>{html_text(case.title, max_len=200)}</h1>",
        f'<p class="sub">Briefing pack · {_tlp(pack)} · as of {html_text(pack.as_of)}</p>',
        f'<p class="note">{html_text(pack.withheld_text(), max_len=None)}</p>',
    ]
    summary = case.meta.get("summary")
    if summary:
        parts += ["<h2>Summary</h2>", f"<p>{html_text(summary, max_len=4000)}</p>"]
    parts += ["<h2>Key facts</h2>", '<dl class="facts">']
    parts += [f"<dt>{html_text(k)}</dt><dd>{html_text(v, max_len=400)}</dd>" for k, v in key_facts(pack)]
    parts.append("</dl>")
    if len(pack.durations):
        parts += ["<h3>Durations</h3>", "<table><thead><tr><th>Incident</th><th>Measure</th>"
                  "<th>Days</th><th>From</th><th>To</th></tr></thead><tbody>"]
        for r in pack.durations.itertuples(index=False):
            parts.append(f"<tr><td>{html_text(r.incident)}</td><td>{html_text(r.measure)}</td>"
                         f"<td>{html_text(r.text)}</td><td>{html_text(when(r.start, 'day'))}</td>"
                         f"<td>{html_text(when(r.end, 'day'))}</td></tr>")
        parts.append("</tbody></table>")
    if pack.charts:
        parts.append("<h2>Charts</h2>")
        parts += [_figure(c) for c in pack.charts]
    parts += _conflicts(pack)
    parts += _chronology(pack)
    parts += ["<h2>Sources</h2>", '<ol class="sources">']
    parts += [_source_item(r, pack.marks_rows) for r in pack.sources.itertuples(index=False)]
    parts += ["</ol>", "</main>", "<footer>", _bar(pack, "bottom"), "</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _row_cells(pack: Pack, r: dict, *, graded: bool, detail: str, category: bool = False) -> str:
    """One chronology (or account) row: when, [category,] event, status, grade, sources, marking."""
    more = f'<br><span class="detail">{html_text(r[detail], max_len=600)}</span>' if r[detail] else ""
    if r["grade_note"] and detail != "notes":
        more += (f'<br><span class="detail">Graded {html_text(r["grade"])} ({html_text(r["credibility"])}):'
                 f' {html_text(r["grade_note"], max_len=600)}</span>')
    cites = ", ".join(f'<a href="#source-{n.strip("[]")}">{n}</a>' for n in r["sources"].split(", ") if n)
    cells = f'<td class="when">{html_text(r["when"])}</td>'
    cells += f'<td>{html_text(r["category"])}</td>' if category else ""
    cells += (f'<td>{html_text(r["event"])}{more}</td>'
             f'<td class="status-{r["status"]}">{html_text(r["status"])}</td>')
    if graded:
        meaning = f' title="{html_text(r["credibility"])}"' if r["grade"] else ""
        cells += f'<td class="grade"{meaning}>{html_text(r["grade"])}</td>'
    cells += f"<td>{cites}</td>"
    if pack.marks_rows:
        cells += f'<td class="mark">{html_text(r["tlp"])}</td>'
    return cells


def _head(pack: Pack, first: tuple[str, ...], *, graded: bool) -> str:
    names = [*first, "Status", *(["Grade"] if graded else []), "Sources",
             *(["TLP"] if pack.marks_rows else [])]
    return "<table><thead><tr>" + "".join(f"<th>{n}</th>" for n in names) + "</tr></thead><tbody>"


def _chronology(pack: Pack) -> list[str]:
    rows = facts_rows(pack)
    graded = any(r["grade"] for r in rows)
    parts = ["<h2>Chronology</h2>"]
    if graded:
        parts.append('<p class="sub">Grade: the Admiralty code, the best reliability of the cited '
                     "sources (A–F) and the credibility of the information (1–6).</p>")
    parts.append(_head(pack, ("When", "Category", "Event"), graded=graded))
    parts += [f"<tr>{_row_cells(pack, r, graded=graded, detail='detail', category=True)}</tr>"
              for r in rows]
    parts.append("</tbody></table>")
    return parts


def _conflicts(pack: Pack) -> list[str]:
    blocks = conflicts(pack)
    if not blocks:
        return []
    graded = any(a["grade"] for b in blocks for a in b["accounts"])
    parts = ["<h2>Where sources disagree</h2>",
             f"<p>{len(blocks)} fact{'s' if len(blocks) != 1 else ''} on which the case's sources "
             "disagree, or give figures that change over time. Each account is kept as its sources "
             "give it, with their numbers and its status; the pack does not choose between them.</p>"]
    for b in blocks:
        n = len(b["accounts"])
        count = f"{n} accounts" if n > 1 else "1 account; the other view is in its note"
        parts += [f'<section class="conflict"><h3>{html_text(b["conflict"])} '
                  f'<span class="detail">({html_text(count)})</span></h3>',
                  _head(pack, ("When", "Account"), graded=graded)]
        parts += [f"<tr>{_row_cells(pack, a, graded=graded, detail='notes')}</tr>" for a in b["accounts"]]
        parts.append("</tbody></table></section>")
    return parts
