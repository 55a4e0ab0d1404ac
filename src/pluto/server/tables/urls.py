"""Plain Django routes of the tables app (outside the JSON API): the experiment data page."""

from django.urls import URLPattern, path

from pluto.server.tables import views

urlpatterns: list[URLPattern] = [
    path(
        "experiments/<str:experiment_id>/data/",
        views.experiment_data,
        name="experiment_data",
    ),
    path(
        "experiments/<str:experiment_id>/data/<str:kind>.csv",
        views.download_csv,
        name="experiment_data_download",
    ),
]
