from django.urls import path

from pluto.server.web import downloads, sdk, views

urlpatterns = [
    path("", views.home, name="home"),
    path("files/signed/<str:token>/", downloads.signed_download, name="signed_download"),
    path("sdk/pluto.R/", sdk.r_client, name="r_client"),  # served with and without the slash
]
