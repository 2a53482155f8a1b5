"""Themes are applied only as a context; TLP colours are FIRST's; statuses are coded redundantly."""

from __future__ import annotations

import matplotlib
import pytest

from analystkit import theme


def test_use_restores_settings_and_current():
    before = dict(matplotlib.rcParams)
    with theme.use("dark") as t:
        assert theme.current() is t and matplotlib.rcParams["figure.facecolor"] == "#111418"
    assert theme.current().name == "light"
    assert matplotlib.rcParams["figure.facecolor"] == before["figure.facecolor"]


def test_transparent_theme_has_no_background():
    import matplotlib.pyplot as plt

    with theme.use("transparent"):
        fig, _ = plt.subplots()
        assert fig.get_facecolor()[3] == 0.0 and matplotlib.rcParams["savefig.transparent"]


def test_unknown_theme_is_refused():
    with pytest.raises(ValueError, match="unknown theme 'neon'"), theme.use("neon"):
        pass


def test_tlp_colours_and_labels_follow_first():
    assert theme.TLP_COLORS["amber"] == ("#FFC000", "#000000")
    assert theme.TLP_COLORS["red"] == ("#FF2B2B", "#000000")
    assert theme.TLP_COLORS["green"] == ("#33FF00", "#000000")
    assert theme.tlp_label("amber+strict") == "TLP:AMBER+STRICT"
    assert theme.tlp_label("TLP:WHITE") == "TLP:CLEAR"
    with pytest.raises(ValueError, match="unknown TLP label"):
        theme.tlp_label("pink")


def test_statuses_differ_by_more_than_colour():
    styles = [theme.status_style(s) for s in ("confirmed", "reported", "claimed", "disputed")]
    shapes = {(s["linestyle"], s["marker"], s["fill"], s["hatch"]) for s in styles}
    assert len(shapes) == 4
