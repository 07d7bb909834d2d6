"""The platform's one clock: every "now" and every "today" comes from here.

`now()` is the instant, in UTC (timestamps, storage, token lifetimes). `today()` and
`local_now()` are the business calendar's, in `BUSINESS_TIMEZONE` (default
Asia/Shanghai): half-year periods, publication due dates, demands' `valid_until`,
"not in the past" checks. The host's own time zone never matters: on a UTC host at
2027-06-30T16:30Z it is already 2027-07-01 (2027H2) for the platform.

Tests move time through one seam, `frozen(at)` (the `frozen_clock` fixture in
tests/conftest.py): while it is active every caller of this module sees `at`.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.core.config import ClockSettings

_zone: ZoneInfo | None = None
_frozen: datetime | None = None


def configure(timezone_name: str) -> None:
    """Use `timezone_name` (an IANA name, e.g. `Asia/Shanghai`) as the business time zone."""
    global _zone
    _zone = ZoneInfo(timezone_name)


def zone() -> ZoneInfo:
    """The business time zone (from the settings until `configure` says otherwise)."""
    if _zone is None:
        configure(ClockSettings().business_timezone)
    assert _zone is not None
    return _zone


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def local_now() -> datetime:
    """The current instant on the business time zone's wall clock."""
    return now().astimezone(zone())


def today() -> date:
    """Today's date in the business time zone."""
    return local_now().date()


def epoch_seconds() -> float:
    """Seconds since the Unix epoch (rate-limit windows)."""
    return _frozen.timestamp() if _frozen is not None else time.time()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Stop the clock at `at` (timezone-aware) until the block ends: the tests' one seam."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze the clock at a timezone-aware instant")
    before, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = before
