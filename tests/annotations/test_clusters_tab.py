"""The Clusters tab of the experiment page: sets, clusters' names and colours, uploads."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pluto.server.annotations.models import AnnotationSet, Cluster
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project
from tests.web.conftest import html, signed_in

CELLS = b"cell_id,cluster\nAAAC-1,0\nAAAG-1,1\nAACT-1,0\n"


def single_cell(ada: Caller) -> Experiment:
    project = make_project(ada.user, "Immune atlas")
    return make_experiment(ada.user, project, "PBMC 10x", type="scrnaseq")


def upload(client: Client, experiment: Experiment, data: bytes = CELLS, **fields: str) -> Any:
    return client.post(
        f"/experiments/{experiment.pluto_id}/annotation-sets/upload/",
        {"file": SimpleUploadedFile("clusters.csv", data, content_type="text/csv"), **fields},
        follow=True,
    )


def cluster_path(experiment: Experiment, cluster: Cluster, address: str) -> str:
    """The page address that saves a cluster (by uuid or number)."""
    base = f"/experiments/{experiment.pluto_id}/annotation-sets/"
    return f"{base}{cluster.annotation_set.uuid}/clusters/{address}/"


def tab(client: Client, experiment: Experiment) -> str:
    return html(client.get(f"/experiments/{experiment.pluto_id}/?tab=clusters"))


def test_a_single_cell_experiment_has_a_clusters_tab_and_bulk_ones_do_not(ada: Caller) -> None:
    experiment = single_cell(ada)
    bulk = make_experiment(ada.user, experiment.project, "Bulk RNA-seq")
    client = signed_in(ada.user)

    assert 'href="?tab=clusters"' in html(client.get(f"/experiments/{experiment.pluto_id}/"))
    assert 'href="?tab=clusters"' not in html(client.get(f"/experiments/{bulk.pluto_id}/"))


def test_an_editor_uploads_a_set_and_sees_its_clusters(ada: Caller) -> None:
    experiment = single_cell(ada)
    client = signed_in(ada.user)

    response = upload(client, experiment, display_name="Leiden", resolution="0.8")

    page = html(response)
    assert response.status_code == 200
    assert "“Leiden” was added: 3 cells in 2 clusters." in page
    assert "Leiden" in page and "resolution 0.8" in page
    assert 'value="Cluster 0"' in page and 'value="#1f77b4"' in page


def test_a_bad_table_is_explained_naming_row_and_column(ada: Caller) -> None:
    experiment = single_cell(ada)

    page = html(upload(signed_in(ada.user), experiment, b"cell_id,cluster\nA,one\n"))

    assert "Row 2, column &#x27;cluster&#x27;" in page or "Row 2, column 'cluster'" in page
    assert not AnnotationSet.objects.filter(experiment=experiment).exists()


def test_an_editor_renames_and_recolours_a_cluster(ada: Caller) -> None:
    experiment = single_cell(ada)
    client = signed_in(ada.user)
    upload(client, experiment)
    cluster = Cluster.objects.get(annotation_set__experiment=experiment, number=1)
    path = cluster_path(experiment, cluster, str(cluster.uuid))

    response = client.post(path, {"display_name": "B cells", "color": "#336699"}, follow=True)

    assert "Cluster 1 is now “B cells”." in html(response)
    cluster.refresh_from_db()
    assert (cluster.display_name, cluster.color) == ("B cells", "#336699")


def test_a_bad_colour_is_refused_with_a_message(ada: Caller) -> None:
    experiment = single_cell(ada)
    client = signed_in(ada.user)
    upload(client, experiment)
    cluster = Cluster.objects.get(annotation_set__experiment=experiment, number=0)
    path = cluster_path(experiment, cluster, "0")

    page = html(client.post(path, {"color": "blue"}, follow=True))

    assert "#rrggbb" in page
    cluster.refresh_from_db()
    assert cluster.color == "#1f77b4"


def test_a_viewer_sees_names_and_colours_but_no_forms(ada: Caller, bob: Caller) -> None:
    experiment = single_cell(ada)
    upload(signed_in(ada.user), experiment)
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )
    client = signed_in(bob.user)

    page = tab(client, experiment)
    refused = upload(client, experiment)

    assert "Cluster 0" in page and "#1f77b4" in page
    assert 'type="color"' not in page and "Add an annotation set" not in page
    assert "editor" in html(refused)
    assert AnnotationSet.objects.filter(experiment=experiment).count() == 1


def test_an_editor_deletes_a_set(ada: Caller) -> None:
    experiment = single_cell(ada)
    client = signed_in(ada.user)
    upload(client, experiment, display_name="Old")
    found = AnnotationSet.objects.get(experiment=experiment)

    response = client.post(
        f"/experiments/{experiment.pluto_id}/annotation-sets/{found.uuid}/delete/", follow=True
    )

    assert "“Old” was deleted." in html(response)
    assert "No annotation sets yet" in html(response)


def test_someone_who_cannot_see_the_experiment_gets_404(ada: Caller, bob: Caller) -> None:
    experiment = single_cell(ada)

    response = upload(signed_in(bob.user), experiment)

    assert response.status_code == 404
