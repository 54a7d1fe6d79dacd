"""The staff dashboard in the admin: who sees it, what it shows, and (in Chromium) that
every chart draws with no console error. The browser test keeps a screenshot at
artifacts/analytics_dashboard.png."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from apps.analytics.platform.rollup import build_platform_range
from tests.accounts.factories import PASSWORD, UserFactory
from tests.analytics.platform_demo import make_demo
from tests.analytics.platform_fixture import (
    OCT_31,
    built_platform,
)
from tests.companies.factories import MembershipFactory

DASHBOARD = "/admin/analytics/dashboard/"
RANGE = "?from=2026-05-01&to=2026-10-31&granularity=month"
YEAR = "?from=2026-01-01&to=2026-10-31&granularity=month"
CHARTS = ("mrr", "movements", "cash", "churn", "cohorts", "conversion", "api")
SCREENSHOT = Path(settings.BASE_DIR) / "artifacts" / "analytics_dashboard.png"


@pytest.mark.django_db
def test_staff_see_the_dashboard_with_its_tables():
    built_platform()
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(DASHBOARD + RANGE)
    assert response.status_code == 200
    page = response.content.decode()
    for chart in CHARTS:
        assert f'id="chart-{chart}"' in page
    assert "₦275,000.00" in page  # October's MRR, in the MRR table
    assert "₦3,300,000.00" in page  # its ARR
    assert "40.0 %" in page  # October's logo churn
    assert "Too expensive" in page
    assert "E Land" in page  # the heaviest caller, and over its limits
    index = client.get("/admin/").content.decode()
    assert "/admin/analytics/platformdashboard/" in index
    assert client.get("/admin/analytics/platformdashboard/")["Location"] == DASHBOARD


@pytest.mark.django_db
def test_a_bad_range_is_said_and_the_default_drawn():
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(DASHBOARD + "?from=2026-10-31&to=2026-10-01")
    assert response.status_code == 200
    assert "Must not be after to." in response.content.decode()


@pytest.mark.django_db
def test_people_who_are_not_staff_are_sent_to_log_in():
    client = Client()
    assert client.get(DASHBOARD)["Location"].startswith("/admin/login/")
    client.force_login(MembershipFactory(role="company_admin").user)
    assert client.get(DASHBOARD)["Location"].startswith("/admin/login/")


BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_chart_draws_in_chromium_without_console_errors(live_server, plan_catalogue):
    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium_path

    # A year of 80 companies, so the screenshot shows what staff would see.
    make_demo(companies=80, start=date(2026, 1, 5), end=OCT_31)
    build_platform_range(start=date(2026, 1, 1), end=OCT_31)
    staff = UserFactory(is_staff=True, email="staff@estateapp.test")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_load_state()
        # What the admin's own login page asked for (its favicon) is not this page's.
        problems.clear()
        page.goto(f"{live_server.url}{DASHBOARD}{YEAR}")
        page.wait_for_selector("html[data-charts-drawn=true]", timeout=15_000)
        drawn = page.evaluate(
            """(ids) => ids.map((id) => {
                const canvas = document.getElementById('chart-' + id);
                const chart = window.Chart.getChart(canvas);
                const pixels = canvas.getContext('2d')
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
                return [id, chart ? chart.data.datasets.length : 0, painted];
            })""",
            list(CHARTS),
        )
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()
    print(f"screenshot: {SCREENSHOT}")  # noqa: T201
    assert problems == []
    for chart, datasets, painted in drawn:
        assert datasets > 0, chart
        assert painted > 1000, f"{chart} drew {painted} pixels"
