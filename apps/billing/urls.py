from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.billing import views

app_name = "billing"

router = SimpleRouter()
router.register("billing/invoices", views.InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("billing/subscription/", views.SubscriptionView.as_view(), name="subscription"),
    *router.urls,
]
