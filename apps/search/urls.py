from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.search import views

app_name = "search"

router = SimpleRouter()
router.register("search/saved", views.SavedSearchViewSet, basename="saved-search")

urlpatterns = [
    path("search/analytics/", views.SearchAnalyticsView.as_view(), name="search-analytics"),
    *router.urls,
]
