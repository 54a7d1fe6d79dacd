"""The marketers app's read scopes (see apps.core.read_versions): earned commissions and
affiliations, whose cached totals every write to them makes stale."""

from apps.core.read_versions import read_version_bump

COMMISSIONS = "commissions"
AFFILIATIONS = "affiliations"


def commissions_changed(company_id: int) -> None:
    """Call in any service that creates a commission or changes its status."""
    read_version_bump(COMMISSIONS, company_id)


def affiliations_changed(company_id: int) -> None:
    """Call in any service that creates an affiliation or changes its status."""
    read_version_bump(AFFILIATIONS, company_id)
