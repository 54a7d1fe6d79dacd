"""Billing periods: calendar months in the project's time zone (Africa/Lagos)."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period, in the project's time zone."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    @classmethod
    def month_of(cls, day: date) -> "Period":
        return cls.month(day.year, day.month)

    @classmethod
    def previous_month(cls, today: date) -> "Period":
        return cls.month_of(today.replace(day=1) - timedelta(days=1))
