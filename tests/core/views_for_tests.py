"""Views that raise each kind of error, mounted under /api/ by urls_for_tests."""

import sqlite3

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import ConflictError, PaymentRequired
from apps.core.serializers import StrictSerializer


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StrictEchoSerializer(StrictSerializer):
    name = serializers.CharField(max_length=10)


def sqlite_error(code: int, message: str) -> OperationalError:
    """Django's OperationalError around sqlite3's, as Django's cursor wrapper raises it."""
    cause = sqlite3.OperationalError(message)
    cause.sqlite_errorcode = code
    error = OperationalError(message)
    error.__cause__ = cause
    return error


DATABASE_ERRORS = {
    "database-locked": sqlite_error(sqlite3.SQLITE_BUSY, "database is locked"),
    "database-table-locked": sqlite_error(sqlite3.SQLITE_LOCKED, "database table is locked"),
    "database-no-table": sqlite_error(sqlite3.SQLITE_ERROR, "no such table: estates_plot"),
    # What PostgreSQL's driver raises has no SQLite cause.
    "database-other": OperationalError("could not serialize access due to concurrent update"),
}


class ErrorsView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    RAISES = {
        "throttled": exceptions.Throttled(wait=12.2),
        "django-404": Http404("nothing"),
        "django-validation": DjangoValidationError("bad value"),
        "conflict": ConflictError("Already done.", code="already_done", details={"id": 3}),
        "payment": PaymentRequired(),
        "crash": RuntimeError("boom"),
        **DATABASE_ERRORS,
    }

    def get(self, request, kind):
        raise self.RAISES[kind]


class EchoView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = EchoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class StrictEchoView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = StrictEchoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class OwnCacheControlView(APIView):
    """An API view that decides its own caching."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"cacheable": True}, headers={"Cache-Control": "public, max-age=60"})


def plain_database_error(request: HttpRequest, kind: str) -> HttpResponse:
    """A view outside DRF (as the admin's are) meeting a database error."""
    raise DATABASE_ERRORS[kind]
