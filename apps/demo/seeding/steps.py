"""The steps of seeding each demo company, and our billing staff's."""

from decimal import Decimal
from functools import partial

from django.utils import timezone

from apps.accounts.selectors import user_id_for_email
from apps.accounts.services import user_create, user_grant_billing_staff, user_mark_email_verified
from apps.billing import services as billing_services
from apps.billing.services import Period
from apps.companies.services import company_change_subscription, company_signup
from apps.demo.companies import (
    BILLING_STAFF_EMAIL,
    BILLING_STAFF_NAME,
    CLIENTS_PER_COMPANY,
    COMMISSION_RATE,
    DEMO_PASSWORD,
    DEMO_SALES,
    PLOTS_PER_ESTATE,
    DemoCompany,
    DemoEstate,
    DemoSale,
)
from apps.demo.seeding.runner import COMPANY, SeedingRefused, Step, StepIds, need_id
from apps.estates import selectors as estate_selectors
from apps.estates import services as estate_services
from apps.marketers import services as marketer_services
from apps.payments import services as payment_services

DEMO_BILLED_MONTHS = 3


def billing_staff_step() -> Step:
    return Step(
        "billing-staff", f"give {BILLING_STAFF_EMAIL} the billing staff role", _make_billing_staff
    )


def company_steps(demo: DemoCompany) -> list[Step]:
    """Every step of seeding ``demo``, in order; a step comes after the steps it needs."""
    client1 = demo.person("client", 1)
    steps = [
        Step(
            COMPANY,
            f"create the company and its admin {demo.admin_email}",
            partial(_make_company, demo),
        ),
        *(
            Step(
                f"client:{number}",
                f"record the client {demo.person('client', number)}",
                partial(_make_client, demo, number),
                needs=(COMPANY,),
            )
            for number in range(1, CLIENTS_PER_COMPANY + 1)
        ),
        Step(
            "client:1:account",
            f"give {client1} an account that accepted the company's invitation",
            partial(_make_client_account, demo),
            needs=(COMPANY, "client:1"),
        ),
        Step(
            "marketer:1",
            f"approve the marketer {demo.person('marketer', 1)} at {COMMISSION_RATE} %",
            partial(_make_marketer, demo, 1, approve=True),
            needs=(COMPANY,),
        ),
        Step(
            "marketer:2",
            f"have the marketer {demo.person('marketer', 2)} apply",
            partial(_make_marketer, demo, 2, approve=False),
            needs=(COMPANY,),
        ),
    ]
    for index, estate in enumerate(demo.estates):
        estate_key = f"estate:{estate.name}"
        steps.append(
            Step(
                estate_key,
                f"create the estate {estate.name} with {PLOTS_PER_ESTATE} plots",
                partial(_make_estate, demo, estate),
                needs=(COMPANY,),
            )
        )
        for sale_index, sale in enumerate(DEMO_SALES):
            buyer = demo.buyer_for(index, sale_index)
            through = ("marketer:1",) if sale.through_marketer else ()
            steps.append(
                Step(
                    f"sale:{estate.name}:{sale.plot}",
                    _describe_sale(demo, estate, sale, buyer),
                    partial(_make_sale, estate, sale, buyer),
                    needs=(COMPANY, estate_key, f"client:{buyer}", *through),
                )
            )
    if demo.status != "trialing":
        steps.append(
            Step(
                "billing:history",
                f"invoice the last {DEMO_BILLED_MONTHS} months, paid, part-paid and open",
                partial(_make_billing_history, demo),
                needs=(COMPANY,),
            )
        )
    return steps


def _describe_sale(demo: DemoCompany, estate: DemoEstate, sale: DemoSale, buyer: int) -> str:
    words = [f"sell plot {estate.plot_number(sale.plot)} to {demo.person('client', buyer)}"]
    if sale.through_marketer:
        words.append(f"through {demo.person('marketer', 1)}")
    if not sale.complete:
        words.append("(pending)")
    return " ".join(words)


def _account(email: str, name: tuple[str, str]) -> int:
    """The demo person's account, created (verified, with the demo password) if missing."""
    existing = user_id_for_email(email=email)
    if existing is not None:
        user_mark_email_verified(user_id=existing)  # a .demo address cannot get the link
        return existing
    return user_create(
        email=email,
        password=DEMO_PASSWORD,
        first_name=name[0],
        last_name=name[1],
        email_verified=True,
    )


def _make_company(demo: DemoCompany, ids: StepIds) -> int:
    signup = company_signup(
        company_name=demo.name,
        email=demo.admin_email,
        password=DEMO_PASSWORD,
        first_name=demo.admin_name[0],
        last_name=demo.admin_name[1],
    )
    if signup.company_id is None or signup.user_id is None:
        raise SeedingRefused(f"{demo.admin_email} has an account that is no company's admin")
    user_mark_email_verified(user_id=signup.user_id)
    if (demo.tier, demo.status) != ("starter", "trialing"):
        company_change_subscription(
            company_id=signup.company_id, tier=demo.tier, status=demo.status
        )
    return signup.company_id


def _make_client(demo: DemoCompany, number: int, ids: StepIds) -> int:
    return estate_services.client_create(
        company_id=need_id(ids, COMPANY),
        email=demo.person("client", number),
        first_name=f"Client {number}",
        last_name=demo.family_name,
        phone=f"080300000{number:02d}",
        address=f"{number} Demo Close",
    ).pk


def _make_client_account(demo: DemoCompany, ids: StepIds) -> int:
    """The first client accepts the company's invitation, so their login sees their plots."""
    company_id, client_id = need_id(ids, COMPANY), need_id(ids, "client:1")
    user_id = _account(demo.person("client", 1), ("Client 1", demo.family_name))
    invitation_id = estate_selectors.client_open_invitation_id(
        company_id=company_id, client_id=client_id
    )
    token = (
        None
        if invitation_id is None
        else estate_services.client_invitation_issue_token(invitation_id=invitation_id)
    )
    if token is None:
        raise SeedingRefused("the client has no open invitation")
    estate_services.client_invitation_accept(token=token, user_id=user_id)
    return user_id


def _make_marketer(demo: DemoCompany, number: int, ids: StepIds, *, approve: bool) -> int:
    company_id = need_id(ids, COMPANY)
    email = demo.person("marketer", number)
    user_id = user_id_for_email(email=email) or marketer_services.marketer_register(
        email=email,
        password=DEMO_PASSWORD,
        first_name=f"Marketer {number}",
        last_name=demo.family_name,
    )
    if user_id is None:
        raise SeedingRefused(f"{email} could not be registered")
    user_mark_email_verified(user_id=user_id)
    affiliation_id = marketer_services.affiliation_request(
        user_id=user_id, company_id=company_id
    ).pk
    if approve:
        marketer_services.affiliation_approve(
            company_id=company_id,
            affiliation_id=affiliation_id,
            decided_by_id=None,
            commission_rate=COMMISSION_RATE,
        )
    return affiliation_id


def _make_estate(demo: DemoCompany, estate: DemoEstate, ids: StepIds) -> int:
    company_id = need_id(ids, COMPANY)
    estate_id = estate_services.estate_create(
        company_id=company_id,
        name=estate.name,
        location=estate.location,
        state=estate.state,
        lga=estate.lga,
        description=f"Dry, fenced and gated plots in {estate.location}.",
    ).pk
    for number in range(1, PLOTS_PER_ESTATE + 1):
        estate_services.plot_create(
            company_id=company_id,
            estate_id=estate_id,
            plot_number=estate.plot_number(number),
            size_sqm=Decimal("300.00") + 150 * (number % 3),
            price=demo.plot_price + Decimal("250000.00") * number,
        )
    return estate_id


def _make_sale(estate: DemoEstate, sale: DemoSale, buyer: int, ids: StepIds) -> int:
    company_id = need_id(ids, COMPANY)
    plot_number = estate.plot_number(sale.plot)
    plot_id = estate_selectors.plot_id_for_number(
        company_id=company_id,
        estate_id=need_id(ids, f"estate:{estate.name}"),
        plot_number=plot_number,
    )
    if plot_id is None:
        raise SeedingRefused(f"the estate has no plot {plot_number} any more")
    return estate_services.purchase_create(
        company_id=company_id,
        plot_id=plot_id,
        client_id=need_id(ids, f"client:{buyer}"),
        affiliation_id=need_id(ids, "marketer:1") if sale.through_marketer else None,
        complete=sale.complete,
    ).pk


def _make_billing_history(demo: DemoCompany, ids: StepIds) -> int:
    """Invoices for the months before today: the oldest paid by bank transfer, the next
    half paid in cash, the last still open."""
    company_id = need_id(ids, COMPANY)
    periods = [Period.previous_month(timezone.localdate())]
    while len(periods) < DEMO_BILLED_MONTHS:
        periods.insert(0, Period.previous_month(periods[0].start))
    invoice_id = 0
    for age, period in enumerate(periods):
        invoice = billing_services.invoice_raise(company_id=company_id, period=period)
        invoice_id = invoice.pk
        paid = {0: invoice.total, 1: (invoice.total / 2).quantize(Decimal("0.01"))}.get(age)
        if paid:
            payment_services.payment_record_offline(
                company_id=company_id,
                invoice_id=invoice.pk,
                amount=paid,
                method="bank_transfer" if age == 0 else "cash",
                reference=f"DEMO-{demo.domain}-{period.start:%Y%m}",
            )
    return invoice_id


def _make_billing_staff(ids: StepIds) -> int:
    user_id = _account(BILLING_STAFF_EMAIL, BILLING_STAFF_NAME)
    user_grant_billing_staff(user_id=user_id)
    return user_id
