"""Who gets what, on the events the other apps publish. Each receiver decides the
recipients and the templates' context (plain JSON values) and writes the notification
through the outbox; the sending happens after it commits.

- affiliation approved / rejected: the marketer (email, in-app);
- commission approved: the marketer (email, in-app); paid: email, SMS and in-app;
- invoice issued: the company's billing email (with the PDF), its admins in-app;
- invoice paid: the admins (the subscription is renewed);
- payment failed: the admins (email, SMS, in-app) and our billing team (email);
- API limit exceeded: the admins, once a company and day;
- subscription changed, cancelled, suspended, reactivated: the admins;
- plot created: the owners of the saved searches it matches (email, in-app), once per
  plot and search.
"""

import logging
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from apps.billing import signals as billing
from apps.billing.selectors import issued_invoices_for
from apps.companies import signals as companies
from apps.companies.selectors import billing_accounts_for, company_name
from apps.estates import signals as estates
from apps.marketers import signals as marketers
from apps.notifications import audiences
from apps.notifications.categories import Category, Channel
from apps.notifications.outbox import Recipient, notification_send
from apps.notifications.outbox_bulk import PendingNotice, notifications_send_many
from apps.payments import signals as payments
from apps.search.selectors import saved_searches_matching_plot
from apps.usage import signals as usage

logger = logging.getLogger(__name__)

IN_APP_ONLY = frozenset({Channel.IN_APP})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _moment() -> str:
    # For events whose object can go through them again (an affiliation approved after
    # a new request, a plan changed twice): the second tells the two apart, and the same
    # event published twice within it is one notice.
    return timezone.now().strftime("%Y%m%dT%H%M%S")


def _link(path: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path.lstrip('/')}"


def _notify(
    category: Category,
    key: str,
    event: str,
    company_id: int,
    recipients: list[Recipient],
    link: str = "",
    **context: Any,
) -> None:
    if not recipients:
        return
    notification_send(
        category=category,
        key=key,
        event=event,
        company_id=company_id,
        recipients=recipients,
        context={
            "company_name": company_name(company_id=company_id) or "",
            "link": link,
            **{name: _plain(value) for name, value in context.items()},
        },
        link=link,
    )


# --- marketers ----------------------------------------------------------------------------


@receiver(marketers.affiliation_approved)
def affiliation_approved(
    *, affiliation_id: int, company_id: int, commission_rate: Decimal, **_: Any
) -> None:
    _notify(
        Category.AFFILIATION_APPROVED,
        f"affiliation_approved:{affiliation_id}:{_moment()}",
        "affiliation_approved",
        company_id,
        audiences.marketer(company_id, affiliation_id),
        link=_link("/marketer/affiliations"),
        commission_rate=commission_rate,
    )


@receiver(marketers.affiliation_rejected)
def affiliation_rejected(*, affiliation_id: int, company_id: int, reason: str, **_: Any) -> None:
    _notify(
        Category.AFFILIATION_REJECTED,
        f"affiliation_rejected:{affiliation_id}:{_moment()}",
        "affiliation_rejected",
        company_id,
        audiences.marketer(company_id, affiliation_id),
        link=_link("/marketer/affiliations"),
        reason=reason,
    )


@receiver(marketers.commission_approved)
def commission_approved(
    *, commission_id: int, company_id: int, affiliation_id: int, amount: Decimal, **_: Any
) -> None:
    _notify(
        Category.COMMISSION_APPROVED,
        f"commission_approved:{commission_id}",
        "commission_approved",
        company_id,
        audiences.marketer(company_id, affiliation_id),
        link=_link("/marketer/commissions"),
        commission_id=commission_id,
        amount=amount,
    )


@receiver(marketers.commission_paid)
def commission_paid(
    *,
    commission_id: int,
    company_id: int,
    affiliation_id: int,
    amount: Decimal,
    payment_reference: str,
    **_: Any,
) -> None:
    _notify(
        Category.COMMISSION_PAID,
        f"commission_paid:{commission_id}",
        "commission_paid",
        company_id,
        audiences.marketer(company_id, affiliation_id),
        link=_link("/marketer/commissions"),
        commission_id=commission_id,
        amount=amount,
        payment_reference=payment_reference,
    )


# --- billing and payments -------------------------------------------------------------------


@receiver(billing.invoice_issued)
def invoice_issued(
    *,
    invoice_id: int,
    company_id: int,
    number: str,
    total: Decimal,
    due_date: date,
    in_batch: bool = False,
    **_: Any,
) -> None:
    if in_batch:
        return  # told with the rest of its batch (invoices_issued, below)
    _notify(
        Category.INVOICE_ISSUED,
        f"invoice_issued:{invoice_id}",
        "invoice_issued",
        company_id,
        audiences.billing_email(company_id) + audiences.company_admins(company_id, IN_APP_ONLY),
        link=_link(f"/billing/invoices/{invoice_id}"),
        invoice_id=invoice_id,
        number=number,
        total=total,
        due_date=due_date,
    )


@receiver(billing.invoices_issued)
def invoices_issued(*, invoice_ids: list[int], **_: Any) -> None:
    """A batch of the monthly run (or a raised invoice): told by a worker, so the run
    does not wait for it; written here if no worker can be asked."""
    from apps.notifications.tasks import tell_invoices_issued

    try:
        tell_invoices_issued.delay(invoice_ids=list(invoice_ids))
    except Exception:
        logger.exception("Could not hand %s issued invoices to a worker", len(invoice_ids))
        invoices_issued_tell(invoice_ids=invoice_ids)


def invoices_issued_tell(*, invoice_ids: list[int]) -> None:
    """The same messages as one issued invoice each (and "renewed" for those credits
    paid), written for the whole batch in a fixed number of queries; safe to run again
    (each invoice's notices are keyed)."""
    invoices = issued_invoices_for(invoice_ids=invoice_ids)
    company_ids = {invoice.company_id for invoice in invoices}
    accounts = billing_accounts_for(company_ids=company_ids)
    admins = audiences.company_admins_for(company_ids)
    in_app = {
        company_id: [replace(admin, channels=IN_APP_ONLY) for admin in people]
        for company_id, people in admins.items()
    }
    notices, renewals = [], []
    for invoice in invoices:
        account = accounts[invoice.company_id]
        link = _link(f"/billing/invoices/{invoice.invoice_id}")
        context = {
            "company_name": account.name,
            "link": link,
            "invoice_id": invoice.invoice_id,
            "number": invoice.number,
            "total": _plain(invoice.total),
            "due_date": _plain(invoice.due_date),
        }
        notices.append(
            PendingNotice(
                key=f"invoice_issued:{invoice.invoice_id}",
                company_id=invoice.company_id,
                recipients=audiences.address(account.billing_email) + in_app[invoice.company_id],
                context=context,
                link=link,
            )
        )
        if invoice.paid_at is not None:
            renewals.append(
                PendingNotice(
                    key=f"invoice_paid:{invoice.invoice_id}",
                    company_id=invoice.company_id,
                    recipients=admins[invoice.company_id],
                    context={**context, "paid_at": _plain(invoice.paid_at)},
                    link=link,
                )
            )
    notifications_send_many(
        category=Category.INVOICE_ISSUED, event="invoice_issued", notices=notices
    )
    notifications_send_many(
        category=Category.SUBSCRIPTION_RENEWED, event="invoice_paid", notices=renewals
    )


@receiver(billing.invoice_paid)
def invoice_paid(
    *,
    invoice_id: int,
    company_id: int,
    number: str,
    total: Decimal,
    paid_at: datetime,
    in_batch: bool = False,
    **_: Any,
) -> None:
    if in_batch:
        return  # told with the rest of its batch (invoices_issued)
    _notify(
        Category.SUBSCRIPTION_RENEWED,
        f"invoice_paid:{invoice_id}",
        "invoice_paid",
        company_id,
        audiences.company_admins(company_id),
        link=_link(f"/billing/invoices/{invoice_id}"),
        invoice_id=invoice_id,
        number=number,
        total=total,
        paid_at=paid_at,
    )


@receiver(payments.payment_failed)
def payment_failed(
    *, payment_id: int, company_id: int, amount: Decimal, reason: str, **_: Any
) -> None:
    _notify(
        Category.PAYMENT_FAILED,
        f"payment_failed:{payment_id}",
        "payment_failed",
        company_id,
        audiences.company_admins(company_id) + audiences.billing_team(),
        link=_link("/billing/subscription"),
        payment_id=payment_id,
        amount=amount,
        reason=reason,
    )


# --- usage and subscriptions -------------------------------------------------------------------


@receiver(usage.api_limit_exceeded)
def api_limit_exceeded(*, company_id: int, day: date, daily_limit: int, **_: Any) -> None:
    _notify(
        Category.API_LIMIT_EXCEEDED,
        f"api_limit_exceeded:{company_id}:{day}",
        "api_limit_exceeded",
        company_id,
        audiences.company_admins(company_id),
        link=_link("/billing/subscription"),
        day=day,
        daily_limit=daily_limit,
    )


def _subscription_notice(company_id: int, event: str, **context: Any) -> None:
    _notify(
        Category.SUBSCRIPTION_CHANGED,
        f"{event}:{company_id}:{_moment()}",
        event,
        company_id,
        audiences.company_admins(company_id),
        link=_link("/billing/subscription"),
        change=event,
        **context,
    )


@receiver(companies.subscription_changed)
def subscription_changed(
    *,
    company_id: int,
    old_tier: str,
    new_tier: str,
    old_status: str,
    new_status: str,
    **_: Any,
) -> None:
    _subscription_notice(
        company_id,
        "subscription_changed",
        old_tier=old_tier,
        new_tier=new_tier,
        old_status=old_status,
        new_status=new_status,
    )


@receiver(companies.company_suspended)
def company_suspended(*, company_id: int, reason: str, **_: Any) -> None:
    _subscription_notice(company_id, "company_suspended", reason=reason)


@receiver(companies.company_reactivated)
def company_reactivated(*, company_id: int, **_: Any) -> None:
    _subscription_notice(company_id, "company_reactivated")


@receiver(payments.subscription_cancelled)
def subscription_cancelled(*, company_id: int, reason: str, at_period_end: bool, **_: Any) -> None:
    _subscription_notice(
        company_id, "subscription_cancelled", reason=reason, at_period_end=at_period_end
    )


# --- estates ---------------------------------------------------------------------------------


@receiver(estates.plot_created)
def plot_created(*, plot_id: int, company_id: int, **_: Any) -> None:
    """A worker finds the saved searches the plot matches and tells their owners, so
    adding a plot does not wait for it; done here if no worker can be asked."""
    from apps.notifications.tasks import tell_saved_search_matches

    try:
        tell_saved_search_matches.delay(company_id=company_id, plot_id=plot_id)
    except Exception:
        logger.exception("Could not hand plot %s's saved-search matches to a worker", plot_id)
        saved_search_matches_tell(company_id=company_id, plot_id=plot_id)


def saved_search_matches_tell(*, company_id: int, plot_id: int) -> None:
    """Tell each owner of a saved search the new plot matches (found in one query over
    them all), in a fixed number of queries; once per plot and search (keyed), so it is
    safe to run again."""
    matched = saved_searches_matching_plot(company_id=company_id, plot_id=plot_id)
    if matched is None or not matched.matches:
        return
    people = {
        person.user_id: person
        for person in audiences.users({match.owner_id for match in matched.matches})
    }
    link = _link(f"/plots/{plot_id}")
    context = {
        "company_name": company_name(company_id=company_id) or "",
        "link": link,
        "plot_id": plot_id,
        "plot_number": matched.plot_number,
        "estate_name": matched.estate_name,
        "price": matched.price,
    }
    notifications_send_many(
        category=Category.SAVED_SEARCH_MATCH,
        event="plot_created",
        notices=[
            PendingNotice(
                key=f"saved_search_match:{match.saved_search_id}:{plot_id}",
                company_id=company_id,
                recipients=[people[match.owner_id]],
                context={**context, "search_name": match.name},
                link=link,
            )
            for match in matched.matches
            if match.owner_id in people
        ],
    )
