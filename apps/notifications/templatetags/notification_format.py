"""Filters for notification templates: amounts in naira, dates and times in Lagos."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.money import format_naira, round_kobo

register = template.Library()


@register.filter
def naira(value: str | Decimal | int) -> str:
    """₦1,234,567.89 from a context amount (kept as a string in the outbox)."""
    return format_naira(round_kobo(value))


def _moment(value: str | date | datetime | None) -> date | datetime | None:
    if isinstance(value, date):
        return value
    if not value or not isinstance(value, str):
        return None
    return parse_datetime(value) or parse_date(value)


@register.filter
def lagos_date(value: str | date | datetime | None) -> str:
    """27 November 2026, as the day is in Lagos."""
    moment = _moment(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return f"{moment.day} {moment:%B %Y}"


@register.filter
def lagos_time(value: str | datetime | None) -> str:
    """27 November 2026, 14:05 (Lagos)."""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return lagos_date(value)
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{local.day} {local:%B %Y, %H:%M}"
