"""Search over HTTP: what matches, in which order, and only what the caller may see."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.lab.models import Experiment, Project
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import put_table

SAMPLES = b"sample_id,cell_line,treatment\nS1,HeLa,vorinostat\nS2,K562,control\n"
OTHER_SAMPLES = b"sample_id,cell_line,treatment\nS1,MCF7,control\nS2,MCF7,control\n"


@pytest.fixture
def atlas(ada: Caller) -> Project:
    return make_project(ada.user, "Tumour atlas", description="Solid tumours of the liver")


@pytest.fixture
def bulk(ada: Caller, atlas: Project) -> Experiment:
    return make_experiment(ada.user, atlas, "Bulk RNA-seq of liver biopsies")


def search(caller: Caller, query: str = "", **params: Any) -> Any:
    """``GET /lab/search/`` with these parameters."""
    from urllib.parse import urlencode

    return caller.call("GET", "/lab/search/?" + urlencode({"query": query, **params}))


def uuids(response: Any) -> list[str]:
    return [item["uuid"] for item in response.data["items"]]


def test_an_experiment_is_found_by_a_word_of_its_name(ada: Caller, bulk: Experiment) -> None:
    response = search(ada, "biopsies")

    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.data["items"][0]
    assert item["type"] == "experiment"
    assert (item["uuid"], item["pluto_id"], item["name"]) == (
        str(bulk.uuid),
        bulk.pluto_id,
        bulk.name,
    )
    assert item["project"]["pluto_id"] == bulk.project.pluto_id
    assert "name" in item["matched"]


def test_an_experiment_is_found_by_its_pluto_id(ada: Caller, bulk: Experiment) -> None:
    response = search(ada, bulk.pluto_id)

    assert uuids(response) == [str(bulk.uuid)]
    assert "pluto_id" in response.data["items"][0]["matched"]


def test_an_experiment_is_found_by_a_value_of_its_sample_table(
    ada: Caller, bulk: Experiment, atlas: Project
) -> None:
    other = make_experiment(ada.user, atlas, "Second batch")
    put_table(ada, bulk, "sample", SAMPLES)
    put_table(ada, other, "sample", OTHER_SAMPLES)

    response = search(ada, "vorinostat")

    assert uuids(response) == [str(bulk.uuid)]
    assert response.data["items"][0]["matched"] == ["samples"]


def test_a_new_sample_table_version_replaces_the_searchable_values(
    ada: Caller, bulk: Experiment
) -> None:
    put_table(ada, bulk, "sample", SAMPLES)
    put_table(ada, bulk, "sample", OTHER_SAMPLES)

    assert search(ada, "vorinostat").data["count"] == 0
    assert uuids(search(ada, "MCF7")) == [str(bulk.uuid)]


def test_restoring_a_sample_table_version_restores_its_values(
    ada: Caller, bulk: Experiment
) -> None:
    put_table(ada, bulk, "sample", SAMPLES)
    put_table(ada, bulk, "sample", OTHER_SAMPLES)

    restored = ada.call("POST", f"/lab/experiments/{bulk.pluto_id}/sample-data/versions/1/restore/")

    assert restored.status_code == 200, restored.data
    assert uuids(search(ada, "vorinostat")) == [str(bulk.uuid)]


def test_every_word_must_match_somewhere(ada: Caller, bulk: Experiment) -> None:
    put_table(ada, bulk, "sample", SAMPLES)

    assert uuids(search(ada, "liver HeLa")) == [str(bulk.uuid)]
    assert search(ada, "liver zebrafish").data["count"] == 0


def test_a_match_in_the_name_ranks_above_one_in_the_description(
    ada: Caller, atlas: Project
) -> None:
    described = make_experiment(ada.user, atlas, "Batch one", description="Organoid cultures")
    named = make_experiment(ada.user, atlas, "Organoid screen")
    in_samples = make_experiment(ada.user, atlas, "Batch two")
    put_table(ada, in_samples, "sample", b"sample_id,model\nS1,organoid\n")

    response = search(ada, "organoid")

    assert uuids(response) == [str(named.uuid), str(described.uuid), str(in_samples.uuid)]


def test_projects_are_searched_with_type_projects(
    ada: Caller, atlas: Project, bulk: Experiment
) -> None:
    response = search(ada, "tumours", type="projects")

    assert response.status_code == 200
    assert uuids(response) == [str(atlas.uuid)]
    item = response.data["items"][0]
    assert (item["type"], item["pluto_id"], item["description"]) == (
        "project",
        atlas.pluto_id,
        atlas.description,
    )


def test_nothing_the_caller_may_not_see_is_found(
    ada: Caller, bob: Caller, bulk: Experiment
) -> None:
    assert search(bob, "biopsies").data == {"count": 0, "items": []}
    assert search(bob, "atlas", type="projects").data["count"] == 0


def test_a_shared_experiment_is_found_by_its_new_member(
    ada: Caller, bob: Caller, bulk: Experiment
) -> None:
    shared = ada.call(
        "POST",
        f"/lab/experiments/{bulk.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )

    assert shared.status_code in (200, 201), shared.data
    assert uuids(search(bob, "biopsies")) == [str(bulk.uuid)]


def test_access_public_finds_only_public_experiments(
    ada: Caller, bob: Caller, atlas: Project, bulk: Experiment
) -> None:
    public = make_experiment(ada.user, atlas, "Liver cohort", share_level="public")

    assert uuids(search(ada, "liver", access="public")) == [str(public.uuid)]
    assert uuids(search(bob, "liver")) == [str(public.uuid)]
    assert set(uuids(search(ada, "liver", access="shareable"))) == {
        str(public.uuid),
        str(bulk.uuid),
    }


def test_archived_experiments_are_not_found(ada: Caller, bulk: Experiment) -> None:
    bulk.is_archived = True
    bulk.save()

    assert search(ada, "biopsies").data["count"] == 0


def test_results_come_a_page_at_a_time(ada: Caller, atlas: Project) -> None:
    made = [make_experiment(ada.user, atlas, f"Screen {n}") for n in range(30)]

    first = search(ada, "screen")
    second = search(ada, "screen", offset=24, limit=24)

    assert first.data["count"] == 30 and len(first.data["items"]) == 24
    assert len(second.data["items"]) == 6
    assert set(uuids(first)) | set(uuids(second)) == {str(e.uuid) for e in made}


@pytest.mark.parametrize(
    "field, value", [("type", "plots"), ("access", "everyone"), ("access", ""), ("type", "")]
)
def test_an_unknown_type_or_access_is_refused_naming_the_field(
    ada: Caller, field: str, value: str
) -> None:
    response = search(ada, "liver", **{field: value})

    assert response.status_code == 400
    assert response.data["details"]["field"] == field
    assert f"'{field}'" in response.data["message"]


def test_a_search_without_words_is_refused_naming_query(ada: Caller) -> None:
    response = search(ada, "   ")

    assert response.status_code == 400
    assert response.data["details"] == {"field": "query"}


def test_a_bad_limit_is_refused_naming_it(ada: Caller) -> None:
    response = search(ada, "liver", limit="many")

    assert response.status_code == 400
    assert response.data["details"]["field"] == "limit"


def test_punctuation_in_a_query_is_no_error(ada: Caller, bulk: Experiment) -> None:
    response = search(ada, "liver & (biopsies):* !'")

    assert response.status_code == 200


def test_search_needs_a_token(client: Any, bulk: Experiment) -> None:
    response = client.get("/lab/search/?query=liver")

    assert response.status_code == 401
