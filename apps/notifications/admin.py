"""Notifications in the admin, for our billing staff: what was sent to whom and how it
went (read-only), failed deliveries sent again, and a preview of every template."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin
from apps.notifications.categories import CATEGORIES, Category
from apps.notifications.models import Delivery, DeliveryStatus, Notification, NotificationDispatch
from apps.notifications.rendering import render_email, render_in_app, render_sms
from apps.notifications.samples import sample_contexts
from apps.notifications.services import delivery_resend
from apps.notifications.tasks import send_deliveries
from apps.notifications.unsubscribe import unsubscribe_links


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "category", "company", "title", "event", "created_at")
    list_filter = ("category", ("company", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "key", "event", "company__name")
    date_hierarchy = "created_at"
    list_select_related = ("company",)
    exclude = ("context",)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        fields = [f for f in super().get_readonly_fields(request, obj) if f != "context"]
        return [*fields, "context_pretty"]

    @admin.display(description="context")
    def context_pretty(self, notification: Notification) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(notification.context, indent=2, sort_keys=True)
        )

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        extra_context = {**(extra_context or {}), "preview_url": reverse(PREVIEW_LIST)}
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_list), name=PREVIEW_LIST.split(":")[1]),
            path(
                "preview/<str:category>/<int:case>/<str:part>/",
                view(self.preview_part),
                name=PREVIEW_PART.split(":")[1],
            ),
            *super().get_urls(),
        ]

    # --- template preview -------------------------------------------------------------

    def _may_preview(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def preview_list(self, request: HttpRequest) -> TemplateResponse:
        """Every category and sample case, with links to its email (HTML and text), SMS
        and in-app text rendered from the samples."""
        self._may_preview(request)
        rows = [
            {
                "category": category,
                "info": CATEGORIES[category],
                "case": case,
                "links": {
                    part: reverse(PREVIEW_PART, args=[category.value, index, part])
                    for part in PREVIEW_PARTS
                },
            }
            for category in Category
            for index, (case, _) in enumerate(sample_contexts(category))
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Notification templates",
            "opts": self.model._meta,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/notifications/preview.html", context)

    def preview_part(
        self, request: HttpRequest, category: str, case: int, part: str
    ) -> HttpResponse:
        self._may_preview(request)
        if category not in {c.value for c in Category} or part not in PREVIEW_PARTS:
            raise Http404
        samples = sample_contexts(category)
        if case >= len(samples):
            raise Http404
        context = dict(samples[case][1])
        # A real link's shape, for no account (pressing it unsubscribes nobody).
        links = unsubscribe_links(user_id=0, category=category)
        if links is not None:
            context.update(links.context)
        if part == "html":
            return HttpResponse(render_email(category, context).html)
        if part == "text":
            email = render_email(category, context)
            body = f"Subject: {email.subject}\n\n{email.text}"
        elif part == "sms":
            body = render_sms(category, context)
        else:
            body = render_in_app(category, context)
        return HttpResponse(body, content_type="text/plain; charset=utf-8")


PREVIEW_LIST = "admin:notifications_preview"
PREVIEW_PART = "admin:notifications_preview_part"
PREVIEW_PARTS = ("html", "text", "sms", "in_app")


@admin.register(NotificationDispatch)
class NotificationDispatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "notification",
        "recipients",
        "queued",
        "sent",
        "failed",
        "skipped",
        "created_at",
    )
    list_filter = ("notification__category",)
    search_fields = ("notification__key", "notification__title")
    list_select_related = ("notification",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "channel",
        "to",
        "status",
        "attempts",
        "subject",
        "last_error_short",
        "sent_at",
        "created_at",
    )
    list_filter = ("channel", "status")
    search_fields = ("to", "idempotency_key")
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.display(description="last error")
    def last_error_short(self, delivery: Delivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description="Send the selected failed deliveries again", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        resent = [
            delivery_id
            for delivery_id in queryset.filter(status=DeliveryStatus.FAILED).values_list(
                "pk", flat=True
            )
            if delivery_resend(delivery_id=delivery_id)
        ]
        if resent:
            transaction.on_commit(lambda: send_deliveries.delay(delivery_ids=resent))
        left = queryset.count() - len(resent)
        summary = f"{len(resent)} failed deliver{'y' if len(resent) == 1 else 'ies'} queued again."
        if left:
            summary += f" {left} that had not failed {'was' if left == 1 else 'were'} left alone."
        self.message_user(request, summary, messages.SUCCESS if resent else messages.WARNING)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.resend_delivery")
