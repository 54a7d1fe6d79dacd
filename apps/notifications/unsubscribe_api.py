"""The public unsubscribe endpoint (kept apart from views.py, which serves signed-in
people): what an emailed link is for, and turning that category's emails off."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.parsers import BoundedJSONParser
from apps.core.serializers import StrictSerializer
from apps.notifications.categories import Category
from apps.notifications.errors import InvalidUnsubscribeLink
from apps.notifications.unsubscribe import (
    TOKEN_MAX_LENGTH,
    Unsubscription,
    email_subscribed,
    email_unsubscribe,
    unsubscribe_token_read,
)

ONE_CLICK_FIELD = "List-Unsubscribe"


class UnsubscriptionSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=[c.value for c in Category])
    label = serializers.CharField(help_text="The category, for a person to read.")
    email = serializers.BooleanField(help_text="Whether these emails are still sent.")


class OneClickSerializer(StrictSerializer):
    """The body mail clients send (RFC 8058); an empty body does the same."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # Its name has a hyphen, so it cannot be declared as an attribute.
        return {
            ONE_CLICK_FIELD: serializers.ChoiceField(
                choices=["One-Click"],
                required=False,
                help_text="What a mail client's one-click unsubscribe sends.",
            )
        }


TOKEN = OpenApiParameter(
    "token",
    {"type": "string", "maxLength": TOKEN_MAX_LENGTH},
    OpenApiParameter.QUERY,
    required=True,
    description="The token from the emailed link.",
)


def _answer(unsubscription: Unsubscription) -> Response:
    return Response(
        {
            "category": unsubscription.category.value,
            "label": unsubscription.label,
            "email": email_subscribed(unsubscription=unsubscription),
        }
    )


class UnsubscribeView(APIView):
    """Unsubscribe from one category's emails with the token from an email's link; no
    sign-in. GET says which category the link is for and whether its emails are still
    sent (nothing about the person); POST turns them off, and again changes nothing.
    A tampered or withdrawn token, and a billing or security category (which cannot be
    turned off), are refused with a 400."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # Mail clients post the one-click body as a form (RFC 8058); the app may send JSON.
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    def _token(self, request: Request) -> str:
        token = request.query_params.get("token", "")
        if not token:
            raise InvalidUnsubscribeLink("The link has no token.")
        return token

    @extend_schema(parameters=[TOKEN], responses=UnsubscriptionSerializer)
    def get(self, request: Request) -> Response:
        return _answer(unsubscribe_token_read(token=self._token(request)))

    @extend_schema(
        parameters=[TOKEN], request=OneClickSerializer, responses=UnsubscriptionSerializer
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        OneClickSerializer(data=request.data).is_valid(raise_exception=True)
        return _answer(email_unsubscribe(token=self._token(request)))
