"""Notifications: what happened (Notification), who sees it in the app (UserNotification),
each batch sent (NotificationDispatch), each message on one channel to one recipient
(Delivery, the outbox), and what each person wants (NotificationPreference)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel
from apps.notifications.categories import Category, Channel

CATEGORY_CHOICES = [(category.value, category.value.replace("_", " ")) for category in Category]


class Notification(TimeStampedModel):
    """One thing that happened that people are told about."""

    # Null for our own notices that concern no company (none yet, but the billing team's
    # copies of a payment failure name the company).
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    event = models.CharField(max_length=60, help_text="The domain event that caused it.")
    # What makes it once only: the event and its object ("commission_paid:41"), or the
    # scheduled alert, company and day ("trial_ending:3:12:2026-11-27").
    key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, help_text="What its templates are rendered with.")

    def __str__(self) -> str:
        return f"{self.category} #{self.pk}"


class UserNotification(TimeStampedModel):
    """A notification in one user's in-app list."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="user_notification_once_per_user"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="user_notification_list"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="user_notification_unread"
            ),
        ]


class NotificationDispatch(TimeStampedModel):
    """One batch: a notification sent to its recipients, with how it went."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="dispatches"
    )
    recipients = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "notification dispatches"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"  # taken by a worker; see sending.py
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


FINAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


class Delivery(TimeStampedModel):
    """One message on one channel to one recipient: the outbox row a worker sends."""

    dispatch = models.ForeignKey(
        NotificationDispatch, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=[(c.value, c.value) for c in Channel])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    to = models.CharField(max_length=254, blank=True, help_text="An email or an E.164 number.")
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name_plural = "deliveries"
        permissions = [("resend_delivery", "Can send failed deliveries again")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to or 'nobody'} ({self.status})"


class NotificationPreference(TimeStampedModel):
    """One user's channels for one category; without a row, every channel is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="notification_preference_once"
            )
        ]
