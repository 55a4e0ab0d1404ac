"""The biomarker and biomodel set pages, through Django's test client."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from pluto.server.lab.models import Experiment
from pluto.server.sets.models import BiomarkerSet, BiomodelSet
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.web.conftest import html, signed_in


def test_a_biomarker_set_is_created_filled_and_archived_on_its_pages(ada: Caller) -> None:
    browser = signed_in(ada.user)
    assert "No biomarker sets yet" in html(browser.get("/biomarker-sets/"))
    created = browser.post(
        "/biomarker-sets/",
        {"name": "Hypoxia genes", "target_type": "gene", "organism_shortname": "human"},
    )
    found = BiomarkerSet.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/biomarker-sets/{found.uuid}/"
    page = f"/biomarker-sets/{found.uuid}/"
    browser.post(page, {"action": "add", "name": "HIF1A"})
    csv = SimpleUploadedFile("genes.csv", b"name\nVEGFA\nHIF1A\n", content_type="text/csv")
    browser.post(page, {"action": "upload", "file": csv})
    shown = html(browser.get(page))
    assert "HIF1A" in shown and "VEGFA" in shown
    assert f"biomarker_set:{found.uuid}" in shown
    duplicate = browser.post(page, {"action": "add", "name": "HIF1A"})
    assert duplicate.status_code == 409 and "already in this set" in html(duplicate)
    bad = SimpleUploadedFile("bad.csv", b"gene\nTP53\n", content_type="text/csv")
    refused = browser.post(page, {"action": "upload", "file": bad})
    assert refused.status_code == 400 and "needs a &#x27;name&#x27; column" in html(refused)
    download = browser.get(f"{page}download/")
    assert download.status_code == 302
    downloaded = fetch_url(download["Location"])
    assert downloaded.status == 200 and b"VEGFA" in downloaded.body
    archived = browser.post(page, {"action": "archive"})
    assert archived.status_code == 302
    assert "No biomarker sets yet" in html(browser.get("/biomarker-sets/"))


def test_a_missing_name_is_shown_beside_the_field(ada: Caller) -> None:
    response = signed_in(ada.user).post("/biomarker-sets/", {"name": "", "target_type": "gene"})
    assert response.status_code == 400
    assert 'id="set-name-error"' in html(response)


def test_a_biomodel_set_is_created_and_filled_on_its_pages(ada: Caller) -> None:
    browser = signed_in(ada.user)
    created = browser.post(
        "/biomodel-sets/", {"name": "Cell lines", "columns": "cell_line\ndoubling_hours:number"}
    )
    found = BiomodelSet.objects.get()
    assert created["Location"] == f"/biomodel-sets/{found.uuid}/"
    page = f"/biomodel-sets/{found.uuid}/"
    csv = SimpleUploadedFile(
        "lines.csv", b"cell_line,doubling_hours\nHeLa,23\n", content_type="text/csv"
    )
    browser.post(page, {"action": "upload", "file": csv})
    shown = html(browser.get(page))
    assert "<td>HeLa</td><td>23</td>" in shown
    bad = SimpleUploadedFile(
        "bad.csv", b"cell_line,doubling_hours\nA549,fast\n", content_type="text/csv"
    )
    refused = browser.post(page, {"action": "upload", "file": bad})
    assert refused.status_code == 400 and "Row 2, column &#x27;doubling_hours&#x27;" in html(
        refused
    )
    wrong = browser.post("/biomodel-sets/", {"name": "X", "columns": "age:integer"})
    assert wrong.status_code == 400 and 'id="table-columns-error"' in html(wrong)
    assert "Cell lines" in html(browser.get("/biomodel-sets/"))


def test_the_analysis_form_offers_the_organizations_gene_sets(
    ada: Caller, experiment: Experiment
) -> None:
    browser = signed_in(ada.user)
    browser.post("/biomarker-sets/", {"name": "Treatment up", "target_type": "gene"})
    browser.post("/biomarker-sets/", {"name": "Panel", "target_type": "protein"})
    gene_set = BiomarkerSet.objects.get(name="Treatment up")
    path = f"/experiments/{experiment.pluto_id}/?tab=analysis&type=over_representation"
    page = html(browser.get(path))
    assert f'value="biomarker_set:{gene_set.uuid}"' in page
    assert "Treatment up (biomarker set, 0 genes)" in page
    assert "Panel (biomarker set" not in page


def test_a_biomarker_set_is_corrected_on_its_page(ada: Caller) -> None:
    browser = signed_in(ada.user)
    browser.post("/biomarker-sets/", {"name": "Hypoxia genes", "target_type": "gene"})
    found = BiomarkerSet.objects.get()
    page = f"/biomarker-sets/{found.uuid}/"
    browser.post(page, {"action": "add", "name": "HIF1A"})
    browser.post(page, {"action": "add", "name": "GAPDH"})
    mistake = found.biomarkers.get(name="GAPDH")

    browser.post(page, {"action": "remove", "biomarker": str(mistake.uuid)})
    blank = browser.post(page, {"action": "edit", "name": " ", "description": ""})
    browser.post(page, {"action": "edit", "name": "Hypoxia up", "description": "From RNA-seq"})

    assert [b.name for b in found.biomarkers.all()] == ["HIF1A"]
    assert blank.status_code == 400 and 'id="set-name-error"' in html(blank)
    assert 'id="biomarker-name-error"' not in html(blank)
    found.refresh_from_db()
    assert (found.name, found.description) == ("Hypoxia up", "From RNA-seq")


def test_an_archived_biomarker_set_is_restored_on_its_page(ada: Caller) -> None:
    browser = signed_in(ada.user)
    browser.post("/biomarker-sets/", {"name": "Hypoxia genes", "target_type": "gene"})
    found = BiomarkerSet.objects.get()
    page = f"/biomarker-sets/{found.uuid}/"
    browser.post(page, {"action": "archive"})
    archived = html(browser.get(page))
    assert 'id="restore-set"' in archived and "Add a biomarker" not in archived

    restored = browser.post(page, {"action": "restore"})

    assert restored.status_code == 302
    assert "Hypoxia genes" in html(browser.get("/biomarker-sets/"))
