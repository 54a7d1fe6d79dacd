"""A company calling the API: its admin with a user token, an API key, and more callers."""

from typing import Any

from rest_framework.test import APIClient

from tests.companies.factories import MembershipFactory, make_api_key
from tests.conftest import client_for


def get_company(client: APIClient, times: int = 1) -> list[Any]:
    """GET /api/company/ (the cheapest tenant endpoint) ``times`` times."""
    return [client.get("/api/company/") for _ in range(times)]


class CompanyCaller:
    """A company with a signed-in admin and an API key, calling the API for it."""

    def __init__(self, company: Any) -> None:
        self.company = company
        self.admin = MembershipFactory(company=company, role="company_admin").user
        self.user_client = client_for(self.admin)
        self.key_client = self.another_key()

    def get_company(self, times: int = 1) -> list[Any]:
        """GET /api/company/ as the admin ``times`` times."""
        return get_company(self.user_client, times)

    def another_member(self, role: str = "marketer") -> APIClient:
        """A client signed in as a new member of the company (a caller of its own)."""
        return client_for(MembershipFactory(company=self.company, role=role).user)

    def another_key(self) -> APIClient:
        """A client using a new API key of the company (a caller of its own)."""
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=make_api_key(self.company))
        return client
