from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.estates import views
from apps.estates.search.views import PlotSearchView

app_name = "estates"

router = SimpleRouter()
router.register("estates", views.EstateViewSet, basename="estate")
router.register("plots", views.PlotViewSet, basename="plot")
router.register("clients", views.ClientViewSet, basename="client")
router.register("purchases", views.PurchaseViewSet, basename="purchase")

urlpatterns = [
    # Before the router, whose plots/<pk>/ would take "search" for an id.
    path("plots/search/", PlotSearchView.as_view(), name="plot-search"),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("invitations/signup/", views.InvitationSignupView.as_view(), name="invitation-signup"),
    *router.urls,
]
