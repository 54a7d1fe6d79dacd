from rest_framework.routers import SimpleRouter

from apps.payments import views

app_name = "payments"

router = SimpleRouter()
router.register("billing/payments", views.PaymentViewSet, basename="payment")

urlpatterns = router.urls
