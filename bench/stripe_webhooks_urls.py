"""The product's URLs plus the baseline of bench/stripe_webhooks.py.

- ``/api/bench/ping/``: the project's default authentication (a JWT, or an API key),
  ``IsAuthenticated``, no throttle; answers ``{"ok": true}``. The baseline the target is
  judged against: the least a signed-in API request costs here (the token checked, its
  revocation looked up, the caller's company resolved).
- ``/api/bench/ping-throttled/``: the same with the project's default throttle (the tier
  rate limits and the metering, one Redis call), which every real API endpoint has.

Both come before the product's ``/api/`` patterns, whose last one answers any unknown
path with a 404.
"""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from config import urls


class PingView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = []

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class ThrottledPingView(PingView):
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES


urlpatterns = [
    path("api/bench/ping/", PingView.as_view()),
    path("api/bench/ping-throttled/", ThrottledPingView.as_view()),
    *urls.urlpatterns,
]

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
