from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.notifications import views
from apps.notifications.unsubscribe_api import UnsubscribeView

app_name = "notifications"

router = SimpleRouter()
router.register("", views.NotificationViewSet, basename="notification")

# Included under /api/notifications/.
urlpatterns = [
    path("unsubscribe/", UnsubscribeView.as_view(), name="notification-unsubscribe"),
    path(
        "preferences/", views.NotificationPreferencesView.as_view(), name="notification-preferences"
    ),
    *router.urls,
]
