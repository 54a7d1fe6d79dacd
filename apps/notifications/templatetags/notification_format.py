"""Filters for notification templates: amounts in naira, dates and times in Lagos.

The outbox keeps a notification's context as JSON, so amounts arrive as strings
("1234.5") and moments as ISO 8601 strings; these filters take those as well as the
Python values (the admin's preview uses both).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.money import format_naira, round_kobo

register = template.Library()


# An absent value (None, "") shows as nothing rather than failing the whole message; the
# template tests make sure every sample's values are there.


@register.filter
def naira(value: str | Decimal | int | None) -> str:
    """₦1,234,567.89 from a context amount (kept as a string in the outbox)."""
    if value in (None, ""):
        return ""
    return format_naira(round_kobo(value))


@register.filter
def ngn(value: str | Decimal | int | None) -> str:
    """NGN 1,234,567.89, for SMS: "₦" is not in the GSM-7 alphabet, and one character
    outside it turns a 160-character message into 70-character UCS-2 segments."""
    if value in (None, ""):
        return ""
    return f"NGN {round_kobo(value):,.2f}"


@register.filter
def thousands(value: str | int | None) -> str:
    """12,345 from a count."""
    if value in (None, ""):
        return ""
    return f"{int(value):,}"


@register.filter
def percent(value: str | Decimal | int | None) -> str:
    """7.5% from "7.50": a rate without trailing zeros."""
    if value in (None, ""):
        return ""
    rate = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{rate:f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def words(value: str) -> str:
    """ "past due" from a code such as "past_due"."""
    return str(value).replace("_", " ")


def _moment(value: str | date | datetime | None) -> date | datetime | None:
    if isinstance(value, date):
        return value
    if not value or not isinstance(value, str):
        return None
    return parse_datetime(value) or parse_date(value)


def _lagos(moment: datetime) -> datetime:
    # A naive datetime is taken to be Lagos time already (Django's convention for the
    # default time zone); an aware one is converted.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


@register.filter
def lagos_date(value: str | date | datetime | None, style: str = "") -> str:
    """27 November 2026 (or, with "short", 27 Nov 2026), as the day is in Lagos."""
    moment = _moment(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = _lagos(moment).date()
    month = "%b" if style == "short" else "%B"
    return f"{moment.day} {moment.strftime(f'{month} %Y')}"


@register.filter
def lagos_time(value: str | datetime | None) -> str:
    """27 November 2026, 14:05 (the time in Lagos)."""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return lagos_date(value)
    local = _lagos(moment)
    return f"{local.day} {local:%B %Y, %H:%M}"
