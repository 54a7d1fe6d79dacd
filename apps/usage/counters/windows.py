"""The windows a request is counted in, their counter keys and their limits.

A request made for a company is counted against these limits, checked in this order:

- ``caller-hourly``: the caller's own hour, the tier's hourly limit. The caller is a user
  (``u<id>``) or a company API key (``k<id>``), so one member cannot use up the hour of
  the others.
- ``caller-daily``: the caller's share of the company's daily cap, so one member cannot
  use up the day of the others either: ``API_CALLER_DAILY_SHARE`` of it for an admin or
  an API key, ``API_MEMBER_CALLER_DAILY_SHARE`` for a marketer or a client (at least one
  request).
- ``members-daily`` (marketers and clients only): what they may use of the company's day
  all together, ``API_MEMBERS_DAILY_SHARE`` of it. The rest is kept for the company's
  admins and API keys, which are not counted in it: low-privilege members, however many,
  cannot lock the admins out for the day.
- ``company-daily``: the company's daily cap (``max_api_calls_daily``), shared by all.

A signed-in user acting for no company (a marketer before affiliation) is counted in
their own hour only (``API_NO_COMPANY_HOURLY_LIMIT``) and not metered.

Keys (the cache's key prefix is added on Redis):
- ``rl:h:<company>:<caller>:<YYYYMMDDHH>`` the caller's admitted requests this hour
- ``rl:s:<company>:<caller>:<YYYYMMDD>``   the caller's admitted requests today
- ``rl:m:<company>:<YYYYMMDD>``            the marketers' and clients' admitted requests today
- ``rl:d:<company>:<YYYYMMDD>``            the company's admitted requests today
- ``rl:h:user:<user>:<YYYYMMDDHH>``        a no-company user's admitted requests this hour
- ``usage:<company>:<YYYYMMDD>``           requests admitted today (metering)
- ``usage:days:<YYYYMMDD>``                set of companies with metered requests that day
- ``rl:e:<company>:<YYYYMMDD>``            set by the first refusal with the daily cap used up
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.roles import Role

HOUR = 3600
DAY = 86400
# Metering counters outlive their day so the flush after midnight still finds them.
USAGE_TTL = 3 * DAY
# Counters live a minute past their window, so a request at the edge still finds them.
TTL_GRACE = 60

CALLER_HOURLY = "caller-hourly"
CALLER_DAILY = "caller-daily"
MEMBERS_DAILY = "members-daily"
COMPANY_DAILY = "company-daily"


@dataclass(frozen=True, slots=True)
class Window:
    """One limited window: the policy it enforces, its counter and when it resets."""

    policy: str
    key: str
    limit: int
    seconds: int  # the policy's window length (RateLimit-Policy's w)
    resets_at: datetime
    ttl: int  # seconds the counter lives: to the window's end, plus a grace


@dataclass(frozen=True, slots=True)
class CompanyWindows:
    """What one request made for a company is counted against, and where it is metered."""

    company_id: int
    caller_hour: Window
    caller_day: Window
    # What marketers and clients use together; counted only for them (see ``member``),
    # always known so that anyone can be shown it.
    members_day: Window
    company_day: Window
    usage_key: str
    days_key: str
    daily_refused_key: str
    member: bool  # a marketer or a client, not an admin or an API key

    @property
    def limits(self) -> tuple[Window, ...]:
        """The limits of this caller in the order they are checked; the company's day last."""
        if self.member:
            return (self.caller_hour, self.caller_day, self.members_day, self.company_day)
        return (self.caller_hour, self.caller_day, self.company_day)


@dataclass(frozen=True, slots=True)
class Guard:
    """Cache entries that must hold for a request to be counted, checked in the same
    atomic step as the counting (the caller's cached sign-in still current, its token not
    revoked): each key of ``equal`` holds its value, each of ``absent`` is missing, each of
    ``present`` is set. Keys are cache keys, as given to Django's cache."""

    equal: tuple[tuple[str, Any], ...] = ()
    absent: tuple[str, ...] = ()
    present: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """The counter store's answer for one request."""

    admitted: bool
    # Each limit's count, in the order checked: after this request if it was admitted,
    # as found if it was refused (refused requests are counted nowhere).
    counts: tuple[int, ...]
    # The policy that refused the request (the first full one in order), if any.
    refused_by: str | None = None
    # The company's first refusal today with its daily cap used up, whichever limit is
    # named (exactly one per day; a refusal by a caller's share alone is not one).
    first_daily_refusal: bool = False


def caller_id(*, user_id: int | None, api_key_id: int | None) -> str:
    """``k<id>`` for an API key, ``u<id>`` for a user: whose hour and share a request uses."""
    if api_key_id is not None:
        return f"k{api_key_id}"
    if user_id is not None:
        return f"u{user_id}"
    raise ValueError("A caller is a user or an API key.")


def counts_as_member(role: str) -> bool:
    """Whether a caller in ``role`` draws on the members' share of the day.

    Everyone but the company's admins (API keys act as admins): a role added later is
    limited like a marketer until someone decides otherwise.
    """
    return role != Role.COMPANY_ADMIN


def _share_of(daily_limit: int, share: Decimal | str) -> int:
    return min(daily_limit, max(1, math.floor(daily_limit * Decimal(str(share)))))


def caller_daily_share(daily_limit: int, *, role: str) -> int:
    """How much of the company's daily cap one caller in ``role`` may use: a share of it
    (a smaller one for marketers and clients), at least one request."""
    if counts_as_member(role):
        return _share_of(daily_limit, settings.API_MEMBER_CALLER_DAILY_SHARE)
    return _share_of(daily_limit, settings.API_CALLER_DAILY_SHARE)


def members_daily_share(daily_limit: int) -> int:
    """How much of the company's daily cap its marketers and clients may use together."""
    return _share_of(daily_limit, settings.API_MEMBERS_DAILY_SHARE)


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: str
    day: str
    hour_resets_at: datetime
    day_resets_at: datetime
    hour_ttl: int
    day_ttl: int


def _clock(now: datetime | None) -> _Clock:
    """The current hour and day in the project's time zone (Lagos)."""
    local = timezone.localtime(now or timezone.now())
    hour_start = local.replace(minute=0, second=0, microsecond=0)
    hour_end = hour_start + timedelta(hours=1)
    day_end = hour_start.replace(hour=0) + timedelta(days=1)
    return _Clock(
        hour=local.strftime("%Y%m%d%H"),
        day=local.strftime("%Y%m%d"),
        hour_resets_at=hour_end,
        day_resets_at=day_end,
        hour_ttl=int((hour_end - local).total_seconds()) + TTL_GRACE,
        day_ttl=int((day_end - local).total_seconds()) + TTL_GRACE,
    )


def company_windows(
    *,
    company_id: int,
    caller: str,
    role: str,
    hourly_limit: int,
    daily_limit: int,
    now: datetime | None = None,
) -> CompanyWindows:
    """The windows of a request by ``caller`` (see ``caller_id``), acting in ``role``, for
    a company."""
    clock = _clock(now)
    return CompanyWindows(
        company_id=company_id,
        caller_hour=Window(
            policy=CALLER_HOURLY,
            key=f"rl:h:{company_id}:{caller}:{clock.hour}",
            limit=hourly_limit,
            seconds=HOUR,
            resets_at=clock.hour_resets_at,
            ttl=clock.hour_ttl,
        ),
        caller_day=Window(
            policy=CALLER_DAILY,
            key=f"rl:s:{company_id}:{caller}:{clock.day}",
            limit=caller_daily_share(daily_limit, role=role),
            seconds=DAY,
            resets_at=clock.day_resets_at,
            ttl=clock.day_ttl,
        ),
        members_day=Window(
            policy=MEMBERS_DAILY,
            key=f"rl:m:{company_id}:{clock.day}",
            limit=members_daily_share(daily_limit),
            seconds=DAY,
            resets_at=clock.day_resets_at,
            ttl=clock.day_ttl,
        ),
        company_day=Window(
            policy=COMPANY_DAILY,
            key=f"rl:d:{company_id}:{clock.day}",
            limit=daily_limit,
            seconds=DAY,
            resets_at=clock.day_resets_at,
            ttl=clock.day_ttl,
        ),
        usage_key=usage_key(company_id, clock.day),
        days_key=usage_days_key(clock.day),
        daily_refused_key=f"rl:e:{company_id}:{clock.day}",
        member=counts_as_member(role),
    )


def user_window(*, user_id: int, hourly_limit: int, now: datetime | None = None) -> Window:
    """The hour of a signed-in user who acts for no company."""
    clock = _clock(now)
    return Window(
        policy=CALLER_HOURLY,
        key=f"rl:h:user:{user_id}:{clock.hour}",
        limit=hourly_limit,
        seconds=HOUR,
        resets_at=clock.hour_resets_at,
        ttl=clock.hour_ttl,
    )


def usage_key(company_id: int, day: str) -> str:
    return f"usage:{company_id}:{day}"


def usage_days_key(day: str) -> str:
    return f"usage:days:{day}"
