from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.core import views_for_tests

urlpatterns = [
    path("api/test/errors/<str:kind>/", views_for_tests.ErrorsView.as_view()),
    path("api/test/echo/", views_for_tests.EchoView.as_view()),
    path("api/test/strict-echo/", views_for_tests.StrictEchoView.as_view()),
    path("api/test/own-cache-control/", views_for_tests.OwnCacheControlView.as_view()),
    path("api/test/plain/<str:kind>/", views_for_tests.plain_database_error),
    path("test/plain/<str:kind>/", views_for_tests.plain_database_error),
    *project_urlpatterns,
]

handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
