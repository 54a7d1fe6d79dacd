"""A company calling the API, with a user token and with an API key."""

from typing import Any

from rest_framework.test import APIClient

from tests.companies.factories import MembershipFactory, make_api_key
from tests.conftest import client_for


class CompanyCaller:
    """A company with a signed-in admin, and clients calling the API for it."""

    def __init__(self, company: Any) -> None:
        self.company = company
        self.admin = MembershipFactory(company=company, role="company_admin").user
        self.user_client = client_for(self.admin)
        self.key_client = APIClient()
        self.key_client.credentials(HTTP_X_API_KEY=make_api_key(company))

    def get_company(self, times: int = 1) -> list[Any]:
        """GET /api/company/ (the cheapest tenant endpoint) ``times`` times."""
        return [self.user_client.get("/api/company/") for _ in range(times)]
