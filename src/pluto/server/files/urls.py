"""Plain Django routes of the files app (outside the JSON API)."""

from django.urls import URLPattern, re_path

from pluto.server.files import views

urlpatterns: list[URLPattern] = [
    # With or without the trailing slash: clients use the URL exactly as it was handed out.
    re_path(r"^uploads/(?P<token>[^/]+)/?$", views.upload_chunk, name="upload_chunk"),
]
