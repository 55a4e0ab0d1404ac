from django.urls import path

from pluto.server.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
