"""The project's URLs plus one API view that fails with secrets in its message and locals.

Used by tests/config/test_sentry.py through ``@pytest.mark.urls``.
"""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns

# Kept well away from the view: the SDK sends five lines of source around each frame.
CARD_NUMBER = "4242 4242 4242 4242"  # Luhn-valid (Stripe's test Visa)
BANK_ACCOUNT = "0123456789"  # shaped like a 10-digit NUBAN
STRIPE_SECRET = "sk_test_abc123XYZ"
PASSWORD = "hunter2-secret"  # arrives in the request body


class BoomView(APIView):
    """Fails the way a careless integration would: secrets in the message and locals."""

    def post(self, request: Request) -> Response:
        # Locals, captured with the stack frame. The password comes from the request: a
        # literal here would be sent anyway, as source context around the frame.
        password = request.data["password"]
        authorization = request.headers["Authorization"]  # the raw JWT, under an innocent name
        card = request.data["card_number"]
        if password and authorization and card:
            raise RuntimeError(
                f"Charge failed for card {CARD_NUMBER}, payout account {BANK_ACCOUNT}, "
                f"using key {STRIPE_SECRET}"
            )
        return Response(status=204)


urlpatterns = [
    path("api/boom/", BoomView.as_view(), name="boom"),
    *project_urlpatterns,
]
