"""save(): furniture drawn, deterministic bytes, alt text, atomic writes, caller's figure restored."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from analystkit import export, theme
from analystkit.export import Furniture, caption, furnished, save

HOSTILE = '<script>alert(1)</script> $x^2$ pay'


def _figure():
    fig, ax = plt.subplots()
    ax.bar(["Exports", "Leak"], [43, 1])
    return fig, ax


def _save(fig, path, **kw):
    args = {"tlp": "amber", "title": "Royal Mail exports", "subtitle": "LockBit, 2023",
            "as_of": "2024-12-31", "sources": {2: "The Record", 5: "TechCrunch"},
            "alt": "Bars of days disrupted."}
    return save(fig, path, **{**args, **kw})


def test_save_writes_every_format_and_alt_text(tmp_path):
    fig, _ = _figure()
    paths = _save(fig, tmp_path / "chart")
    assert [p.name for p in paths] == ["chart.png", "chart.svg", "chart.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[2].read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "chart.txt").read_text() == "Bars of days disrupted.\n"
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


def test_suffix_picks_one_format_and_bad_format_is_refused(tmp_path):
    fig, _ = _figure()
    assert [p.name for p in _save(fig, tmp_path / "one.svg")] == ["one.svg"]
    with pytest.raises(ValueError, match="cannot write format jpg"):
        _save(fig, tmp_path / "x", formats=["jpg"])


def test_same_figure_gives_same_bytes(tmp_path):
    fig, _ = _figure()
    first = [p.read_bytes() for p in _save(fig, tmp_path / "a")]
    second = [p.read_bytes() for p in _save(fig, tmp_path / "b")]
    assert first == second


def test_metadata_is_fixed_and_marked(tmp_path):
    fig, _ = _figure()
    png, svg, pdf = (p.read_bytes() for p in _save(fig, tmp_path / "m"))
    assert b"Software" not in png and b"Royal Mail exports" in png and b"TLP:AMBER" in png
    assert b"CreationDate" not in pdf and b"TLP:AMBER" in pdf
    assert b"<dc:date>" not in svg


def test_svg_carries_escaped_title_and_description(tmp_path):
    fig, _ = _figure()
    svg = _save(fig, tmp_path / "s", formats=["svg"], title=HOSTILE, alt=HOSTILE)[0].read_text()
    assert 'role="img"' in svg and '<title id="ak-title">' in svg and '<desc id="ak-desc">' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_furniture_is_drawn_and_then_removed():
    fig, ax = _figure()
    size, pos, texts = tuple(fig.get_size_inches()), ax.get_position().bounds, len(fig.texts)
    f = Furniture(tlp="amber", title="Title", subtitle="Sub", as_of="2024-12-31",
                  sources=((3, "The Record"),))
    with furnished(fig, f, size="slide"):
        assert tuple(fig.get_size_inches()) == export.SIZES["slide"]
        banners = [t for t in fig.texts if t.get_text() == "TLP:AMBER"]
        assert len(banners) == 2  # top right and footer
        for b in banners:
            assert to_hex(b.get_color()) == "#ffc000"
            assert to_hex(b.get_bbox_patch().get_facecolor()) == "#000000"
        shown = {t.get_text() for t in fig.texts}
        assert {"Title", "Sub", "As of 2024-12-31", "Sources: [3] The Record"} <= shown
        fig.draw_without_rendering()
        top = max(t.get_window_extent().y0 for t in fig.texts if t.get_text() == "Title")
        assert ax.get_window_extent().y1 < top  # the chart sits below the header
    assert tuple(fig.get_size_inches()) == size and len(fig.texts) == texts
    assert ax.get_position().bounds == pos and fig.get_layout_engine() is None


def test_theme_colours_the_furniture():
    fig, _ = _figure()
    with theme.use("print"), furnished(fig, Furniture(title="T", subtitle="S")):
        sub = next(t for t in fig.texts if t.get_text() == "S")
        assert to_hex(sub.get_color()) == "#555555"


def test_caption_numbers_match_and_fall_back_to_ranges():
    assert caption({4: "BBC", 7: "Reuters"}) == ["Sources: [4] BBC; [7] Reuters"]
    assert caption(["A", "B"]) == ["Sources: [1] A; [2] B"]
    many = caption({n: f"Outlet number {n}" for n in range(1, 61)}, width_in=5)
    assert many == ["Sources: [1–60], listed in the source list"]
    assert caption(None) == []


def test_wrap_cuts_a_long_word():
    lines = export.wrap("x" * 400, 100, 8)
    assert len(lines) > 3 and all(export.text_width(line, 8) <= 100 for line in lines)
