"""Time on a chart's x axis: the display zone and the concise date ticks every dated chart uses."""

from __future__ import annotations

from ... import theme as _theme

__all__ = ["date_axis", "display_zone", "tick_labels"]


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


def tick_labels(stamps) -> list[str]:
    """Date tick labels that each read on their own: every tick names its month, and the year
    is given on the first tick and wherever it changes (no separate offset text to misread).

    ``stamps`` are ``datetime`` objects in the display zone, in order.

    >>> from datetime import datetime
    >>> tick_labels([datetime(2022, 12, 25), datetime(2023, 1, 1), datetime(2023, 1, 8)])
    ['25 Dec 2022', '1 Jan 2023', '8 Jan']
    >>> tick_labels([datetime(2022, m, 1) for m in (10, 11, 12)] + [datetime(2023, 1, 1)])
    ['Oct 2022', 'Nov', 'Dec', 'Jan 2023']
    >>> tick_labels([datetime(2021, 1, 1), datetime(2022, 1, 1)])
    ['2021', '2022']
    >>> tick_labels([datetime(2023, 1, 10, 18), datetime(2023, 1, 11, 0), datetime(2023, 1, 11, 6)])
    ['18:00 10 Jan 2023', '00:00 11 Jan', '06:00']
    """
    out: list[str] = []
    if not stamps:
        return out
    daily = all((t.hour, t.minute, t.second) == (0, 0, 0) for t in stamps)
    monthly = daily and all(t.day == 1 for t in stamps)
    yearly = monthly and all(t.month == 1 for t in stamps)
    for i, t in enumerate(stamps):
        before = stamps[i - 1] if i else None
        new_year = before is None or before.year != t.year
        if yearly:
            out.append(f"{t.year}")
        elif monthly:
            out.append(f"{t:%b}" + (f" {t.year}" if new_year else ""))
        elif daily:
            out.append(f"{t.day} {t:%b}" + (f" {t.year}" if new_year else ""))
        else:
            new_day = before is None or before.date() != t.date()
            out.append(f"{t:%H:%M}" + (f" {t.day} {t:%b}" if new_day else "")
                       + (f" {t.year}" if new_year else ""))
    return out


def _formatter(zone):
    from matplotlib.dates import num2date
    from matplotlib.ticker import Formatter

    class _Ticks(Formatter):
        """:func:`tick_labels` as a matplotlib formatter in ``zone``."""

        def format_ticks(self, values):
            return tick_labels([num2date(v, tz=zone) for v in values])

        def __call__(self, x, pos=None):
            return tick_labels([num2date(x, tz=zone)])[0]

    return _Ticks()


def date_axis(ax, zone, zone_name: str, *, hide_left: bool = True) -> None:
    """Dates along the x axis in ``zone`` (ticks from :func:`tick_labels`, the zone named in the
    label, x grid)."""
    from matplotlib.dates import AutoDateLocator

    locator = AutoDateLocator(tz=zone, minticks=5, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_formatter(zone))
    ax.set_xlabel(f"Date ({zone_name})")
    ax.grid(axis="x", color=_theme.current().grid, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", *(("left",) if hide_left else ())):
        ax.spines[side].set_visible(False)
