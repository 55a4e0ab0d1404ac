"""The experiment page's tabs: tables, uploads, versions, files, new analyses and settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pluto.server.analyses.models import Analysis
from pluto.server.files.models import ExperimentFile
from pluto.server.files.services import attach_file
from pluto.server.lab.models import Experiment
from pluto.server.tables.services import current_dataset
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.web.conftest import SAMPLE_CSV, counts_csv, html, signed_in


def tab(experiment: Experiment, name: str, query: str = "") -> str:
    return f"/experiments/{experiment.pluto_id}/?tab={name}{query}"


@pytest.mark.parametrize("name", ["samples", "assay", "plots", "files", "analysis", "settings"])
def test_every_tab_opens_for_an_owner(ada: Caller, with_data: Experiment, name: str) -> None:
    page = html(signed_in(ada.user).get(tab(with_data, name)))

    assert with_data.pluto_id in page
    assert f'href="?tab={name}" aria-current="page"' in page


def test_the_header_has_the_id_with_a_copy_button(ada: Caller, experiment: Experiment) -> None:
    page = html(signed_in(ada.user).get(f"/experiments/{experiment.pluto_id}/"))

    assert f'data-copy-text="{experiment.pluto_id}"' in page


def test_strangers_get_not_found_and_visitors_sign_in(bob: Caller, experiment: Experiment) -> None:
    stranger = signed_in(bob.user).get(tab(experiment, "samples"), HTTP_ACCEPT="text/html")
    visitor = Client().get(tab(experiment, "samples"))

    assert stranger.status_code == 404
    assert visitor["Location"].startswith("/accounts/login/")


def test_empty_tabs_say_what_to_do_next(ada: Caller, experiment: Experiment) -> None:
    browser = signed_in(ada.user)

    assert "Upload a table with one row per sample" in html(browser.get(tab(experiment, "samples")))
    assert "Upload the matrix" in html(browser.get(tab(experiment, "assay")))
    assert "Run an analysis" in html(browser.get(tab(experiment, "plots")))
    assert "Upload the data first" in html(browser.get(tab(experiment, "analysis")))


def test_the_sample_table_sorts_filters_and_pages(ada: Caller, with_data: Experiment) -> None:
    browser = signed_in(ada.user)

    descending = html(browser.get(tab(with_data, "samples", "&sort=sample_id&order=desc")))
    filtered = html(browser.get(tab(with_data, "samples", "&column=condition&value=treated")))

    assert descending.index("<td>S6</td>") < descending.index("<td>S1</td>")
    assert 'aria-sort="descending"' in descending
    assert "Rows 1\u20133 of 3 (filtered from 6)" in filtered and "<td>S1</td>" not in filtered


def test_the_assay_tab_summarises_and_searches_genes(ada: Caller, with_data: Experiment) -> None:
    browser = signed_in(ada.user)

    page = html(browser.get(tab(with_data, "assay")))
    found = html(browser.get(tab(with_data, "assay", "&q=gene1")))
    second = html(browser.get(tab(with_data, "assay", "&page=2")))

    assert "<b>60</b><span>features (gene_symbol)</span>" in page
    assert "Library sizes" in page and '<span class="sample" title="S1">S1</span>' in page
    assert "Rows 1\u201311 of 11 (filtered from 60)" in found  # GENE1 and GENE10 to GENE19
    assert "<td>GENE51</td>" in second and "Page 2 of 2" in second


def test_uploading_through_the_tab_stores_a_version(ada: Caller, experiment: Experiment) -> None:
    file = SimpleUploadedFile("samples.csv", SAMPLE_CSV, content_type="text/csv")

    response = signed_in(ada.user).post(
        tab(experiment, "samples"),
        {"action": "upload", "kind": "sample", "file": file},
        follow=True,
    )

    assert "Sample data: version 1 stored, 6 rows." in html(response)
    assert current_dataset(experiment, "sample") is not None


def test_a_bad_file_shows_each_problem_by_row_and_column(
    ada: Caller, with_data: Experiment
) -> None:
    bad = counts_csv().replace(b"GENE2,", b"GENE2,oops", 1)
    file = SimpleUploadedFile("counts.csv", bad, content_type="text/csv")

    response = signed_in(ada.user).post(
        tab(with_data, "assay"), {"action": "upload", "kind": "assay", "file": file}
    )

    page = html(response)
    assert response.status_code == 400
    assert "The file was not stored." in page and 'id="assay-errors"' in page
    assert '<td data-label="Column" class="mono">S1</td>' in page
    assert current_dataset(with_data, "assay").version == 1  # type: ignore[union-attr]


def test_restoring_an_earlier_version(ada: Caller, with_data: Experiment) -> None:
    browser = signed_in(ada.user)
    file = SimpleUploadedFile("counts2.csv", counts_csv(seed=9), content_type="text/csv")
    browser.post(tab(with_data, "assay"), {"action": "upload", "kind": "assay", "file": file})

    response = browser.post(
        tab(with_data, "assay"), {"action": "restore", "kind": "assay", "version": "1"}, follow=True
    )

    assert "Assay data: version 1 is current again." in html(response)
    assert current_dataset(with_data, "assay").version == 1  # type: ignore[union-attr]


def test_viewers_see_tables_but_no_edit_controls(
    ada: Caller,
    bob: Caller,
    with_data: Experiment,
    add_member: Callable[[Caller, str], None],
) -> None:
    add_member(bob, "viewer")
    attach_file(ada.user, with_data, "protocol.pdf", b"%PDF-1.4")
    browser = signed_in(bob.user)

    pages = {
        name: html(browser.get(tab(with_data, name)))
        for name in ("samples", "assay", "files", "plots")
    }

    assert "<td>S1</td>" in pages["samples"] and "protocol.pdf" in pages["files"]
    for page in pages.values():
        assert 'type="file"' not in page and 'name="action"' not in page
        assert "New analysis" not in page and "?tab=settings" not in page


def test_viewers_are_refused_every_change(
    ada: Caller,
    bob: Caller,
    with_data: Experiment,
    add_member: Callable[[Caller, str], None],
) -> None:
    add_member(bob, "viewer")
    file = attach_file(ada.user, with_data, "protocol.pdf", b"%PDF-1.4")
    browser = signed_in(bob.user)
    posts = [
        (
            "samples",
            {"action": "upload", "kind": "sample", "file": SimpleUploadedFile("s.csv", SAMPLE_CSV)},
        ),
        ("assay", {"action": "restore", "kind": "assay", "version": "1"}),
        ("files", {"action": "delete_file", "file": str(file.uuid)}),
        ("files", {"action": "rename_file", "file": str(file.uuid), "display_name": "x.pdf"}),
        ("settings", {"action": "edit", "name": "Taken over"}),
        ("analysis", {"action": "run_analysis", "analysis_type": "principal_components"}),
    ]

    statuses = [browser.post(tab(with_data, name), form).status_code for name, form in posts]

    assert statuses == [403] * len(posts)
    assert ExperimentFile.objects.filter(pk=file.pk, display_name="protocol.pdf").exists()
    assert not Analysis.objects.exists()


def test_files_are_renamed_downloaded_and_deleted(ada: Caller, experiment: Experiment) -> None:
    file = attach_file(ada.user, experiment, "protocol.pdf", b"%PDF-1.4 protocol")
    browser = signed_in(ada.user)

    renamed = browser.post(
        tab(experiment, "files"),
        {"action": "rename_file", "file": str(file.uuid), "display_name": "Protocol v2.pdf"},
        follow=True,
    )
    download = browser.get(f"/experiments/{experiment.pluto_id}/files/{file.uuid}/download/")
    body = fetch_url(download["Location"])
    browser.post(tab(experiment, "files"), {"action": "delete_file", "file": str(file.uuid)})

    assert "“protocol.pdf” is now called “Protocol v2.pdf”." in html(renamed)
    assert body.body == b"%PDF-1.4 protocol"
    assert not ExperimentFile.objects.filter(pk=file.pk).exists()


def test_an_empty_file_name_is_refused(ada: Caller, experiment: Experiment) -> None:
    file = attach_file(ada.user, experiment, "protocol.pdf", b"%PDF")

    response = signed_in(ada.user).post(
        tab(experiment, "files"),
        {"action": "rename_file", "file": str(file.uuid), "display_name": ""},
    )

    assert response.status_code == 400
    assert "&#x27;display_name&#x27; must be a non-empty text." in html(response)


def test_the_analysis_form_offers_the_sample_columns_and_values(
    ada: Caller, with_data: Experiment
) -> None:
    page = html(
        signed_in(ada.user).get(tab(with_data, "analysis", "&type=differential_expression"))
    )

    assert '<option value="condition" selected>condition</option>' in page
    assert 'name="experimental_values" value="treated"' in page
    assert 'name="control_values" value="control"' in page
    assert 'id="sample-values" type="application/json"' in page


def test_submitting_an_analysis_opens_its_plot_page(ada: Caller, with_data: Experiment) -> None:
    form = {
        "action": "run_analysis",
        "analysis_type": "differential_expression",
        "name": "Treated vs control",
        "group_column": "condition",
        "experimental_values": ["treated"],
        "control_values": ["control"],
        "min_count": "5",
    }

    response = signed_in(ada.user).post(tab(with_data, "analysis"), form)

    analysis = Analysis.objects.get()
    assert response["Location"] == f"/experiments/{with_data.pluto_id}/plots/{analysis.plot.uuid}/"
    assert analysis.parameters["experimental_values"] == ["treated"]
    assert analysis.parameters["min_count"] == 5


@pytest.mark.parametrize(
    ("form", "field_id", "message"),
    [
        (
            {"group_column": "condition", "control_values": ["control"]},
            "experimental-values",
            "required",
        ),
        (
            {"group_column": "nope", "experimental_values": ["a"], "control_values": ["b"]},
            "group-column",
            "nope",
        ),
        (
            {
                "group_column": "condition",
                "experimental_values": ["treated"],
                "control_values": ["control"],
                "alpha": "lots",
            },
            "alpha",
            "must be a number",
        ),
    ],
)
def test_analysis_errors_are_shown_next_to_their_field(
    ada: Caller, with_data: Experiment, form: dict[str, object], field_id: str, message: str
) -> None:
    body = {"action": "run_analysis", "analysis_type": "differential_expression", **form}

    response = signed_in(ada.user).post(tab(with_data, "analysis"), body)

    page = html(response)
    assert response.status_code == 400
    assert f'id="{field_id}-error"' in page
    assert message in page.split(f'id="{field_id}-error"')[1].split("</p>")[0]
    assert not Analysis.objects.exists()


def test_settings_save_and_owners_archive(ada: Caller, experiment: Experiment) -> None:
    browser = signed_in(ada.user)
    form = {
        "action": "edit",
        "name": "Renamed",
        "description": "New words",
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
        "share_level": "private",
    }

    saved = browser.post(tab(experiment, "settings"), form)
    browser.post(tab(experiment, "settings"), {"action": "archive", "archived": "1"})

    experiment.refresh_from_db()
    assert saved["Location"] == tab(experiment, "settings")
    assert (experiment.name, experiment.description, experiment.is_archived) == (
        "Renamed",
        "New words",
        True,
    )


def test_the_old_data_page_still_works(ada: Caller, with_data: Experiment) -> None:
    response = signed_in(ada.user).get(f"/experiments/{with_data.pluto_id}/data/")

    assert response.status_code == 200 and "Current: version 1, 6 rows" in html(response)
