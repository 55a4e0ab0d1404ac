"""Web pages of research programs (outside the JSON API, whose ``programs/`` they leave be)."""

from django.urls import URLPattern, path

from pluto.server.programs import views

urlpatterns: list[URLPattern] = [
    path("research-programs/", views.program_list, name="program_list"),
    path("research-programs/<str:program_id>/", views.program_page, name="program_page"),
]
