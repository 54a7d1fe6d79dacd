"""Views that raise each kind of error, mounted under /api/ by urls_for_tests."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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
