from django.urls import path

from pluto.server.web import downloads, views

urlpatterns = [
    path("", views.home, name="home"),
    path("files/signed/<str:token>/", downloads.signed_download, name="signed_download"),
]
