"""The marketers API: signup, applying, the company's affiliations and commissions."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.companies.models import Membership
from apps.marketers import services
from apps.marketers.models import (
    AffiliationStatus,
    CommissionStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
    MarketerProfile,
)
from tests.accounts.factories import UnverifiedUserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Chioma@Realtors.ng",
    "password": "Strong-Pass-2026",
    "first_name": "Chioma",
    "last_name": "Eze",
    "phone": "08035551234",
}


def snapshot(model, pk):
    return model.objects.filter(pk=pk).values().get()


def error_code(response):
    return response.json()["error"]["code"]


def marketer_client(affiliation):
    """The affiliation's marketer, signed in and acting for its company."""
    return client_for(affiliation.marketer.user, affiliation.company_id)


@pytest.fixture
def client_client(company):
    return client_for(MembershipFactory(company=company, role="client").user)


# --- signup ----------------------------------------------------------------------------------


def test_signup_creates_an_account_and_profile_to_verify(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/marketers/signup/", SIGNUP, format="json")

    assert response.status_code == 202, response.content
    assert set(response.json()) == {"detail"}
    user = User.objects.get(email="chioma@realtors.ng")
    assert user.email_verified is False
    assert MarketerProfile.objects.get(user=user).phone == "+2348035551234"
    assert not Membership.objects.filter(user=user).exists()
    [verification] = mailoutbox
    assert verification.to == ["chioma@realtors.ng"]
    login = api_client.post(
        "/api/auth/login/",
        {"email": SIGNUP["email"], "password": SIGNUP["password"]},
        format="json",
    )
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert me.get("/api/marketer/affiliations/").json()["results"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "chioma"}, "password"),
        ({"password": "12345678"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"company": "company-1"}, "company"),
    ],
)
def test_bad_signups_create_nothing(api_client, change, field):
    response = api_client.post("/api/marketers/signup/", {**SIGNUP, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not User.objects.exists()
    assert not MarketerProfile.objects.exists()


def test_signup_with_a_taken_email_answers_alike_and_emails_the_owner(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = api_client.post(
            "/api/marketers/signup/", {**SIGNUP, "email": "fresh@realtors.ng"}, format="json"
        )
        taken = api_client.post(
            "/api/marketers/signup/", {**SIGNUP, "email": user.email}, format="json"
        )

    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
    assert not MarketerProfile.objects.filter(user=user).exists()
    notice = mailoutbox[-1]
    assert notice.to == [user.email]
    assert "already have" in notice.subject


def test_an_unverified_account_cannot_apply_and_is_told_why(company, events, commit):
    unverified = UnverifiedUserFactory()
    with commit():
        response = client_for(unverified).post(
            "/api/marketer/affiliations/", {"company": company.slug}, format="json"
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    assert "verify" in response.json()["error"]["message"].lower()
    assert not MarketerAffiliation.objects.exists()
    assert events.sent == []


# --- the marketer's own applications ---------------------------------------------------------


def test_a_user_applies_by_company_slug(company, user, events, commit):
    with commit():
        response = client_for(user).post(
            "/api/marketer/affiliations/", {"company": company.slug}, format="json"
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["company_id"], body["company_name"]) == (company.id, company.name)
    assert (body["status"], body["commission_rate"]) == ("pending", None)
    assert body["marketer_user_id"] == user.pk
    assert events.named("affiliation_requested") == [
        {"affiliation_id": body["id"], "company_id": company.pk, "marketer_user_id": user.pk}
    ]


def test_a_marketer_lists_only_their_own_applications_across_companies(user):
    mine = [
        services.affiliation_request(user_id=user.pk, company_id=CompanyFactory().pk)
        for _ in range(2)
    ]
    AffiliationFactory()  # someone else's

    response = client_for(user).get("/api/marketer/affiliations/")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {a.pk for a in mine}


def test_applying_to_an_unknown_company_creates_nothing(user, events, commit):
    with commit():
        response = client_for(user).post(
            "/api/marketer/affiliations/", {"company": "no-such-company"}, format="json"
        )

    assert response.status_code == 400
    assert "company" in response.json()["error"]["details"]
    assert not MarketerAffiliation.objects.exists()
    assert events.sent == []


def test_applying_twice_is_a_conflict(company, user, events, commit):
    api = client_for(user)
    api.post("/api/marketer/affiliations/", {"company": company.slug}, format="json")

    with commit():
        response = api.post("/api/marketer/affiliations/", {"company": company.slug}, format="json")

    assert response.status_code == 409
    assert error_code(response) == "already_applied"
    assert MarketerAffiliation.objects.count() == 1
    assert events.sent == []


def test_a_rejected_marketer_may_reapply_but_a_suspended_one_may_not(company, admin_user):
    rejected = pending_affiliation(company)
    services.affiliation_reject(
        company_id=company.pk, affiliation_id=rejected.pk, decided_by_id=admin_user.pk
    )
    suspended = AffiliationFactory(company=company, status=AffiliationStatus.SUSPENDED)

    again = client_for(rejected.marketer.user).post(
        "/api/marketer/affiliations/", {"company": company.slug}, format="json"
    )
    refused = client_for(suspended.marketer.user).post(
        "/api/marketer/affiliations/", {"company": company.slug}, format="json"
    )

    assert again.status_code == 201
    assert again.json()["status"] == "pending"
    assert refused.status_code == 409
    assert error_code(refused) == "suspended"
    assert MarketerAffiliation.objects.get(pk=suspended.pk).status == AffiliationStatus.SUSPENDED


def test_applying_cannot_set_the_status_or_rate(company, user):
    response = client_for(user).post(
        "/api/marketer/affiliations/",
        {"company": company.slug, "status": "approved", "commission_rate": "50"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"status", "commission_rate"}
    assert not MarketerAffiliation.objects.exists()


def test_applying_needs_a_signed_in_person(company, api_client):
    response = api_client.post(
        "/api/marketer/affiliations/", {"company": company.slug}, format="json"
    )
    assert response.status_code == 401
    assert not MarketerAffiliation.objects.exists()


# --- the company's affiliations --------------------------------------------------------------


def test_admins_list_and_filter_their_companys_affiliations(admin_client, company):
    pending = pending_affiliation(company)
    approved = approved_affiliation(company)
    AffiliationFactory()  # another company's

    everyone = admin_client.get("/api/affiliations/").json()["results"]
    only_pending = admin_client.get("/api/affiliations/?status=pending").json()["results"]
    detail = admin_client.get(f"/api/affiliations/{approved.pk}/")

    assert {row["id"] for row in everyone} == {pending.pk, approved.pk}
    assert [row["id"] for row in only_pending] == [pending.pk]
    assert detail.status_code == 200
    assert detail.json()["marketer_email"] == approved.marketer.user.email
    assert detail.json()["commission_rate"] == "5.00"


def test_a_marketer_sees_only_their_own_affiliation(company):
    mine = approved_affiliation(company)
    theirs = approved_affiliation(company)
    api = marketer_client(mine)

    listed = api.get("/api/affiliations/").json()["results"]

    assert [row["id"] for row in listed] == [mine.pk]
    assert api.get(f"/api/affiliations/{mine.pk}/").status_code == 200
    assert api.get(f"/api/affiliations/{theirs.pk}/").status_code == 404


def test_clients_cannot_see_affiliations(company, client_client):
    affiliation = approved_affiliation(company)
    assert client_client.get("/api/affiliations/").status_code == 403
    assert client_client.get(f"/api/affiliations/{affiliation.pk}/").status_code == 403


def test_an_admin_approves_with_a_rate(admin_client, admin_user, company, events, commit):
    affiliation = pending_affiliation(company)

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/approve/",
            {"commission_rate": "2.5"},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["commission_rate"]) == ("approved", "2.50")
    affiliation.refresh_from_db()
    assert affiliation.decided_by == admin_user
    assert Membership.objects.get(user_id=affiliation.marketer.user_id).role == "marketer"
    assert [
        (e["affiliation_id"], e["decided_by_id"]) for e in events.named("affiliation_approved")
    ] == [(affiliation.pk, admin_user.pk)]
    # The approved marketer can now act for the company.
    assert marketer_client(affiliation).get("/api/affiliations/").status_code == 200


def test_approving_again_answers_200_without_a_second_event(admin_client, company, events, commit):
    affiliation = approved_affiliation(company, rate="2.50")

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/approve/",
            {"commission_rate": "2.50"},
            format="json",
        )

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert events.sent == []


@pytest.mark.parametrize(
    "body",
    [
        {"commission_rate": -1},
        {"commission_rate": "101"},
        {"commission_rate": "abc"},
        {"commission_rate": "5.555"},
        {"commission_rate": "NaN"},
        {"commission_rate": None},
        {},
        {"commission_rate": "5", "status": "approved"},
    ],
)
def test_a_bad_rate_is_refused_and_changes_nothing(admin_client, company, events, commit, body):
    affiliation = pending_affiliation(company)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/approve/", body, format="json"
        )

    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert not Membership.objects.filter(user_id=affiliation.marketer.user_id).exists()
    assert events.sent == []


def test_approving_beyond_the_plans_max_agents_answers_403(admin_client, company, events, commit):
    company.max_agents = 1
    company.save()
    approved_affiliation(company)
    affiliation = pending_affiliation(company)

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/approve/", {"commission_rate": "5"}, format="json"
        )

    assert response.status_code == 403
    assert error_code(response) == "agent_limit_reached"
    assert response.json()["error"]["details"] == {"max_agents": 1, "approved": 1}
    assert MarketerAffiliation.objects.get(pk=affiliation.pk).status == AffiliationStatus.PENDING
    assert events.sent == []


def test_reject_suspend_and_reactivate(admin_client, admin_user, company, events, commit):
    applicant = pending_affiliation(company)
    marketer = approved_affiliation(company)

    with commit():
        rejected = admin_client.post(
            f"/api/affiliations/{applicant.pk}/reject/", {"reason": "No ID"}, format="json"
        )
        suspended = admin_client.post(
            f"/api/affiliations/{marketer.pk}/suspend/", {"reason": "Complaints"}, format="json"
        )
        # A suspended marketer no longer reaches the company, but still sees their own
        # application, now suspended, among their applications.
        blocked = marketer_client(marketer).get(f"/api/affiliations/{marketer.pk}/")
        [seen] = (
            client_for(marketer.marketer.user).get("/api/marketer/affiliations/").json()["results"]
        )
        reactivated = admin_client.post(
            f"/api/affiliations/{marketer.pk}/reactivate/", {}, format="json"
        )

    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert rejected.json()["reason"] == "No ID"
    assert (suspended.status_code, suspended.json()["status"]) == (200, "suspended")
    assert blocked.status_code == 403
    assert (seen["status"], seen["reason"]) == ("suspended", "Complaints")
    assert (reactivated.status_code, reactivated.json()["status"]) == (200, "approved")
    assert events.names == ["affiliation_rejected", "marketer_suspended", "marketer_reactivated"]
    assert {event["decided_by_id"] for _, event in events.sent} == {admin_user.pk}


def test_approving_again_at_another_rate_is_a_409(admin_client, company, events, commit):
    """Replays the probe: a second approval at 7 % answered 200 and kept 2.5 %."""
    affiliation = approved_affiliation(company, rate="2.50")

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/approve/",
            {"commission_rate": "7.00"},
            format="json",
        )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_decided"
    assert response.json()["error"]["details"] == {"commission_rate": ["2.50"]}
    affiliation.refresh_from_db()
    assert affiliation.commission_rate == Decimal("2.50")
    assert events.sent == []


@pytest.mark.parametrize(
    ("action", "status", "body"),
    [
        ("approve", AffiliationStatus.SUSPENDED, {"commission_rate": "5"}),
        ("reject", AffiliationStatus.APPROVED, {}),
        ("suspend", AffiliationStatus.PENDING, {}),
        ("reactivate", AffiliationStatus.REJECTED, {}),
    ],
)
def test_invalid_transitions_answer_409(
    admin_client, company, events, commit, action, status, body
):
    affiliation = AffiliationFactory(company=company, status=status)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit():
        response = admin_client.post(
            f"/api/affiliations/{affiliation.pk}/{action}/", body, format="json"
        )

    assert response.status_code == 409
    assert error_code(response) == "invalid_transition"
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert events.sent == []


def test_reactivate_takes_no_input(admin_client, company):
    affiliation = AffiliationFactory(company=company, status=AffiliationStatus.SUSPENDED)
    response = admin_client.post(
        f"/api/affiliations/{affiliation.pk}/reactivate/", {"commission_rate": "9"}, format="json"
    )
    assert response.status_code == 400
    assert MarketerAffiliation.objects.get(pk=affiliation.pk).status == AffiliationStatus.SUSPENDED


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("approve", {"commission_rate": "5"}),
        ("reject", {}),
        ("suspend", {}),
        ("reactivate", {}),
    ],
)
def test_only_admins_decide(company, client_client, events, commit, action, body):
    marketer = approved_affiliation(company)
    target = pending_affiliation(company)
    before = snapshot(MarketerAffiliation, target.pk)

    with commit():
        for api in (marketer_client(marketer), client_client):
            response = api.post(f"/api/affiliations/{target.pk}/{action}/", body, format="json")
            assert response.status_code == 403

    assert snapshot(MarketerAffiliation, target.pk) == before
    assert events.sent == []


@pytest.mark.parametrize("action", ["approve", "reject", "suspend", "reactivate"])
def test_unknown_and_foreign_affiliations_answer_404(admin_client, events, commit, action):
    foreign = AffiliationFactory(status=AffiliationStatus.PENDING)
    before = snapshot(MarketerAffiliation, foreign.pk)
    body = {"commission_rate": "5"} if action == "approve" else {}

    with commit():
        for pk in (foreign.pk, 999999):
            response = admin_client.post(f"/api/affiliations/{pk}/{action}/", body, format="json")
            assert response.status_code == 404
            assert error_code(response) == "not_found"

    assert admin_client.get(f"/api/affiliations/{foreign.pk}/").status_code == 404
    assert snapshot(MarketerAffiliation, foreign.pk) == before
    assert events.sent == []


# --- commissions -----------------------------------------------------------------------------


def earned(company, affiliation, price=None):
    purchase = make_sale(company, affiliation=affiliation, price=price)
    return MarketerEarnedCommission.objects.get(purchase=purchase)


def test_admins_see_all_commissions_and_filter_by_status(admin_client, company):
    first, second = approved_affiliation(company), approved_affiliation(company)
    pending = earned(company, first)
    approved = earned(company, second, price=Decimal("1234567.89"))
    services.commission_approve(
        company_id=company.pk, commission_id=approved.pk, approved_by_id=None
    )
    other = CompanyFactory()
    earned(other, approved_affiliation(other))  # another company's

    everything = admin_client.get("/api/commissions/").json()["results"]
    only_approved = admin_client.get("/api/commissions/?status=approved").json()["results"]

    assert {row["id"] for row in everything} == {pending.pk, approved.pk}
    assert only_approved == [
        {
            "id": approved.pk,
            "affiliation": second.pk,
            "marketer_user_id": second.marketer.user_id,
            "purchase": approved.purchase_id,
            "rate": "5.00",
            "amount": "61728.39",
            "status": "approved",
            "approved_at": only_approved[0]["approved_at"],
            "paid_at": None,
            "payment_reference": "",
            "created_at": only_approved[0]["created_at"],
        }
    ]
    assert only_approved[0]["approved_at"] is not None


def test_a_marketer_sees_only_their_own_commissions(company):
    mine, theirs = approved_affiliation(company), approved_affiliation(company)
    own = earned(company, mine)
    other = earned(company, theirs)
    api = marketer_client(mine)

    assert [row["id"] for row in api.get("/api/commissions/").json()["results"]] == [own.pk]
    assert api.get(f"/api/commissions/{own.pk}/").status_code == 200
    assert api.get(f"/api/commissions/{other.pk}/").status_code == 404
    assert api.get(f"/api/commissions/?affiliation={theirs.pk}").json()["results"] == []


def test_filtering_by_affiliation_does_not_tell_which_ids_exist(admin_client, company):
    ours = approved_affiliation(company)
    commission = earned(company, ours)
    other = CompanyFactory()
    foreign = approved_affiliation(other)
    earned(other, foreign)

    def listed(affiliation_id):
        response = admin_client.get(f"/api/commissions/?affiliation={affiliation_id}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert listed(ours.pk) == [commission.pk]
    # Another company's affiliation answers exactly like one that does not exist.
    assert listed(foreign.pk) == listed(999999) == []


def test_clients_cannot_see_commissions(company, client_client):
    commission = earned(company, approved_affiliation(company))
    assert client_client.get("/api/commissions/").status_code == 403
    assert client_client.get(f"/api/commissions/{commission.pk}/").status_code == 403


def test_an_admin_approves_then_marks_a_commission_paid(
    admin_client, admin_user, company, events, commit
):
    commission = earned(company, approved_affiliation(company))
    base = f"/api/commissions/{commission.pk}"

    with commit():
        approved = admin_client.post(f"{base}/approve/", {}, format="json")
        approved_again = admin_client.post(f"{base}/approve/", {}, format="json")
        paid = admin_client.post(
            f"{base}/mark-paid/", {"payment_reference": "GTB-TRF-0042"}, format="json"
        )
        paid_again = admin_client.post(
            f"{base}/mark-paid/", {"payment_reference": "GTB-TRF-0042"}, format="json"
        )

    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert approved_again.status_code == 200
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")
    assert paid.json()["payment_reference"] == "GTB-TRF-0042"
    assert paid_again.status_code == 200
    assert paid_again.json()["paid_at"] == paid.json()["paid_at"]
    assert events.names == ["commission_approved", "commission_paid"]
    assert events.named("commission_approved")[0]["approved_by_id"] == admin_user.pk


def test_paying_with_another_reference_answers_409(admin_client, company, events, commit):
    commission = earned(company, approved_affiliation(company))
    services.commission_approve(
        company_id=company.pk, commission_id=commission.pk, approved_by_id=None
    )
    services.commission_mark_paid(
        company_id=company.pk, commission_id=commission.pk, payment_reference="GTB-TRF-0042"
    )
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit():
        response = admin_client.post(
            f"/api/commissions/{commission.pk}/mark-paid/",
            {"payment_reference": "ZENITH-9911"},
            format="json",
        )

    assert response.status_code == 409
    assert error_code(response) == "already_paid"
    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


@pytest.mark.parametrize(
    ("body", "status_code", "code"),
    [
        ({"payment_reference": "GTB-TRF-0042"}, 409, "invalid_transition"),  # still pending
        ({"payment_reference": ""}, 400, "validation_error"),
        ({"payment_reference": "   "}, 400, "validation_error"),
        ({}, 400, "validation_error"),
        ({"payment_reference": "X" * 129}, 400, "validation_error"),
        ({"payment_reference": "GTB-1", "status": "paid"}, 400, "validation_error"),
    ],
)
def test_refused_payments_change_nothing(
    admin_client, company, events, commit, body, status_code, code
):
    commission = earned(company, approved_affiliation(company))
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit():
        response = admin_client.post(
            f"/api/commissions/{commission.pk}/mark-paid/", body, format="json"
        )

    assert (response.status_code, error_code(response)) == (status_code, code)
    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_only_admins_approve_and_pay_commissions(company, client_client, events, commit):
    affiliation = approved_affiliation(company)
    commission = earned(company, affiliation)
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit():
        for api in (marketer_client(affiliation), client_client):
            base = f"/api/commissions/{commission.pk}"
            assert api.post(f"{base}/approve/", {}, format="json").status_code == 403
            response = api.post(f"{base}/mark-paid/", {"payment_reference": "X-1"}, format="json")
            assert response.status_code == 403

    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_unknown_and_foreign_commissions_answer_404(admin_client, events, commit):
    other = CompanyFactory()
    foreign = earned(other, approved_affiliation(other))
    before = snapshot(MarketerEarnedCommission, foreign.pk)

    with commit():
        for pk in (foreign.pk, 999999):
            base = f"/api/commissions/{pk}"
            assert admin_client.get(f"{base}/").status_code == 404
            assert admin_client.post(f"{base}/approve/", {}, format="json").status_code == 404
            paid = admin_client.post(
                f"{base}/mark-paid/", {"payment_reference": "X"}, format="json"
            )
            assert paid.status_code == 404

    assert snapshot(MarketerEarnedCommission, foreign.pk) == before
    assert events.sent == []


# --- query counts ----------------------------------------------------------------------------


def test_affiliation_list_runs_a_constant_number_of_queries(
    admin_client, company, django_assert_max_num_queries, plans_cached
):
    AffiliationFactory.create_batch(3, company=company)
    with django_assert_max_num_queries(7) as few:
        response = admin_client.get("/api/affiliations/")
    assert len(response.json()["results"]) == 3

    AffiliationFactory.create_batch(37, company=company)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get("/api/affiliations/?page_size=50")
    assert len(response.json()["results"]) == 40


def test_commission_list_runs_a_constant_number_of_queries(
    admin_client, company, django_assert_max_num_queries, plans_cached
):
    company.max_agents = 50
    company.save()
    affiliation = approved_affiliation(company)
    for _ in range(3):
        earned(company, affiliation)
    with django_assert_max_num_queries(6) as few:
        response = admin_client.get("/api/commissions/")
    assert len(response.json()["results"]) == 3

    for _ in range(37):
        earned(company, approved_affiliation(company))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get("/api/commissions/?page_size=50")
    assert len(response.json()["results"]) == 40


def test_my_applications_list_runs_a_constant_number_of_queries(
    user, django_assert_max_num_queries, plans_cached
):
    def apply_to_new_companies(count):
        for _ in range(count):
            services.affiliation_request(user_id=user.pk, company_id=CompanyFactory().pk)

    api = client_for(user)
    apply_to_new_companies(3)
    with django_assert_max_num_queries(7) as few:
        assert len(api.get("/api/marketer/affiliations/").json()["results"]) == 3
    apply_to_new_companies(37)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/marketer/affiliations/?page_size=50").json()["results"]) == 40


def test_money_is_sent_as_exact_decimal_strings(admin_client, company):
    commission = earned(company, approved_affiliation(company, rate="2.50"), Decimal("1234567.89"))
    body = admin_client.get(f"/api/commissions/{commission.pk}/").json()
    assert (body["amount"], body["rate"], body["status"]) == (
        "30864.20",
        "2.50",
        CommissionStatus.PENDING,
    )


@pytest.mark.parametrize(
    "ordering", ["marketer__user__get_full_name", "marketer__user__password", "-created_at"]
)
def test_my_affiliations_ordering_never_fails(ordering):
    from tests.conftest import client_for
    from tests.marketers.factories import AffiliationFactory

    affiliation = AffiliationFactory()
    response = client_for(affiliation.marketer.user).get(
        f"/api/marketer/affiliations/?ordering={ordering}"
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [affiliation.pk]
