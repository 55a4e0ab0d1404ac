"""Web pages of organizations: the list, the switcher, and Users & Teams."""

from django.urls import path

from pluto.server.orgs import views

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/switch/", views.organization_switch, name="organization_switch"),
    path(
        "organizations/<str:organization_id>/",
        views.organization_page,
        name="organization_page",
    ),
]
