"""What we tell people about: each category's channels, and whether people may turn it off.

A category names its templates (``notifications/<code>/``) and the channels it uses; a
user's preferences can turn a channel off for a category unless it is mandatory (billing
and security messages always go out).
"""

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    IN_APP = "in_app"


class Category(StrEnum):
    AFFILIATION_APPROVED = "affiliation_approved"
    AFFILIATION_REJECTED = "affiliation_rejected"
    COMMISSION_APPROVED = "commission_approved"
    COMMISSION_PAID = "commission_paid"
    INVOICE_ISSUED = "invoice_issued"
    PAYMENT_FAILED = "payment_failed"
    SUBSCRIPTION_CHANGED = "subscription_changed"
    SUBSCRIPTION_RENEWED = "subscription_renewed"
    SUBSCRIPTION_ENDING = "subscription_ending"
    TRIAL_ENDING = "trial_ending"
    API_LIMIT_EXCEEDED = "api_limit_exceeded"
    WEEKLY_SUMMARY = "weekly_summary"
    SAVED_SEARCH_MATCH = "saved_search_match"


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    label: str
    channels: frozenset[Channel]
    mandatory: bool = False  # billing and security: cannot be turned off


EMAIL_IN_APP = frozenset({Channel.EMAIL, Channel.IN_APP})
ALL_CHANNELS = frozenset(Channel)

CATEGORIES: dict[Category, CategoryInfo] = {
    Category.AFFILIATION_APPROVED: CategoryInfo("Affiliation approved", EMAIL_IN_APP),
    Category.AFFILIATION_REJECTED: CategoryInfo("Affiliation rejected", EMAIL_IN_APP),
    Category.COMMISSION_APPROVED: CategoryInfo("Commission approved", EMAIL_IN_APP),
    Category.COMMISSION_PAID: CategoryInfo("Commission paid", ALL_CHANNELS),
    Category.INVOICE_ISSUED: CategoryInfo("Invoice issued", EMAIL_IN_APP, mandatory=True),
    Category.PAYMENT_FAILED: CategoryInfo("Payment failed", ALL_CHANNELS, mandatory=True),
    Category.SUBSCRIPTION_CHANGED: CategoryInfo(
        "Subscription changed", EMAIL_IN_APP, mandatory=True
    ),
    Category.SUBSCRIPTION_RENEWED: CategoryInfo(
        "Subscription renewed", EMAIL_IN_APP, mandatory=True
    ),
    Category.SUBSCRIPTION_ENDING: CategoryInfo(
        "Subscription ending soon", EMAIL_IN_APP, mandatory=True
    ),
    Category.TRIAL_ENDING: CategoryInfo("Trial ending soon", EMAIL_IN_APP, mandatory=True),
    Category.API_LIMIT_EXCEEDED: CategoryInfo("API limit exceeded", EMAIL_IN_APP),
    Category.WEEKLY_SUMMARY: CategoryInfo("Weekly summary", EMAIL_IN_APP),
    Category.SAVED_SEARCH_MATCH: CategoryInfo("New plots for your saved searches", EMAIL_IN_APP),
}
