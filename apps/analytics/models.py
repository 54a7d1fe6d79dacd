"""Analytics: raw activity events and the daily roll-ups that reports read."""

from apps.analytics.platform_models import (  # noqa: F401
    Movement,
    PlatformCompanyDay,
    PlatformDashboard,
    PlatformTierDay,
)
