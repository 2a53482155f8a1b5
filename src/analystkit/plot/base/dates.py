"""Time on a chart's x axis: the display zone and the concise date ticks every dated chart uses."""

from __future__ import annotations

from ... import theme as _theme

__all__ = ["date_axis", "display_zone"]


def display_zone(tz: object = None):
    """The ``tzinfo`` and axis name of a display time zone (None → UTC).

    >>> display_zone("Europe/London")[1], display_zone()[1]
    ('Europe/London', 'UTC')
    """
    from zoneinfo import ZoneInfo

    if tz is None or tz == "UTC":
        return ZoneInfo("UTC"), "UTC"
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz), tz
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r} (expected an IANA name such as "
                             "'Europe/London')") from exc
    return tz, str(tz)


def date_axis(ax, zone, zone_name: str, *, hide_left: bool = True) -> None:
    """Dates along the x axis in ``zone`` (concise ticks, the zone named in the label, x grid)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(tz=zone, minticks=5, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    ax.set_xlabel(f"Date ({zone_name})")
    ax.grid(axis="x", color=_theme.current().grid, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", *(("left",) if hide_left else ())):
        ax.spines[side].set_visible(False)
