"""Marketer services: the public face other apps and the views use.

- profiles: signing up as a marketer;
- affiliations: applying to a company and the company's decisions (a table of allowed
  transitions);
- commissions: earned once per completed sale, approved, marked paid, cancelled with
  the sale;
- commission_batches: approving due commissions in batches (the beat task and command).
"""

from apps.marketers.services.affiliations import (
    affiliation_approve,
    affiliation_reactivate,
    affiliation_reject,
    affiliation_request,
    affiliation_suspend,
)
from apps.marketers.services.commission_batches import ProcessSummary, commissions_process
from apps.marketers.services.commissions import (
    commission_approve,
    commission_cancel_for_purchase,
    commission_earn,
    commission_mark_paid,
)
from apps.marketers.services.profiles import marketer_profile_ensure, marketer_register

__all__ = [
    "ProcessSummary",
    "affiliation_approve",
    "affiliation_reactivate",
    "affiliation_reject",
    "affiliation_request",
    "affiliation_suspend",
    "commission_approve",
    "commission_cancel_for_purchase",
    "commission_earn",
    "commission_mark_paid",
    "commissions_process",
    "marketer_profile_ensure",
    "marketer_register",
]
