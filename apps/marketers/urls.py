from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.marketers import views

app_name = "marketers"

router = SimpleRouter()
router.register("marketer/affiliations", views.MyAffiliationViewSet, basename="my-affiliation")
router.register("affiliations", views.AffiliationViewSet, basename="affiliation")
router.register("commissions", views.CommissionViewSet, basename="commission")

urlpatterns = [
    path("marketers/signup/", views.MarketerSignupView.as_view(), name="marketer-signup"),
    *router.urls,
]
