from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.payments import views

app_name = "payments"

router = SimpleRouter()
router.register("billing/payments", views.PaymentViewSet, basename="payment")

urlpatterns = [
    path("billing/checkout/", views.CheckoutView.as_view(), name="checkout"),
    path(
        "billing/subscription/change/",
        views.SubscriptionChangeView.as_view(),
        name="subscription-change",
    ),
    path(
        "billing/subscription/cancel/",
        views.SubscriptionCancelView.as_view(),
        name="subscription-cancel",
    ),
    path("billing/portal/", views.PortalView.as_view(), name="portal"),
    path("webhooks/stripe/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
    *router.urls,
]
