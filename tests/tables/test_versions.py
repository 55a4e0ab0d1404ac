"""Versions: every upload is kept, a failed one changes nothing, an old one can come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluto.server.errors import InvalidInput, PermissionDenied
from pluto.server.lab.models import Experiment
from pluto.server.tables.models import Dataset
from pluto.server.tables.services import current_dataset, store_table
from tests.conftest import Caller
from tests.tables.conftest import (
    ASSAY_CSV,
    SAMPLE_CSV,
    Answer,
    answer_of,
    get_table,
    put_table,
    table_path,
)

SAMPLE_V2 = b"sample_id,condition,replicate\nS1,treated,1\nS2,control,2\nS3,control,3\n"


def restore(caller: Caller, experiment: Experiment, kind: str, version: int) -> Answer:
    path = table_path(experiment, kind, f"versions/{version}/restore/")
    return answer_of(caller.client.post(path, HTTP_AUTHORIZATION=f"Token {caller.key}"))


def test_versions_are_listed_oldest_first_with_the_current_one(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV, query="filename=v1.csv")
    put_table(ada, experiment, "sample", b"sample_id\nS1\n")

    answer = get_table(ada, experiment, "sample", suffix="versions/")

    assert answer.status == 200
    assert answer.data["count"] == 2
    items = answer.data["items"]
    assert [(i["version"], i["count"], i["current"]) for i in items] == [
        (1, 3, False),
        (2, 1, True),
    ]
    assert items[0]["created_by"]["email"] == "ada@example.org"
    assert items[0]["filename"] == "v1.csv"
    assert items[0]["created_at"].endswith("Z")


def test_no_versions_yet(ada: Caller, experiment: Experiment) -> None:
    answer = get_table(ada, experiment, "assay", suffix="versions")

    assert answer.data == {"count": 0, "items": []}


def test_restore_makes_an_earlier_version_current(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    put_table(ada, experiment, "sample", SAMPLE_V2)

    answer = restore(ada, experiment, "sample", 1)

    assert answer.status == 200
    assert answer.data == {
        "version": 1,
        "count": 3,
        "headers": ["sample_id", "condition", "replicate"],
    }
    assert get_table(ada, experiment, "sample").data["items"][2]["condition"] == "treated"
    versions = get_table(ada, experiment, "sample", suffix="versions/").data["items"]
    assert [v["current"] for v in versions] == [True, False]


def test_restore_checks_the_samples_still_match(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", b"sample_id\nS1\nS2\n")
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    put_table(ada, experiment, "assay", ASSAY_CSV)

    answer = restore(ada, experiment, "sample", 1)

    assert answer.status == 400
    assert answer.data["details"]["missing_from_sample_data"] == ["S3"]
    assert current_dataset(experiment, "sample").version == 2  # type: ignore[union-attr]


def test_restore_of_a_version_that_does_not_exist(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)

    answer = restore(ada, experiment, "sample", 7)

    assert (answer.status, answer.data["code"]) == (404, "not_found")


def test_a_failed_upload_leaves_the_old_version_current_and_readable(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)
    before = get_table(ada, experiment, "assay", "format=csv")

    failed = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,-5\n")
    after = get_table(ada, experiment, "assay", "format=csv")

    assert failed.status == 400
    assert after.body == before.body
    assert after.headers["etag"] == before.headers["etag"]
    assert Dataset.objects.filter(experiment=experiment).count() == 1


def test_a_sample_mismatch_through_the_service_stores_nothing(
    ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    path = tmp_path / "counts.csv"
    path.write_bytes(b"gene_symbol,S1\nACTB,1\n")

    with pytest.raises(InvalidInput):
        store_table(ada.user, experiment, "assay", path, "counts.csv")

    assert current_dataset(experiment, "assay") is None
    assert not Dataset.objects.filter(experiment=experiment, kind="assay").exists()


def test_store_table_works_without_http(
    ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    path = tmp_path / "samples.tsv"
    path.write_bytes(SAMPLE_CSV.replace(b",", b"\t"))

    dataset = store_table(ada.user, experiment, "sample", path, "samples.tsv")

    assert (dataset.version, dataset.row_count, dataset.source_format) == (1, 3, "tsv")
    assert dataset.columns == ["sample_id", "condition", "replicate"]
    assert len(dataset.sha256) == 64 and dataset.size > 0
    assert current_dataset(experiment, "sample") == dataset


def test_store_table_refuses_someone_who_may_not_edit(
    ada: Caller, bob: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    path = tmp_path / "samples.csv"
    path.write_bytes(SAMPLE_CSV)

    with pytest.raises(PermissionDenied):
        store_table(bob.user, experiment, "sample", path, "samples.csv")
