"""The build's "now": the one moment every date and expiry is judged by.

The only code that reads ``SOURCE_DATE_EPOCH`` (reproducible builds): when it is set,
"now" is that many seconds after 1970-01-01 UTC; empty means unset; anything but
ASCII digits is a usage error.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

from generator.errors import UsageError
from generator.i18n import _

VARIABLE = "SOURCE_DATE_EPOCH"


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, None when unset or empty; UsageError if invalid."""
    value = os.environ.get(VARIABLE, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        raise UsageError(
            _(
                "{variable} must be a whole number of seconds since 1970 (ASCII digits only), "
                "not {value}; unset it to use the clock",
                variable=VARIABLE,
                value=repr(value),
            )
        )
    return int(value)


def epoch() -> float:
    """Seconds since 1970: ``SOURCE_DATE_EPOCH`` when set, else the clock."""
    fixed = source_date_epoch()
    return time.time() if fixed is None else fixed


def now(tz: ZoneInfo) -> dt.datetime:
    """The build's "now" in ``tz``."""
    fixed = source_date_epoch()
    if fixed is None:
        return dt.datetime.now(tz)
    try:
        return dt.datetime.fromtimestamp(fixed, tz)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            _("{variable}={seconds} is too far in the future", variable=VARIABLE, seconds=fixed)
        ) from None
