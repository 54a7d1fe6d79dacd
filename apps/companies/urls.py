from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.companies import views

app_name = "companies"

router = SimpleRouter()
router.register("company/members", views.MembershipViewSet, basename="membership")
router.register("company/api-keys", views.ApiKeyViewSet, basename="api-key")

urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("companies/", views.CompanyCreateView.as_view(), name="company-create"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("company/", views.CurrentCompanyView.as_view(), name="company"),
    path("company/stats/", views.CompanyStatsView.as_view(), name="company-stats"),
    *router.urls,
]
