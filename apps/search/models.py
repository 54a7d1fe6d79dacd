"""Saved searches, and what people search for (counted a day at a time)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwnedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


def _amount(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, null=True, **kwargs
    )


class SavedSearch(TenantOwnedModel):
    """A person's search of a company's plots, kept to run again or to be told of new
    plots matching it.

    ``filters`` keeps the filters as given; the columns after it hold the same filters
    in the form one query over every saved search compares a new plot with (text lower-
    cased; empty or null: no filter). On PostgreSQL generated columns hold ``match_query``
    parsed (``match_tsquery``, migration 0002) and its words (``match_words``, GIN-indexed
    over the searches asking to be told, migration 0003).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=100, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    notify = models.BooleanField(default=False, help_text="Tell the owner of new matching plots.")

    match_terms = models.CharField(max_length=200, blank=True)  # the query's words
    match_query = models.CharField(max_length=400, blank=True)  # PostgreSQL's prefix tsquery
    estate_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=64, blank=True)
    lga = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    min_price = _amount()
    max_price = _amount()
    min_size = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    max_size = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    min_price_per_sqm = _amount()
    max_price_per_sqm = _amount()
    created_since = models.DateField(null=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "owner", "name"], name="saved_search_name_per_owner"
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "estate_id"],
                condition=Q(notify=True),
                name="saved_search_notify_idx",
            ),
            models.Index(
                fields=["company", "state", "lga", "status"],
                condition=Q(notify=True),
                name="saved_search_notify_place",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SearchTermDay(models.Model):
    """How often a company's people (by role) searched a term with some filters on a
    day, how many of those searches found nothing and how many plots they found in all.
    Written from the buffer (see analytics_buffer.py), never one row per request."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    role = models.CharField(max_length=32)
    term = models.CharField(max_length=200, blank=True)
    filters_key = models.CharField(max_length=64, help_text="SHA-256 of the filters' JSON.")
    filters = models.JSONField(default=dict, blank=True)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    # db_default: rows written by code from before the column (during a deploy) count 0.
    results = models.PositiveBigIntegerField(
        default=0, db_default=0, help_text="The plots those searches found, summed."
    )

    class Meta:
        ordering = ["-day", "term", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "role", "term", "filters_key"],
                name="search_term_day_unique",
            ),
        ]
        indexes = [models.Index(fields=["company", "day"])]

    def __str__(self) -> str:
        return f"{self.term!r} on {self.day}: {self.searches}"
