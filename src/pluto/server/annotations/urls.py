"""Web pages of annotation sets (outside the JSON API): the forms of the Clusters tab."""

from django.urls import URLPattern, path

from pluto.server.annotations import pages

SETS = "experiments/<str:experiment_id>/annotation-sets/"

urlpatterns: list[URLPattern] = [
    path(SETS + "upload/", pages.upload_set, name="annotation_set_upload"),
    path(
        SETS + "<str:set_id>/clusters/<str:cluster_id>/",
        pages.change_cluster,
        name="annotation_cluster_change",
    ),
    path(SETS + "<str:set_id>/delete/", pages.delete_set, name="annotation_set_delete"),
]
