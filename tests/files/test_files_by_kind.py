"""Files by kind (API.md): every kind of the contract can be asked for, and every raw-count
assay version comes with its counts per million as an ``assay_data_cpm`` file."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.analyses.conftest import count_data, put_csv
from tests.analyses.test_differential_expression import fetch_signed
from tests.conftest import Caller, make_experiment, make_project
from tests.files.conftest import files_path, start_upload

CONTRACT_KINDS = [
    "attachment",
    "external",
    "bam",
    "seurat",
    "qc_report",
    "bigwig",
    "consensus_bed",
    "assay_data_cpm",
    "tpm_gene",
    "tpm_transcript",
    "fastq",
    "qc_table",
]


def counts_csv(counts: dict[str, list[int]], genes: list[str]) -> bytes:
    """An assay table of these sample columns."""
    frame = pd.DataFrame({"gene_symbol": genes, **counts})
    return frame.to_csv(index=False).encode()


def samples_csv(samples: list[str]) -> bytes:
    """A sample table of these samples."""
    return pd.DataFrame({"sample_id": samples, "condition": "a"}).to_csv(index=False).encode()


def cpm_files(caller: Caller, experiment: Experiment) -> list[dict[str, object]]:
    """The ``assay_data_cpm`` group of the experiment's files."""
    answer = caller.call("GET", files_path(experiment, "?data_type=assay_data_cpm"))
    assert answer.status_code == 200, answer.data
    assert list(answer.data) == ["assay_data_cpm"]
    items: list[dict[str, object]] = answer.data["assay_data_cpm"]["items"]
    assert answer.data["assay_data_cpm"]["count"] == len(items)
    return items


def cpm_table(caller: Caller, experiment: Experiment, file_id: object) -> pd.DataFrame:
    """The downloaded CPM file as a frame."""
    link = caller.call("GET", files_path(experiment, f"{file_id}/download/")).data["url"]
    status, body = fetch_signed(link)
    assert status == 200
    return pd.read_csv(io.BytesIO(body))


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """ada's raw-count experiment with a sample table of S1 and S2."""
    created = make_experiment(ada.user, make_project(ada.user))
    put_csv(ada, created, "sample", samples_csv(["S1", "S2"]))
    return created


@pytest.mark.parametrize("kind", CONTRACT_KINDS)
def test_every_contract_kind_answers_its_group_empty_when_there_is_none(
    ada: Caller, experiment: Experiment, kind: str
) -> None:
    answer = ada.call("GET", files_path(experiment, f"?data_type={kind}"))

    group = "attachments" if kind == "attachment" else kind
    assert answer.status_code == 200
    assert answer.data == {group: {"count": 0, "items": []}}


def test_a_kind_outside_the_contract_is_refused_listing_the_kinds(
    ada: Caller, experiment: Experiment
) -> None:
    answer = ada.call("GET", files_path(experiment, "?data_type=vcf"))

    assert answer.status_code == 400
    assert answer.data["details"]["field"] == "data_type"
    assert answer.data["details"]["allowed"] == CONTRACT_KINDS


def test_pipeline_kinds_can_be_uploaded_but_cpm_files_cannot(
    ada: Caller, experiment: Experiment
) -> None:
    bigwig = start_upload(ada, experiment, b"bw", filename="S1.bw", data_type="bigwig")
    cpm = start_upload(ada, experiment, b"x", filename="cpm.csv", data_type="assay_data_cpm")

    assert bigwig.status_code == 201
    assert cpm.status_code == 400
    assert cpm.data["details"]["field"] == "data_type"
    assert "made by Pluto" in cpm.data["message"]


def test_uploading_counts_makes_their_counts_per_million(
    ada: Caller, experiment: Experiment
) -> None:
    counts = {"S1": [10, 30, 60, 0], "S2": [1, 1, 2, 996]}
    put_csv(ada, experiment, "assay", counts_csv(counts, ["A", "B", "C", "D"]))

    files = cpm_files(ada, experiment)
    table = cpm_table(ada, experiment, files[0]["uuid"])

    assert len(files) == 1
    assert files[0]["data_type"] == "assay_data_cpm"
    assert files[0]["filename"] == f"{experiment.pluto_id}_assay_data_cpm_v1.csv"
    assert list(table.columns) == ["gene_symbol", "S1", "S2"]
    assert list(table["gene_symbol"]) == ["A", "B", "C", "D"]
    np.testing.assert_allclose(table["S1"], [1e5, 3e5, 6e5, 0.0], rtol=1e-12)
    np.testing.assert_allclose(table["S2"], [1e3, 1e3, 2e3, 996e3], rtol=1e-12)


def test_cpm_columns_each_sum_to_a_million_on_a_larger_assay(ada: Caller) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user, "Larger"))
    data = count_data(genes=500)
    put_csv(ada, experiment, "sample", data.samples_csv)
    put_csv(ada, experiment, "assay", data.counts_csv)
    counts = pd.read_csv(io.BytesIO(data.counts_csv)).set_index("gene_symbol")

    table = cpm_table(ada, experiment, cpm_files(ada, experiment)[0]["uuid"])

    cpm = table.set_index("gene_symbol")
    np.testing.assert_allclose(cpm.sum(), 1e6, rtol=1e-9)
    np.testing.assert_allclose(cpm, counts / counts.sum() * 1e6, rtol=1e-12)


def test_a_new_version_and_a_restored_one_each_list_their_own_cpm(
    ada: Caller, experiment: Experiment
) -> None:
    put_csv(ada, experiment, "assay", counts_csv({"S1": [1, 3], "S2": [5, 5]}, ["A", "B"]))
    first = cpm_files(ada, experiment)[0]
    put_csv(ada, experiment, "assay", counts_csv({"S1": [1, 1], "S2": [9, 1]}, ["A", "B"]))
    second = cpm_files(ada, experiment)[0]

    restored = ada.call(
        "POST", f"/lab/experiments/{experiment.pluto_id}/assay-data/versions/1/restore/"
    )
    after_restore = cpm_files(ada, experiment)
    table = cpm_table(ada, experiment, after_restore[0]["uuid"])

    assert first["uuid"] != second["uuid"]
    assert second["filename"] == f"{experiment.pluto_id}_assay_data_cpm_v2.csv"
    assert restored.status_code == 200, restored.data
    assert [f["uuid"] for f in after_restore] == [first["uuid"]]
    np.testing.assert_allclose(table["S1"], [0.25e6, 0.75e6], rtol=1e-12)


def test_a_cpm_file_cannot_be_deleted_on_its_own(ada: Caller, experiment: Experiment) -> None:
    put_csv(ada, experiment, "assay", counts_csv({"S1": [1, 2], "S2": [3, 4]}, ["A", "B"]))
    (cpm,) = cpm_files(ada, experiment)

    answer = ada.call("DELETE", files_path(experiment, f"{cpm['uuid']}/"))

    assert answer.status_code == 409
    assert "assay version 1" in answer.data["message"]
    assert [f["uuid"] for f in cpm_files(ada, experiment)] == [cpm["uuid"]]


def test_a_sample_without_reads_has_empty_cpm_cells(ada: Caller, experiment: Experiment) -> None:
    put_csv(ada, experiment, "assay", counts_csv({"S1": [2, 2], "S2": [0, 0]}, ["A", "B"]))

    table = cpm_table(ada, experiment, cpm_files(ada, experiment)[0]["uuid"])

    assert list(table["S1"]) == [5e5, 5e5]
    assert table["S2"].isna().all()


def test_a_refused_assay_upload_leaves_no_cpm_file(ada: Caller, experiment: Experiment) -> None:
    before = set(get_storage_keys())
    bad = counts_csv({"S1": [1, 2], "S3": [1, 2]}, ["A", "B"])
    answer = ada.client.put(
        f"/lab/experiments/{experiment.pluto_id}/assay-data/",
        data=bad,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert answer.status_code == 400
    assert not ExperimentFile.objects.filter(data_type="assay_data_cpm").exists()
    assert set(get_storage_keys()) == before


def test_units_other_than_raw_counts_get_no_cpm_file(ada: Caller) -> None:
    experiment = make_experiment(
        ada.user, make_project(ada.user, "Normalised"), assay_data_units="cpm"
    )
    put_csv(ada, experiment, "sample", samples_csv(["S1", "S2"]))
    put_csv(ada, experiment, "assay", counts_csv({"S1": [1, 2], "S2": [3, 4]}, ["A", "B"]))

    assert cpm_files(ada, experiment) == []


def get_storage_keys() -> list[str]:
    """Every key in the object store."""
    return list(get_storage().listing(""))
