from django.urls import path

from apps.analytics.platform import views

urlpatterns = [
    path("revenue/", views.RevenueView.as_view(), name="platform-revenue"),
    path("churn/", views.ChurnView.as_view(), name="platform-churn"),
    path("cohorts/", views.CohortsView.as_view(), name="platform-cohorts"),
    path("usage/", views.UsageView.as_view(), name="platform-usage"),
]
