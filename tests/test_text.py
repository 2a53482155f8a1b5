"""Hostile strings made safe: HTML escaping, spreadsheet formula guard, link filter, labels."""

from __future__ import annotations

import pytest

from analystkit.text import clean, csv_cell, defang, html_text, label, refang, safe_url


def test_html_text_escapes_markup_and_defangs():
    out = html_text('<script>alert(1)</script><img src=x onerror="go()"> lockbitapt.onion')
    assert "<" not in out and ">" not in out and '"' not in out
    assert "&lt;script&gt;" in out and "&quot;go()&quot;" in out
    assert "lockbitapt[.]onion" in out


def test_html_text_removes_controls_and_truncates():
    out = html_text("A\u202eB\x00C" + "x" * 10_000, max_len=50)
    assert "\u202e" not in out and "\x00" not in out and len(out) == 50 and out.endswith("…")


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_csv_cell_guards_formula_starts(cell):
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Royal Mail", "", "a=b", 5, -3.5, None])
def test_csv_cell_leaves_other_values(cell):
    assert csv_cell(cell) == cell


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                                 "file:///etc/passwd", "ftp://a.example/x", "/relative/path",
                                 "http://lockbitsupp.onion/post", "https://a.example/\x00x",
                                 "https://a.example/ x", "", None, 42])
def test_safe_url_refuses(url):
    assert safe_url(url) is None


def test_safe_url_keeps_web_pages():
    assert safe_url("https://therecord.media/royal-mail") == "https://therecord.media/royal-mail"
    assert safe_url(" http://bbc.co.uk/news ") == "http://bbc.co.uk/news"


def test_label_escapes_dollar_and_keeps_it_out_of_mathtext():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    text = ax.text(0, 0, label("Pay $80m or $x^2$ now"))
    fig.canvas.draw()  # would raise on broken mathtext; must render the dollars literally
    shown, ismath = text._preprocess_math(text.get_text())
    assert ismath is False and shown == "Pay $80m or $x^2$ now"


def test_defang_refang_round_trip():
    raw = "see http://evil.example.com/x and 10.0.0.1"
    assert refang(defang(raw)) == raw and "hxxp[://]evil[.]example[.]com" in defang(raw)


def test_clean_folds_whitespace():
    assert clean("  a\n\tb  ") == "a b"
