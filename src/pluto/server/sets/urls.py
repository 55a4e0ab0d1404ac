"""Web pages of biomarker and biomodel sets (outside the JSON API)."""

from django.urls import URLPattern, path

from pluto.server.sets import pages

urlpatterns: list[URLPattern] = [
    path("biomarker-sets/", pages.biomarker_set_list, name="biomarker_set_list"),
    path("biomarker-sets/<str:set_id>/", pages.biomarker_set_page, name="biomarker_set_page"),
    path(
        "biomarker-sets/<str:set_id>/download/",
        pages.biomarker_set_download,
        name="biomarker_set_download",
    ),
    path("biomodel-sets/", pages.biomodel_set_list, name="biomodel_set_list"),
    path("biomodel-sets/<str:set_id>/", pages.biomodel_set_page, name="biomodel_set_page"),
]
