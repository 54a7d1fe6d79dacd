"""The plan catalogue: Starter, Professional and Enterprise, fees in NGN before VAT."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "code": "starter",
        "name": "Starter",
        "monthly_fee": Decimal("25000.00"),
        "included_plots": 100,
        "included_agents": 5,
        "daily_api_calls": 1000,
        "hourly_request_limit": 100,
        "sort_order": 1,
    },
    {
        "code": "professional",
        "name": "Professional",
        "monthly_fee": Decimal("75000.00"),
        "included_plots": 1000,
        "included_agents": 25,
        "daily_api_calls": 10000,
        "hourly_request_limit": 1000,
        "sort_order": 2,
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "monthly_fee": Decimal("250000.00"),
        "included_plots": 10000,
        "included_agents": 200,
        "daily_api_calls": 100000,
        "hourly_request_limit": 10000,
        "sort_order": 3,
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("companies", "Plan")
    for plan in PLANS:
        Plan.objects.update_or_create(code=plan["code"], defaults=plan)


def remove_plans(apps, schema_editor):
    Plan = apps.get_model("companies", "Plan")
    Plan.objects.filter(code__in=[plan["code"] for plan in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(create_plans, remove_plans)]
