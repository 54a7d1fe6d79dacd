"""Built reports kept in the cache until the roll-ups change: every build or rebuild
(nightly, or `rebuild_analytics`) bumps one version for all companies, which every key
carries, so the next read recomputes. Names shown in a report (estates, marketers) may
lag a rename by READ_CACHE_TIMEOUT at most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from apps.analytics.reports.periods import ReportRange
from apps.core.read_versions import READ_CACHE_TIMEOUT, read_version, read_version_bump

SCOPE = "analytics_rollups"
# The version is one for every company: a nightly build touches them all at once.
ALL_COMPANIES = 0


def rollups_changed() -> None:
    read_version_bump(SCOPE, ALL_COMPANIES)


def report_cached(
    *,
    name: str,
    company_id: int,
    report_range: ReportRange,
    build: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    """The report, from the cache if it was built since the roll-ups last changed."""
    version = read_version(SCOPE, ALL_COMPANIES)
    if version is None:  # the cache keeps nothing
        return build(company_id=company_id, report_range=report_range)
    key = (
        f"analytics:report:{name}:{company_id}:{report_range.start}:{report_range.end}:"
        f"{report_range.granularity}:{version}"
    )
    report = cache.get(key)
    if report is None:
        report = build(company_id=company_id, report_range=report_range)
        cache.set(key, report, READ_CACHE_TIMEOUT)
    return report
