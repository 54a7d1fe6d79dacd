from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.notifications import views

app_name = "notifications"

router = SimpleRouter()
router.register("", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path(
        "preferences/", views.NotificationPreferencesView.as_view(), name="notification-preferences"
    ),
    *router.urls,
]
