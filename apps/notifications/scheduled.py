"""The scheduled notices (Celery beat, Africa/Lagos), to each company's admins:

- trial ending: 3 days and 1 day before a trial ends, for companies still on trial;
- subscription ending: 7 days before a company's paid access ends when nothing will
  renew it (``subscription_ends_at``: a card subscription cancelled at its period's end);
- weekly summary: on Mondays, the previous week (Monday to Sunday, Lagos) in numbers.

Offline payers (bank transfer, cash) get no "subscription ending" notice: they renew by
paying each month's invoice, so their access has no end date known in advance; it ends
only through dunning (suspension BILLING_GRACE_DAYS after an invoice falls overdue),
which is the overdue invoice's business, not a subscription ending. Should our staff
ever give an offline payer an end date (``subscription_ends_at``), the same notice
covers it.

Each notice's key names the threshold, the company and the date it is about
(``trial_ending:3:<company>:<ends_on>``, ``weekly_summary:<company>:<week_start>``), and
the outbox writes a key once: a job may run any number of times a day. A job that missed
days catches up with the nearest threshold not yet passed (a trial ending in 2 days gets
the 3-day notice, saying 2 days; one ending tomorrow gets only the 1-day notice), never
the same threshold twice for one end date. A new end date (a trial extended) is news
again.

Companies go in batches of BATCH by id; a batch costs a fixed number of queries
(the companies, their admins and contacts, the keys already sent, each other app's
numbers for the whole batch, then bulk inserts), however many companies it holds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from apps.accounts.selectors import user_contacts_for
from apps.companies.selectors import (
    CompanyDeadline,
    admin_user_ids_for,
    companies_in_service_batch,
    paid_access_ending_between,
    trials_ending_between,
)
from apps.estates.selectors import clients_added_for_companies, sales_summary_for_companies
from apps.marketers.selectors import commissions_earned_for_companies
from apps.notifications.categories import Category
from apps.notifications.outbox import Recipient
from apps.notifications.outbox_bulk import PendingNotice, keys_notified, notifications_send_many
from apps.usage.selectors import api_calls_for_companies

BATCH = 500
TRIAL_THRESHOLDS = (3, 1)  # days before the trial's last day
PAID_ACCESS_THRESHOLDS = (7,)


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    companies: int = 0  # looked at
    notified: int = 0  # notifications written (the rest had been sent before)

    def __add__(self, other: "ScheduledRun") -> "ScheduledRun":
        return ScheduledRun(self.companies + other.companies, self.notified + other.notified)


def _lagos() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: date) -> datetime:
    """The first moment of ``day`` in Lagos."""
    return datetime.combine(day, time.min, tzinfo=_lagos())


def _today(now: datetime | None) -> date:
    return (now or timezone.now()).astimezone(_lagos()).date()


def _link(path: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path.lstrip('/')}"


def _admins(company_ids: list[int]) -> dict[int, list[Recipient]]:
    """Each company's active admins with their contacts: two queries for the lot."""
    admin_ids = admin_user_ids_for(company_ids=company_ids)
    contacts = user_contacts_for(user_ids={u for ids in admin_ids.values() for u in ids})
    return {
        company_id: [
            Recipient(user_id=user_id, email=contacts[user_id].email, phone=contacts[user_id].phone)
            for user_id in ids
            if user_id in contacts
        ]
        for company_id, ids in admin_ids.items()
    }


def _threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The nearest threshold reached: the smallest one at or above ``days_left``."""
    reached = [days for days in thresholds if days >= days_left]
    return min(reached) if reached else None


# --- trial and paid access ending -----------------------------------------------------------


def _deadline_alerts(
    *,
    category: Category,
    thresholds: tuple[int, ...],
    batch_of: Callable[..., list[CompanyDeadline]],
    today: date,
    link: str,
) -> ScheduledRun:
    """Tell the admins of the companies whose deadline falls 1 to max(thresholds) days
    from ``today`` (Lagos dates), each at most once per threshold and end date."""
    start, end = (
        _midnight(today + timedelta(days=1)),
        _midnight(today + timedelta(days=max(thresholds) + 1)),
    )
    run, after_id = ScheduledRun(), 0
    while batch := batch_of(start=start, end=end, after_id=after_id, limit=BATCH):
        after_id = batch[-1].company_id
        admins = _admins([company.company_id for company in batch])
        notices = []
        for company in batch:
            ends_on = company.ends_at.astimezone(_lagos()).date()
            days_left = (ends_on - today).days
            threshold = _threshold(days_left, thresholds)
            if threshold is None:
                continue
            notices.append(
                PendingNotice(
                    key=f"{category}:{threshold}:{company.company_id}:{ends_on.isoformat()}",
                    company_id=company.company_id,
                    recipients=admins[company.company_id],
                    context={
                        "company_name": company.name,
                        "link": link,
                        "days_left": days_left,
                        "ends_on": ends_on.isoformat(),
                    },
                    link=link,
                )
            )
        written = notifications_send_many(category=category, event=category, notices=notices)
        run += ScheduledRun(companies=len(batch), notified=len(written))
    return run


def trial_ending_alerts_send(*, now: datetime | None = None) -> ScheduledRun:
    """Trials ending in 3 days and in 1 day: their companies' admins are told, once each."""
    return _deadline_alerts(
        category=Category.TRIAL_ENDING,
        thresholds=TRIAL_THRESHOLDS,
        batch_of=trials_ending_between,
        today=_today(now),
        link=_link("/billing/subscription"),
    )


def subscription_ending_alerts_send(*, now: datetime | None = None) -> ScheduledRun:
    """Paid access ending in 7 days (and not renewing): the admins are told, once."""
    return _deadline_alerts(
        category=Category.SUBSCRIPTION_ENDING,
        thresholds=PAID_ACCESS_THRESHOLDS,
        batch_of=paid_access_ending_between,
        today=_today(now),
        link=_link("/billing/subscription"),
    )


# --- the weekly summary ----------------------------------------------------------------------


def previous_week(today: date) -> tuple[date, date]:
    """The last whole week before ``today``: its Monday and its Sunday."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def weekly_summaries_send(*, now: datetime | None = None) -> ScheduledRun:
    """Each active (or trialing) company's previous week in numbers, to its admins, once a
    company and week: sales completed and their agreed prices, clients added,
    commissions earned and API calls, all counted in Lagos days."""
    week_start, week_end = previous_week(_today(now))
    start, end = _midnight(week_start), _midnight(week_end + timedelta(days=1))
    link = _link("/dashboard")
    run, after_id = ScheduledRun(), 0
    while batch := companies_in_service_batch(since=start, after_id=after_id, limit=BATCH):
        after_id = batch[-1].company_id
        keys = {
            company.company_id: f"weekly_summary:{company.company_id}:{week_start.isoformat()}"
            for company in batch
        }
        sent = keys_notified(list(keys.values()))
        ids = [company_id for company_id, key in keys.items() if key not in sent]
        notices = []
        if ids:
            admins = _admins(ids)
            sales = sales_summary_for_companies(company_ids=ids, start=start, end=end)
            clients = clients_added_for_companies(company_ids=ids, start=start, end=end)
            commissions = commissions_earned_for_companies(company_ids=ids, start=start, end=end)
            calls = api_calls_for_companies(company_ids=ids, start=week_start, end=week_end)
            names = {company.company_id: company.name for company in batch}
            for company_id in ids:
                context: dict[str, Any] = {
                    "company_name": names[company_id],
                    "link": link,
                    "week_start": week_start.isoformat(),
                    "week_end": week_end.isoformat(),
                    "sales": sales[company_id].sales,
                    "revenue": str(sales[company_id].revenue),
                    "new_clients": clients[company_id],
                    "commissions": str(commissions[company_id]),
                    "api_calls": calls[company_id],
                }
                notices.append(
                    PendingNotice(
                        key=keys[company_id],
                        company_id=company_id,
                        recipients=admins[company_id],
                        context=context,
                        link=link,
                    )
                )
        written = notifications_send_many(
            category=Category.WEEKLY_SUMMARY, event="weekly_summary", notices=notices
        )
        run += ScheduledRun(companies=len(batch), notified=len(written))
    return run
