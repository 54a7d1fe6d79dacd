"""Read-side of estates for other apps: ids and counts, never ORM rows."""

from datetime import datetime

from apps.estates.models import Client, Estate, Plot


def estate_id_for_name(*, company_id: int, name: str) -> int | None:
    return (
        Estate.objects.filter(company_id=company_id, name=name).values_list("pk", flat=True).first()
    )


def client_id_for_user(*, company_id: int, user_id: int) -> int | None:
    return (
        Client.objects.filter(company_id=company_id, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )


def plots_count(*, company_id: int, at: datetime | None = None) -> int:
    """How many plots the company has (had, at ``at``): what plot overage is billed on."""
    plots = Plot.objects.filter(company_id=company_id)
    if at is not None:
        plots = plots.filter(created_at__lte=at)
    return plots.count()
