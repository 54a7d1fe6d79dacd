from django.urls import path

from apps.notifications.unsubscribe_api import UnsubscribeView

app_name = "notifications"

# Included under /api/notifications/.
urlpatterns = [
    path("unsubscribe/", UnsubscribeView.as_view(), name="notification-unsubscribe"),
]
