"""Reading rate-limit answers: the error body and the headers, per policy."""

import re
from typing import Any

RATE_LIMIT_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)
POLICY_WINDOWS = {
    "caller-hourly": 3600,
    "caller-daily": 86400,
    "members-daily": 86400,
    "company-daily": 86400,
}


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def policy_quotas(response: Any) -> dict[str, int]:
    """RateLimit-Policy as {policy name: quota}, checking each policy's window."""
    policies = re.findall(r'"([\w-]+)";q=(\d+);w=(\d+)', response["RateLimit-Policy"])
    assert {name: int(window) for name, _, window in policies} == {
        name: POLICY_WINDOWS[name] for name, _, _ in policies
    }
    return {name: int(quota) for name, quota, _ in policies}


def remaining_by_policy(response: Any) -> dict[str, int]:
    """The RateLimit field as {policy name: remaining}."""
    return {
        name: int(remaining)
        for name, remaining in re.findall(r'"([\w-]+)";r=(\d+);t=\d+', response["RateLimit"])
    }


def seconds_to_reset_by_policy(response: Any) -> dict[str, int]:
    """The RateLimit field as {policy name: seconds until its window resets}."""
    return {
        name: int(seconds)
        for name, seconds in re.findall(r'"([\w-]+)";r=\d+;t=(\d+)', response["RateLimit"])
    }
