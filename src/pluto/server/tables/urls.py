"""Plain Django routes of the tables app (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
