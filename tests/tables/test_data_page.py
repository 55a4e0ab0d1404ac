"""The experiment data page: tables, versions and upload forms for signed-in users."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pluto.server.lab.models import Experiment
from pluto.server.tables.services import current_dataset
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, put_table


def signed_in(caller: Caller) -> Client:
    client = Client()
    client.force_login(caller.user)
    return client


def page_path(experiment: Experiment) -> str:
    return f"/experiments/{experiment.pluto_id}/data/"


def test_editor_sees_both_upload_forms_with_labels(ada: Caller, experiment: Experiment) -> None:
    response = signed_in(ada).get(page_path(experiment))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="sample-file">' in html and 'id="sample-file"' in html
    assert '<label for="assay-file">' in html and 'id="assay-file"' in html
    assert "No sample data yet." in html


def test_upload_through_the_form_lists_the_new_version(ada: Caller, experiment: Experiment) -> None:
    client = signed_in(ada)
    file = SimpleUploadedFile("samples.csv", SAMPLE_CSV, content_type="text/csv")

    response = client.post(page_path(experiment), {"kind": "sample", "file": file}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sample data: version 1 stored, 3 rows." in html
    assert "samples.csv" in html
    assert current_dataset(experiment, "sample") is not None


def test_form_errors_name_row_column_and_value(ada: Caller, experiment: Experiment) -> None:
    file = SimpleUploadedFile("counts.csv", b"gene_symbol,S1\nACTB,1\nGAPDH,oops\n")

    response = signed_in(ada).post(page_path(experiment), {"kind": "assay", "file": file})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "line 3, column &#x27;S1&#x27;: &#x27;oops&#x27; is not a number" in html
    assert '<td data-label="Row">3</td>' in html
    assert current_dataset(experiment, "assay") is None


def test_restore_from_the_page(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)
    put_table(ada, experiment, "assay", ASSAY_CSV.replace(b"ACTB", b"ACTG1"))

    response = signed_in(ada).post(
        page_path(experiment), {"kind": "assay", "action": "restore", "version": "1"}, follow=True
    )

    assert "Assay data: version 1 is current again." in response.content.decode()
    assert current_dataset(experiment, "assay").version == 1  # type: ignore[union-attr]


def test_viewer_sees_tables_but_no_forms(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    client = signed_in(bob)

    page = client.get(page_path(experiment)).content.decode()
    upload = client.post(
        page_path(experiment), {"kind": "sample", "file": SimpleUploadedFile("s.csv", SAMPLE_CSV)}
    )

    assert "Current: version 1, 3 rows" in page
    assert 'type="file"' not in page
    assert upload.status_code == 403


def test_the_page_links_a_csv_download(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)

    response = signed_in(ada).get(f"/experiments/{experiment.pluto_id}/data/sample.csv")
    download = fetch_url(response["Location"])

    assert response.status_code == 302
    assert download.body == SAMPLE_CSV


def test_stranger_gets_not_found(bob: Caller, experiment: Experiment) -> None:
    response = signed_in(bob).get(page_path(experiment), HTTP_ACCEPT="text/html")

    assert response.status_code == 404


def test_visitors_are_sent_to_sign_in(experiment: Experiment) -> None:
    response = Client().get(page_path(experiment))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
