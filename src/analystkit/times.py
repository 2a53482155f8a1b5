"""The kit's two rules about time, in one place: every stamp is UTC, and an end date covers its day.

A naive stamp (no zone) is read as UTC; an aware one is converted to UTC. Nothing else in the kit
localises or converts to UTC by hand: readers, filters, graph windows and charts all call these.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["end_of_day", "utc", "utc_series"]

_DAY = pd.Timedelta(days=1)
_NS = pd.Timedelta(1, "ns")


def utc(value: object) -> pd.Timestamp:
    """``value`` as a UTC timestamp: naive stamps are read as UTC, aware ones converted.

    Missing values (None, "", NaN, NaT) give ``NaT``.

    >>> utc("2023-01-10")
    Timestamp('2023-01-10 00:00:00+0000', tz='UTC')
    >>> utc(pd.Timestamp("2023-01-10 09:00", tz="Europe/London"))
    Timestamp('2023-01-10 09:00:00+0000', tz='UTC')
    >>> utc(None) is pd.NaT
    True
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return pd.NaT
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return pd.NaT
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")


def utc_series(values: pd.Series | pd.Index | list) -> pd.Series:
    """A column of stamps as ``datetime64[ns, UTC]``, by the same rule as :func:`utc`.

    >>> utc_series(pd.Series(["2023-01-10", None])).tolist()
    [Timestamp('2023-01-10 00:00:00+0000', tz='UTC'), NaT]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = series.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(series.dtype):
        out = series.dt.tz_localize("UTC")
    else:
        parsed = pd.to_datetime(series, errors="raise", format="mixed")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            out = parsed.dt.tz_convert("UTC")
        else:
            out = parsed.dt.tz_localize("UTC")
    return out.astype("datetime64[ns, UTC]")


def end_of_day(value: object) -> pd.Timestamp:
    """An end bound in UTC; a bare date (midnight) covers its whole day, to its last nanosecond.

    >>> end_of_day("2023-02-21")
    Timestamp('2023-02-21 23:59:59.999999999+0000', tz='UTC')
    >>> end_of_day("2023-02-21T12:00:00Z")
    Timestamp('2023-02-21 12:00:00+0000', tz='UTC')
    """
    stamp = utc(value)
    if stamp is not pd.NaT and stamp == stamp.normalize():
        return stamp + _DAY - _NS
    return stamp
