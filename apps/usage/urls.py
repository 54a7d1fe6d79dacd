from django.urls import path

from apps.usage import views

app_name = "usage"

urlpatterns = [path("usage/", views.UsageView.as_view(), name="usage")]
