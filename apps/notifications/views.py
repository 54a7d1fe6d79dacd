"""The signed-in person's in-app notifications and notification preferences.

Only people: an API key is a company, not a person, so these answer it 403. Each
person sees only their own rows, scoped to the company the request acts for (see
selectors.in_app_scope); another person's id, or one outside that scope, is a 404.
"""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import NotFoundError
from apps.core.filters import MAX_ID
from apps.core.permissions import IsSignedInUser
from apps.core.serializers import EmptySerializer
from apps.core.tenancy import get_tenant
from apps.notifications import selectors, serializers, services
from apps.notifications.filters import UserNotificationFilter
from apps.notifications.models import UserNotification


def _company_id(request: Request) -> int | None:
    tenant = get_tenant(request)
    return tenant.company_id if tenant is not None else None


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your in-app notifications, newest first: those of the company you act for
    (X-Company-ID, else your first company) and those that concern no company. Acting
    for no company, you see the answers to your own applications."""

    permission_classes = [IsSignedInUser]
    serializer_class = serializers.UserNotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = UserNotificationFilter
    # Reading and clearing notices is not changing the company's data: a company whose
    # subscription lapsed must still read why.
    allowed_without_subscription = True

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return UserNotification.objects.none()
        return selectors.user_notifications_visible(
            user_id=self.request.user.pk, company_id=_company_id(self.request)
        )

    @extend_schema(request=None, responses=serializers.UserNotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark one notification read (again: nothing changes, it stays read since first)."""
        row_id = _notification_id(pk)
        # Whose it is comes first: another person's id is a 404 whatever the body holds.
        if not self.get_queryset().filter(pk=row_id).exists():
            raise NotFoundError("No such notification.")
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        row = services.user_notification_mark_read(
            user_id=request.user.pk, company_id=_company_id(request), user_notification_id=row_id
        )
        return Response(serializers.UserNotificationSerializer(row).data)

    @extend_schema(request=None, responses=serializers.MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification in this list read; says how many there were."""
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        marked = services.user_notifications_mark_all_read(
            user_id=request.user.pk, company_id=_company_id(request)
        )
        return Response({"marked_read": marked})

    @extend_schema(responses=serializers.UnreadCountSerializer, filters=False)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[])
    def unread_count(self, request: Request) -> Response:
        """How many notifications in this list are unread (for a badge: one cheap query)."""
        unread = selectors.user_notifications_unread_count(
            user_id=request.user.pk, company_id=_company_id(request)
        )
        return Response({"unread": unread})


def _notification_id(pk: str) -> int:
    # The router lets through any segment; anything not a possible id matches nothing.
    if not (pk.isascii() and pk.isdigit()) or not 1 <= int(pk) <= MAX_ID:
        return 0
    return int(pk)


class NotificationPreferencesView(APIView):
    """Every kind of notification, with the channels it uses and whether each is on for
    you. Billing and security messages are mandatory: their channels stay on."""

    permission_classes = [IsSignedInUser]
    allowed_without_subscription = True

    def _answer(self, user_id: int) -> Response:
        preferences = selectors.notification_preferences_for(user_id=user_id)
        body = serializers.NotificationPreferenceSerializer(
            [
                {
                    "category": p.category.value,
                    "label": p.label,
                    "mandatory": p.mandatory,
                    "channels": {channel.value: on for channel, on in p.channels.items()},
                }
                for p in preferences
            ],
            many=True,
        ).data
        return Response(body)

    @extend_schema(responses=serializers.NotificationPreferenceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self._answer(request.user.pk)

    @extend_schema(
        request=serializers.NotificationPreferencesUpdateSerializer,
        responses=serializers.NotificationPreferenceSerializer(many=True),
        description="Turn channels on or off, per category; categories and channels left "
        "out keep their setting. A channel the category does not use, or a mandatory "
        "category's channel turned off, is a 400 naming it, and nothing is changed. "
        "Answers every category as GET does.",
    )
    def put(self, request: Request) -> Response:
        data = serializers.NotificationPreferencesUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notification_preferences_update(
            user_id=request.user.pk, changes=serializers.preference_changes(data.validated_data)
        )
        return Response(self._answer(request.user.pk).data)
