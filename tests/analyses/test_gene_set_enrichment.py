"""Gene set collections (GMT uploads) and gene set enrichment from a differential expression."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from pluto.server.analyses.models import Analysis, GeneSetCollection
from pluto.server.analyses.sources import collection_gene_sets
from tests.analyses.conftest import (
    DE_REQUEST,
    GSEA_COLUMNS,
    CountData,
    exp_path,
    get,
    post_analysis,
    start_and_run,
)
from tests.conftest import Caller

COLLECTIONS = "/lab/gene-set-collections/"


def gmt_of(data: CountData) -> bytes:
    """Three sets over the generated genes: the up genes, the down genes, unchanged genes."""
    unchanged = data.genes[100:130]
    lines = [
        ["TREATMENT_UP", "genes raised by treatment", *data.up],
        ["TREATMENT_DOWN", "genes lowered by treatment", *data.down],
        ["HOUSEKEEPING", "", *unchanged],
    ]
    return ("\n".join("\t".join(line) for line in lines) + "\n").encode()


def upload_collection(caller: Caller, content: bytes, shortname: str = "treatment") -> Any:
    """``POST lab/gene-set-collections/`` as a multipart form with the GMT ``file``."""
    form = {
        "file": SimpleUploadedFile("sets.gmt", content, content_type="text/plain"),
        "shortname": shortname,
        "name": "Treatment signatures",
    }
    response = caller.client.post(COLLECTIONS, data=form, HTTP_AUTHORIZATION=f"Token {caller.key}")
    response.data = response.json()
    return response


def gsea_request(analysis_id: str, collection: str = "treatment", **more: Any) -> dict[str, Any]:
    """A gene set enrichment request on a DE analysis."""
    parameters = {"differential_expression_id": analysis_id, "gene_set_collection": collection}
    return {"analysis_type": "gene_set_enrichment", "parameters": {**parameters, **more}}


def test_uploaded_collections_are_listed(ada: Caller, bob: Caller, data: CountData) -> None:
    created = upload_collection(ada, gmt_of(data))

    listed = bob.call("GET", COLLECTIONS)

    assert created.status_code == 201, created.data
    assert created.data["shortname"] == "treatment"
    assert created.data["name"] == "Treatment signatures"
    assert created.data["set_count"] == 3
    assert created.data["gene_count"] == 70
    assert listed.status_code == 200
    assert "treatment" in [item["shortname"] for item in listed.data["items"]]
    assert listed.data["count"] == len(listed.data["items"])


def test_a_collection_short_name_is_taken_once(ada: Caller, data: CountData) -> None:
    upload_collection(ada, gmt_of(data))

    again = upload_collection(ada, b"OTHER\tdesc\tGENE1\tGENE2\n")

    assert again.status_code == 400
    assert again.data["details"]["field"] == "shortname"
    assert list(collection_gene_sets("treatment", "gene_set_collection").gene_sets) == [
        "TREATMENT_UP",
        "TREATMENT_DOWN",
        "HOUSEKEEPING",
    ]


def test_the_collection_shipped_with_pluto_is_listed(ada: Caller) -> None:
    listed = ada.call("GET", COLLECTIONS).data

    shipped = {item["shortname"]: item for item in listed["items"]}
    assert "go_biological_process_2023" in shipped
    assert shipped["go_biological_process_2023"]["set_count"] > 5000


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"GOOD\tdesc\tA\tB\nBROKEN LINE WITH SPACES\n", "Line 2"),
        (b"GOOD\tdesc\tA\nGOOD\tagain\tB\n", "Line 2"),
        (b"FIRST\tdesc\tA\n\nEMPTY\tdesc\t\t\n", "Line 3"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_a_bad_gmt_file_is_refused_naming_the_line(ada: Caller, content: bytes, line: str) -> None:
    refused = upload_collection(ada, content)

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"
    assert line in refused.data["message"]
    assert refused.data["details"]["field"] == "file"
    assert not GeneSetCollection.objects.filter(shortname="treatment").exists()


def test_a_collection_name_with_a_nul_character_is_400_on_any_database(ada: Caller) -> None:
    response = ada.client.post(
        f"{COLLECTIONS}?shortname=nul&name=a%00b",
        data=b"SET\tdesc\tGENE1\tGENE2\n",
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert response.status_code == 400
    assert response.json()["details"]["field"] == "name"
    assert not GeneSetCollection.objects.filter(shortname="nul").exists()


def big_gmt(size: int) -> bytes:
    """A valid GMT file of at least ``size`` bytes: many sets over made-up genes."""
    line = "\t".join(f"GENE{g}" for g in range(400))
    count = size // len(line) + 1
    return "".join(f"SET_{i}\tset {i}\t{line}\n" for i in range(count)).encode()


def post_raw_gmt(caller: Caller, content: bytes, content_type: str) -> Any:
    """``POST lab/gene-set-collections/?shortname=big`` with the file as the raw body."""
    response = caller.client.post(
        f"{COLLECTIONS}?shortname=big&name=Big",
        data=content,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )
    response.data = response.json()
    return response


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_raw_gmt_body_larger_than_json_bodies_is_accepted(ada: Caller, content_type: str) -> None:
    """A raw GMT body may be up to 50 MB, beyond the limit of JSON and form bodies."""
    content = big_gmt(3 * 1024 * 1024)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024):
        created = post_raw_gmt(ada, content, content_type)

    assert created.status_code == 201, created.data
    assert created.data["set_count"] == content.count(b"\n")


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=xx"])
def test_a_gmt_body_over_50_mb_is_413_naming_the_limit(ada: Caller, content_type: str) -> None:
    refused = post_raw_gmt(ada, b"x" * (50 * 1024 * 1024 + 1), content_type)

    assert refused.status_code == 413
    assert refused.data["code"] == "payload_too_large"
    assert refused.data["details"]["limit"] == 50 * 1024 * 1024
    assert not GeneSetCollection.objects.filter(shortname="big").exists()


def test_a_bad_short_name_is_refused(ada: Caller, data: CountData) -> None:
    refused = upload_collection(ada, gmt_of(data), shortname="Not OK!")

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "shortname"


def test_enrichment_finds_the_treatment_sets(
    ada: Caller, experiment: Any, data: CountData, completed_de: dict[str, Any]
) -> None:
    upload_collection(ada, gmt_of(data))

    analysis = start_and_run(ada, experiment, gsea_request(completed_de["uuid"]))
    base = exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")
    page = get(ada, base + "data/").data
    figure = ada.call("GET", base + "figure/")
    svg = get(ada, base + "image.svg/")

    assert analysis["status"] == "complete", analysis["message"]
    assert analysis["parameters"]["rank_by"] == "fold_change"
    assert analysis["parameters"]["min_size"] == 15
    assert "GSEApy" in analysis["methods"] or "gseapy" in analysis["methods"]
    assert page["headers"] == GSEA_COLUMNS
    rows = {row["Gene_Set_Shortname"]: row for row in page["items"]}
    assert set(rows) == {"TREATMENT_UP", "TREATMENT_DOWN", "HOUSEKEEPING"}
    assert all(value is not None for row in page["items"] for value in row.values())
    assert rows["TREATMENT_UP"]["NES"] > 0 > rows["TREATMENT_DOWN"]["NES"]
    assert rows["TREATMENT_UP"]["Size"] == len(data.up)
    assert rows["TREATMENT_UP"]["Adj_P_Value"] < 0.05
    assert set(rows["TREATMENT_UP"]["Leading_Edge"].split(";")) <= set(data.up)
    assert figure.status_code == 200 and figure.data["data"][0]["type"] == "bar"
    assert set(figure.data["data"][0]["y"]) == {row["Gene_Set_Name"] for row in page["items"]}
    assert svg.status == 200 and b"<svg" in svg.body[:2000]


def test_enrichment_needs_a_known_collection(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    refused = post_analysis(ada, experiment, gsea_request(completed_de["uuid"], "hallmark"))

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.gene_set_collection"
    assert "hallmark" in refused.data["message"]


def test_enrichment_needs_an_existing_differential_expression(
    ada: Caller, experiment: Any, data: CountData
) -> None:
    upload_collection(ada, gmt_of(data))

    missing = post_analysis(ada, experiment, gsea_request("0b5f4c1e-6f0c-4b55-9d39-2a8a3c1f0e11"))
    malformed = post_analysis(ada, experiment, gsea_request("de-1"))

    for refused in (missing, malformed):
        assert refused.status_code == 400
        assert refused.data["details"]["field"] == "parameters.differential_expression_id"


def test_enrichment_needs_a_completed_differential_expression(
    ada: Caller, experiment: Any, data: CountData
) -> None:
    upload_collection(ada, gmt_of(data))
    pending = post_analysis(ada, experiment, DE_REQUEST).data

    refused = post_analysis(ada, experiment, gsea_request(pending["uuid"]))

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.differential_expression_id"
    assert Analysis.objects.count() == 1


def test_enrichment_refuses_a_non_de_analysis(
    ada: Caller, experiment: Any, data: CountData
) -> None:
    upload_collection(ada, gmt_of(data))
    pca = start_and_run(ada, experiment, {"analysis_type": "principal_components"})

    refused = post_analysis(ada, experiment, gsea_request(pca["uuid"]))

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.differential_expression_id"


def test_enrichment_refuses_sizes_no_set_fits(
    ada: Caller, experiment: Any, data: CountData, completed_de: dict[str, Any]
) -> None:
    upload_collection(ada, gmt_of(data))

    refused = post_analysis(ada, experiment, gsea_request(completed_de["uuid"], min_size=100))

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.min_size"


def test_collections_need_a_signed_in_caller(data: CountData) -> None:
    listed = Client().get(COLLECTIONS)
    uploaded = Client().post(COLLECTIONS, data={"shortname": "x", "file": gmt_of(data)})

    assert listed.status_code == 401
    assert uploaded.status_code == 401
