"""The build's "now", the one moment every date and expiry in a build is judged by."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo


def now(tz: ZoneInfo) -> dt.datetime:
    """The build's "now": ``SOURCE_DATE_EPOCH`` when set, else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz)
        except (ValueError, OverflowError, OSError) as exc:
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds: {epoch!r}"
            ) from exc
    return dt.datetime.now(tz)
