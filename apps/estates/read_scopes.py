"""The estates app's read scope (see apps.core.read_versions): estates, plots, clients
and purchases, whose cached reads every write among them makes stale."""

from apps.core.read_versions import read_version_bump

CATALOGUE = "catalogue"


def catalogue_changed(company_id: int) -> None:
    """Call in any service that writes estates, plots, clients or purchases."""
    read_version_bump(CATALOGUE, company_id)
