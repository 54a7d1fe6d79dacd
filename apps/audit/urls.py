from rest_framework.routers import SimpleRouter

from apps.audit import views

app_name = "audit"

router = SimpleRouter()
router.register("logs", views.AuditEntryViewSet, basename="audit-log")

# Included under /api/audit/.
urlpatterns = router.urls
