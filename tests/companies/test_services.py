from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.companies import services
from apps.companies.models import ApiKey, Company, Membership, SubscriptionStatus, Tier
from apps.core.errors import ConflictError, NotFoundError, ValidationFailed
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def signup(**overrides):
    fields = {
        "company_name": "Lekki Gardens Realty",
        "email": "Ada@Lekki.ng",
        "password": "Strong-Pass-2026",
        "first_name": "Ada",
        "last_name": "Obi",
    }
    return services.company_signup(**{**fields, **overrides})


def test_signup_creates_a_starter_trial_with_its_admin(
    django_capture_on_commit_callbacks, mailoutbox, events
):
    with django_capture_on_commit_callbacks(execute=True):
        result = signup()

    company = Company.objects.get(pk=result.company_id)
    assert company.subscription_tier == Tier.STARTER
    assert company.subscription_status == SubscriptionStatus.TRIALING
    trial_days = (company.trial_ends_at - timezone.now()).total_seconds() / 86400
    assert 13.99 < trial_days <= 14
    assert (company.max_plots, company.max_agents, company.max_api_calls_daily) == (100, 5, 1000)
    assert company.billing_email == "ada@lekki.ng"
    assert company.slug == "lekki-gardens-realty"
    assert company.is_subscription_active()
    membership = Membership.objects.get(company=company)
    assert membership.role == "company_admin"
    assert membership.user.email == "ada@lekki.ng"
    assert membership.user_id == result.user_id
    # The company knows its founder by the names they gave.
    assert (membership.first_name, membership.last_name) == ("Ada", "Obi")
    assert membership.user.email_verified is False
    [verification] = mailoutbox
    assert verification.to == ["ada@lekki.ng"]
    assert "confirm" in verification.subject.lower()
    assert events.named("company_created") == [
        {
            "company_id": company.pk,
            "tier": "starter",
            "trial_ends_at": company.trial_ends_at,
            "admin_user_id": membership.user_id,
        }
    ]


def test_signup_with_a_taken_slug_gets_a_unique_one():
    first = Company.objects.get(pk=signup().company_id)
    second = Company.objects.get(pk=signup(email="other@lekki.ng").company_id)
    assert first.slug != second.slug
    assert second.slug.startswith("lekki-gardens-realty-")


def test_signup_with_a_weak_password_creates_nothing(django_capture_on_commit_callbacks, events):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationFailed) as raised,
    ):
        signup(password="password")
    assert "password" in raised.value.details
    assert not Company.objects.exists()
    assert events.named("company_created") == []


def test_signup_with_a_taken_email_creates_nothing_and_emails_the_owner(
    django_capture_on_commit_callbacks, mailoutbox, events
):
    owner = UserFactory(email="ada@lekki.ng", first_name="Adaora")
    with django_capture_on_commit_callbacks(execute=True):
        result = signup(first_name="Mallory")

    assert (result.company_id, result.user_id) == (None, None)
    assert not Company.objects.exists()
    assert events.named("company_created") == []
    owner.refresh_from_db()
    assert owner.check_password("Strong-Pass-2026") is False
    [notice] = mailoutbox
    assert notice.to == ["ada@lekki.ng"]
    assert "already have" in notice.subject
    # Greeted by the account's own name, never by the name the stranger typed.
    assert "Adaora" in notice.body
    assert "Mallory" not in notice.body
    assert "Lekki Gardens" not in notice.body


def test_a_signed_in_person_creates_a_company_of_their_own(
    django_capture_on_commit_callbacks, events
):
    person = UserFactory(first_name="Ada", last_name="Obi")
    with django_capture_on_commit_callbacks(execute=True):
        company = services.company_create(owner_user_id=person.pk, name="  Ada Homes ")

    assert company.name == "Ada Homes"
    assert company.billing_email == person.email
    assert company.subscription_status == SubscriptionStatus.TRIALING
    membership = Membership.objects.get(company=company)
    assert (membership.user_id, membership.role) == (person.pk, "company_admin")
    assert [event["company_id"] for event in events.named("company_created")] == [company.pk]


@pytest.mark.parametrize(
    ("status", "trial_offset", "ends_offset", "active"),
    [
        (SubscriptionStatus.TRIALING, timedelta(days=1), None, True),
        (SubscriptionStatus.TRIALING, -timedelta(seconds=1), None, False),
        (SubscriptionStatus.ACTIVE, None, None, True),
        (SubscriptionStatus.ACTIVE, None, timedelta(days=3), True),
        (SubscriptionStatus.ACTIVE, None, -timedelta(days=1), False),
        (SubscriptionStatus.PAST_DUE, None, None, True),
        (SubscriptionStatus.SUSPENDED, None, None, False),
        (SubscriptionStatus.CANCELLED, None, None, False),
    ],
)
def test_is_subscription_active(status, trial_offset, ends_offset, active):
    now = timezone.now()
    company = CompanyFactory.build(
        subscription_status=status,
        trial_ends_at=now + trial_offset if trial_offset is not None else None,
        subscription_ends_at=now + ends_offset if ends_offset is not None else None,
    )
    assert company.is_subscription_active(at=now) is active


def test_trial_without_an_end_date_is_not_active():
    company = CompanyFactory.build(subscription_status=SubscriptionStatus.TRIALING)
    assert company.is_subscription_active() is False


def test_changing_tier_applies_the_plan_limits_and_publishes(
    django_capture_on_commit_callbacks, events
):
    company = CompanyFactory(subscription_tier=Tier.STARTER, max_plots=100)
    with django_capture_on_commit_callbacks(execute=True):
        services.company_change_subscription(
            company_id=company.pk, tier=Tier.ENTERPRISE, status=SubscriptionStatus.ACTIVE
        )
    company.refresh_from_db()
    assert company.subscription_tier == Tier.ENTERPRISE
    assert (company.max_plots, company.max_agents, company.max_api_calls_daily) == (
        10000,
        200,
        100000,
    )
    assert events.named("subscription_changed") == [
        {
            "company_id": company.pk,
            "old_tier": "starter",
            "new_tier": "enterprise",
            "old_status": "active",
            "new_status": "active",
        }
    ]


def test_changing_nothing_publishes_nothing(django_capture_on_commit_callbacks, events):
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.company_change_subscription(
            company_id=company.pk, status=company.subscription_status
        )
    assert events.named("subscription_changed") == []


def test_unknown_tier_is_refused_and_changes_nothing():
    company = CompanyFactory()
    with pytest.raises(ValidationFailed):
        services.company_change_subscription(company_id=company.pk, tier="platinum")
    company.refresh_from_db()
    assert company.subscription_tier == Tier.PROFESSIONAL


def test_profile_update_refuses_plan_fields():
    company = CompanyFactory()
    with pytest.raises(ValidationFailed):
        services.company_update_profile(
            company_id=company.pk, data={"subscription_tier": "enterprise"}
        )
    updated = services.company_update_profile(company_id=company.pk, data={"name": "New Name Ltd"})
    assert updated.name == "New Name Ltd"


def test_the_last_admin_cannot_be_demoted_or_removed():
    admin = MembershipFactory(role="company_admin")
    with pytest.raises(ConflictError):
        services.membership_change_role(
            company_id=admin.company_id, membership_id=admin.pk, role="marketer"
        )
    with pytest.raises(ConflictError):
        services.membership_remove(company_id=admin.company_id, membership_id=admin.pk)
    admin.refresh_from_db()
    assert admin.role == "company_admin"

    MembershipFactory(company=admin.company, role="company_admin")
    services.membership_change_role(
        company_id=admin.company_id, membership_id=admin.pk, role="marketer"
    )
    admin.refresh_from_db()
    assert admin.role == "marketer"


def test_membership_of_another_company_is_not_found():
    admin = MembershipFactory()
    other = CompanyFactory()
    with pytest.raises(NotFoundError):
        services.membership_remove(company_id=other.pk, membership_id=admin.pk)
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_adding_a_member_twice_is_a_conflict():
    membership = MembershipFactory()
    with pytest.raises(ConflictError), transaction.atomic():
        services.membership_add(
            company_id=membership.company_id, user_id=membership.user_id, role="client"
        )
    assert Membership.objects.filter(user=membership.user).count() == 1


def test_api_key_is_stored_hashed_and_authenticates_until_revoked():
    company = CompanyFactory()
    created = services.api_key_create(company_id=company.pk, name="Website", created_by_id=None)
    stored = ApiKey.objects.get(pk=created.api_key.pk)
    assert created.raw_key.startswith(f"ea_{stored.prefix}_")
    assert created.raw_key not in {stored.key_hash, stored.prefix}
    assert len(stored.key_hash) == 64

    found = services.api_key_authenticate(raw_key=created.raw_key)
    assert found is not None and found.pk == stored.pk
    assert found.last_used_at is not None

    assert services.api_key_authenticate(raw_key=created.raw_key + "x") is None
    assert services.api_key_authenticate(raw_key="ea_short_x") is None
    assert services.api_key_authenticate(raw_key="") is None

    services.api_key_revoke(company_id=company.pk, api_key_id=stored.pk)
    first_revocation = ApiKey.objects.get(pk=stored.pk).revoked_at
    services.api_key_revoke(company_id=company.pk, api_key_id=stored.pk)  # no-op
    assert ApiKey.objects.get(pk=stored.pk).revoked_at == first_revocation
    assert services.api_key_authenticate(raw_key=created.raw_key) is None


def test_api_key_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    company = CompanyFactory()
    raw = services.api_key_create(company_id=company.pk, name="x", created_by_id=None).raw_key
    with django_assert_num_queries(2):  # lookup + touch
        services.api_key_authenticate(raw_key=raw)
    with django_assert_num_queries(1):  # lookup only
        services.api_key_authenticate(raw_key=raw)


def test_suspending_and_reactivating_publish_their_events(
    django_capture_on_commit_callbacks, events
):
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.company_change_subscription(
            company_id=company.pk, status=SubscriptionStatus.SUSPENDED
        )
        services.company_change_subscription(
            company_id=company.pk, status=SubscriptionStatus.SUSPENDED
        )  # no change, no event
        services.company_change_subscription(
            company_id=company.pk, status=SubscriptionStatus.ACTIVE
        )
    assert events.named("company_suspended") == [{"company_id": company.pk, "reason": ""}]
    assert events.named("company_reactivated") == [{"company_id": company.pk}]


def test_plan_stripe_price_is_chosen_by_environment(settings):
    from apps.companies.models import Plan, PlanStripePrice

    plan = Plan.objects.get(code=Tier.PROFESSIONAL)
    PlanStripePrice.objects.create(plan=plan, environment="test", price_id="price_test_pro")
    PlanStripePrice.objects.create(plan=plan, environment="live", price_id="price_live_pro")
    settings.STRIPE_ENVIRONMENT = "live"
    assert plan.stripe_price_id() == "price_live_pro"
    assert plan.stripe_price_id("test") == "price_test_pro"
    assert Plan.objects.get(code=Tier.STARTER).stripe_price_id() is None
