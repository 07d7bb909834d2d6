"""Reporting periods: `YYYYH1`/`YYYYH2` half-years, `YYYYQ1`–`Q4`, `YYYY-MM`, and days.

A period's label sorts like its start date within one cadence, so `max(period)` is the latest.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.i18n import Text, t
from app.models.enums import Cadence

_FORMATS = {
    Cadence.half_yearly: (re.compile(r"^(\d{4})H([12])$"), "YYYYH1 or YYYYH2"),
    Cadence.quarterly: (re.compile(r"^(\d{4})Q([1-4])$"), "YYYYQ1 to YYYYQ4"),
    Cadence.monthly: (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "YYYY-MM"),
    Cadence.continuous: (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "YYYY-MM-DD"),
}
_CADENCE_ZH = {
    Cadence.half_yearly: "半年度",
    Cadence.quarterly: "季度",
    Cadence.monthly: "月度",
    Cadence.continuous: "按日",
}
# Months per period, by cadence (continuous periods are single days).
_MONTHS = {Cadence.half_yearly: 6, Cadence.quarterly: 3, Cadence.monthly: 1}


class PeriodError(ValueError):
    """A label that names no period; `why` says what was expected, in both languages."""

    why: Text

    def __init__(self, why: Text) -> None:
        super().__init__(why.en)
        self.why = why


@dataclass(frozen=True, order=True)
class Period:
    start: date
    cadence: Cadence

    @property
    def label(self) -> str:
        y, m = self.start.year, self.start.month
        if self.cadence == Cadence.half_yearly:
            return f"{y}H{1 if m <= 6 else 2}"
        if self.cadence == Cadence.quarterly:
            return f"{y}Q{(m - 1) // 3 + 1}"
        if self.cadence == Cadence.monthly:
            return f"{y}-{m:02d}"
        return self.start.isoformat()

    @property
    def end(self) -> date:
        """The period's last day."""
        return self.next().start - timedelta(days=1)

    def next(self) -> "Period":
        if self.cadence == Cadence.continuous:
            return Period(self.start + timedelta(days=1), self.cadence)
        return Period(_add_months(self.start, _MONTHS[self.cadence]), self.cadence)

    def previous(self) -> "Period":
        if self.cadence == Cadence.continuous:
            return Period(self.start - timedelta(days=1), self.cadence)
        return Period(_add_months(self.start, -_MONTHS[self.cadence]), self.cadence)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(day: date, cadence: Cadence) -> Period:
    """The period of `cadence` that contains `day`."""
    if cadence == Cadence.continuous:
        return Period(day, cadence)
    size = _MONTHS[cadence]
    return Period(date(day.year, (day.month - 1) // size * size + 1, 1), cadence)


def parse_period(label: str, cadence: Cadence) -> Period:
    """The period a label names; `PeriodError` saying the expected format otherwise."""
    pattern, shape = _FORMATS[cadence]
    match = pattern.match(label)
    if not match:
        shape_zh = shape.replace(" or ", " 或 ").replace(" to ", " 至 ")
        raise PeriodError(
            t(
                f"{_CADENCE_ZH[cadence]}期间应写作 {shape_zh}，不能是 {label!r}。",
                f"A {cadence.value} period looks like {shape}, not {label!r}.",
            )
        )
    year = int(match.group(1))
    if cadence == Cadence.continuous:
        try:
            return Period(date.fromisoformat(label), cadence)
        except ValueError:
            raise PeriodError(
                t(f"{label!r} 不是有效的日期。", f"{label!r} is not a date.")
            ) from None
    number = int(match.group(2))
    month = 1 + (number - 1) * _MONTHS[cadence] if cadence != Cadence.monthly else number
    if not 1900 <= year <= 9999:
        raise PeriodError(
            t(f"{label!r} 的年份超出范围。", f"The year of {label!r} is out of range.")
        )
    return Period(date(year, month, 1), cadence)
