"""Experiments over HTTP: ``lab/experiments/`` and ``lab/experiments/<id>/``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from pluto.server.lab import services
from pluto.server.lab.models import (
    AssayUnits,
    Experiment,
    ExperimentType,
    Organism,
    Project,
    ProjectMember,
)
from tests.conftest import Caller, make_experiment, make_project

EXPERIMENT_FIELDS = {
    "uuid",
    "pluto_id",
    "name",
    "description",
    "project",
    "organism",
    "type",
    "assay_data_units",
    "share_level",
    "status",
    "plot_count",
    "experiment_owner",
    "created_by",
    "is_archived",
    "created_at",
}
STATUSES = {"draft", "pending", "pending_complete", "complete", "failed"}


def user_shape(user: Any) -> dict[str, str]:
    return {
        "uuid": str(user.uuid),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
    }


def assert_experiment_shape(data: dict[str, Any], experiment: Experiment) -> None:
    """Every field API.md requires, with the stored values and the nested shapes."""
    assert set(data) >= EXPERIMENT_FIELDS
    assert "code" not in data
    experiment.refresh_from_db()
    project = experiment.project
    assert data["uuid"] == str(experiment.uuid)
    assert data["pluto_id"] == experiment.pluto_id
    assert data["name"] == experiment.name
    assert data["description"] == experiment.description
    assert data["project"] == {
        "uuid": str(project.uuid),
        "pluto_id": project.pluto_id,
        "name": project.name,
    }
    assert data["organism"] == {
        "shortname": experiment.organism.shortname,
        "display_name": experiment.organism.display_name,
    }
    assert data["type"] == {
        "shortname": experiment.type.shortname,
        "display_name": experiment.type.display_name,
    }
    assert data["assay_data_units"]["units"]["shortname"] == experiment.assay_units.shortname
    assert data["share_level"] == experiment.share_level
    assert data["status"] == experiment.status and data["status"] in STATUSES
    assert isinstance(data["plot_count"], int)
    assert data["experiment_owner"] == user_shape(experiment.owner)
    assert data["created_by"] == user_shape(experiment.created_by)
    assert data["is_archived"] is experiment.is_archived
    moment = datetime.fromisoformat(data["created_at"])
    assert moment == experiment.created_at and moment.tzinfo is not None
    assert data["created_at"][:10] == moment.date().isoformat()


def new_experiment(project: Project | str, **fields: Any) -> dict[str, Any]:
    ident = project if isinstance(project, str) else project.pluto_id
    return {
        "project": ident,
        "name": "Bulk RNA-seq",
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
        **fields,
    }


# --- create ---------------------------------------------------------------------------------


def test_create_experiment_answers_201_with_the_experiment(ada: Caller) -> None:
    project = make_project(ada.user)
    body = new_experiment(
        project,
        name=" Knock-down ",
        description="siRNA vs scrambled",
        type="atacseq",
        organism="mouse",
        assay_data_units="tpm",
        share_level="shareable",
    )
    response = ada.call("POST", "/lab/experiments/", body)
    assert response.status_code == 201, response.content
    experiment = Experiment.objects.get(uuid=response.data["uuid"])
    assert_experiment_shape(response.data, experiment)
    assert response.data["name"] == "Knock-down"
    assert response.data["type"] == {"shortname": "atacseq", "display_name": "ATAC-seq"}
    assert response.data["organism"] == {"shortname": "mouse", "display_name": "Mouse"}
    assert response.data["assay_data_units"]["units"]["shortname"] == "tpm"
    assert response.data["share_level"] == "shareable"
    assert response.data["status"] == "draft"
    assert response.data["plot_count"] == 0
    assert response.data["experiment_owner"] == response.data["created_by"] == user_shape(ada.user)
    assert list(experiment.memberships.values_list("user__email", "role")) == [
        ("ada@example.org", "owner")
    ]
    counted = ada.call("GET", f"/lab/projects/{project.pluto_id}/").data["experiments_count"]
    assert counted == 1


def test_create_experiment_with_the_project_uuid_and_units_in_the_read_shape(
    ada: Caller,
) -> None:
    project = make_project(ada.user)
    body = new_experiment(str(project.uuid), assay_data_units={"units": {"shortname": "fpkm"}})
    response = ada.call("POST", "/lab/experiments", body)
    assert response.status_code == 201
    assert response.data["project"]["pluto_id"] == project.pluto_id
    assert response.data["assay_data_units"]["units"]["shortname"] == "fpkm"


@pytest.mark.parametrize("missing", ["project", "name", "type", "organism", "assay_data_units"])
def test_each_required_field_is_required(ada: Caller, missing: str) -> None:
    body = new_experiment(make_project(ada.user))
    del body[missing]
    response = ada.call("POST", "/lab/experiments/", body)
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == missing
    assert missing in response.data["message"]
    assert not Experiment.objects.exists()


@pytest.mark.parametrize(
    ("field", "model", "some_allowed"),
    [
        ("type", ExperimentType, ["rnaseq", "cutandrun", "atacseq", "chipseq", "proteomics"]),
        ("organism", Organism, ["human", "mouse", "rat", "zebrafish", "fly"]),
        ("assay_data_units", AssayUnits, ["raw_counts", "expected_counts", "tpm", "rpkm"]),
    ],
)
@pytest.mark.parametrize("bad", ["nonsense", "RNASEQ", "", 3, None])
def test_invalid_reference_values_are_400_listing_the_allowed_values(
    ada: Caller, field: str, model: Any, some_allowed: list[str], bad: Any
) -> None:
    response = ada.call(
        "POST", "/lab/experiments/", new_experiment(make_project(ada.user), **{field: bad})
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == field
    allowed = response.data["details"]["allowed"]
    assert sorted(allowed) == sorted(model.objects.values_list("shortname", flat=True))
    for name in some_allowed:
        assert name in allowed and name in response.data["message"]
    assert not Experiment.objects.exists()


def test_the_fpkm_and_fly_and_cutandrun_references_exist(ada: Caller) -> None:
    body = new_experiment(
        make_project(ada.user), type="cutandrun", organism="fly", assay_data_units="fpkm"
    )
    assert ada.call("POST", "/lab/experiments/", body).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": 1}, "description"),
        ({"share_level": "open"}, "share_level"),
        ({"project": 12}, "project"),
    ],
)
def test_create_with_bad_values_is_400_naming_the_field(
    ada: Caller, fields: dict[str, Any], field: str
) -> None:
    body = {**new_experiment(make_project(ada.user)), **fields}
    response = ada.call("POST", "/lab/experiments/", body)
    assert response.status_code == 400
    assert response.data["details"]["field"] == field
    assert not Experiment.objects.exists()


@pytest.mark.parametrize("extra", [{"status": "complete"}, {"is_archived": True}, {"x": 1}])
def test_unknown_fields_on_create_are_400_naming_them(ada: Caller, extra: dict[str, Any]) -> None:
    response = ada.call(
        "POST", "/lab/experiments/", new_experiment(make_project(ada.user), **extra)
    )
    assert response.status_code == 400
    assert response.data["details"]["fields"] == sorted(extra)
    assert next(iter(extra)) in response.data["message"]
    assert not Experiment.objects.exists()


def test_create_in_a_missing_project_is_404(ada: Caller) -> None:
    response = ada.call("POST", "/lab/experiments/", new_experiment("PLXP99999"))
    assert response.status_code == 404 and response.data["code"] == "not_found"


def test_create_with_a_malformed_project_id_is_400_invalid_object_id(ada: Caller) -> None:
    response = ada.call("POST", "/lab/experiments/", new_experiment("project-one"))
    assert response.status_code == 400 and response.data["code"] == "invalid_object_id"


# --- public ids -----------------------------------------------------------------------------


def test_experiment_ids_are_allocated_sequentially_and_skip_taken_ones(ada: Caller) -> None:
    project = make_project(ada.user)
    services.create_experiment(ada.user, new_experiment(project), pluto_id="PLX100002")
    made = [
        ada.call("POST", "/lab/experiments/", new_experiment(project, name=f"E{i}")).data[
            "pluto_id"
        ]
        for i in range(3)
    ]
    assert made == ["PLX100001", "PLX100003", "PLX100004"]


# --- read -----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["pluto_id", "uuid", "lower-case pluto_id"])
def test_get_experiment_by_public_id_or_uuid(ada: Caller, by: str) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), description="About it")
    ident = {"pluto_id": experiment.pluto_id, "uuid": str(experiment.uuid)}.get(
        by, experiment.pluto_id.lower()
    )
    response = ada.call("GET", f"/lab/experiments/{ident}/")
    assert response.status_code == 200
    assert_experiment_shape(response.data, experiment)


def test_list_experiments_shape_and_only_visible_ones(ada: Caller, bob: Caller) -> None:
    mine = make_experiment(ada.user, make_project(ada.user))
    make_experiment(bob.user, make_project(bob.user), "Bob's")
    data = ada.call("GET", "/lab/experiments/").data
    assert set(data) == {"count", "items"} and data["count"] == 1
    assert_experiment_shape(data["items"][0], mine)
    in_project = ada.call("GET", f"/lab/projects/{mine.project.pluto_id}/experiments/").data
    assert set(in_project) == {"count", "items"} and in_project["count"] == 1
    assert_experiment_shape(in_project["items"][0], mine)


def test_experiment_lists_are_ordered_by_creation_time_then_id(ada: Caller) -> None:
    project = make_project(ada.user)
    made = [make_experiment(ada.user, project, f"E{i}") for i in range(4)]
    moment = timezone.now()
    offsets = [0, 1, 0, 2]  # days before now: ties broken by id
    for experiment, days in zip(made, offsets, strict=True):
        Experiment.objects.filter(pk=experiment.pk).update(created_at=moment - timedelta(days=days))
    expected = [made[3].pluto_id, made[1].pluto_id, made[0].pluto_id, made[2].pluto_id]
    for path in ("/lab/experiments/", f"/lab/projects/{project.pluto_id}/experiments/"):
        for _ in range(2):
            assert [i["pluto_id"] for i in ada.call("GET", path).data["items"]] == expected
        page = ada.call("GET", path + "?offset=1&limit=2").data
        assert page["count"] == 4
        assert [i["pluto_id"] for i in page["items"]] == expected[1:3]


def test_experiments_from_several_projects_in_one_list(ada: Caller) -> None:
    first, second = make_project(ada.user, "A"), make_project(ada.user, "B")
    make_experiment(ada.user, first)
    make_experiment(ada.user, second)
    items = ada.call("GET", "/lab/experiments/").data["items"]
    assert [i["project"]["pluto_id"] for i in items] == [first.pluto_id, second.pluto_id]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["active", "archived"]),
        ("?is_archived=false", ["active"]),
        ("?is_archived=true", ["archived"]),
        ("?is_archived=0", ["active"]),
    ],
)
def test_is_archived_filter_on_experiment_list(ada: Caller, query: str, names: list[str]) -> None:
    project = make_project(ada.user)
    make_experiment(ada.user, project, "active")
    archived = make_experiment(ada.user, project, "archived")
    Experiment.objects.filter(pk=archived.pk).update(is_archived=True)
    data = ada.call("GET", f"/lab/experiments/{query}").data
    assert [item["name"] for item in data["items"]] == names
    assert data["count"] == len(names)


# --- edit -----------------------------------------------------------------------------------


def test_patch_experiment_changes_only_what_is_sent(ada: Caller) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), description="Old")
    response = ada.call(
        "PATCH",
        f"/lab/experiments/{experiment.uuid}/",
        {"name": "Renamed", "type": "chipseq", "organism": "rat", "assay_data_units": "rpkm"},
    )
    assert response.status_code == 200, response.content
    assert_experiment_shape(response.data, experiment)
    assert (experiment.name, experiment.description) == ("Renamed", "Old")
    assert (experiment.type.shortname, experiment.organism.shortname) == ("chipseq", "rat")
    assert experiment.assay_units.shortname == "rpkm"
    response = ada.call(
        "PATCH",
        f"/lab/experiments/{experiment.pluto_id}",
        {"description": "", "share_level": "public", "is_archived": True},
    )
    assert response.status_code == 200
    assert_experiment_shape(response.data, experiment)
    assert (experiment.share_level, experiment.is_archived) == ("public", True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"type": "sequencing"}, "type"),
        ({"organism": "martian"}, "organism"),
        ({"assay_data_units": "furlongs"}, "assay_data_units"),
        ({"share_level": "world"}, "share_level"),
        ({"is_archived": "no"}, "is_archived"),
    ],
)
def test_patch_experiment_with_bad_values_is_400_and_saves_nothing(
    ada: Caller, body: dict[str, Any], field: str
) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), "Unchanged")
    response = ada.call(
        "PATCH", f"/lab/experiments/{experiment.pluto_id}/", {"name": "Changed", **body}
    )
    assert response.status_code == 400
    assert response.data["details"]["field"] == field
    if field in ("type", "organism", "assay_data_units", "share_level"):
        assert response.data["details"]["allowed"]
    experiment.refresh_from_db()
    assert experiment.name == "Unchanged"


def test_patch_experiment_with_unknown_fields_is_400_naming_them(ada: Caller) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), "Unchanged")
    response = ada.call(
        "PATCH", f"/lab/experiments/{experiment.pluto_id}/", {"name": "x", "status": "complete"}
    )
    assert response.status_code == 400
    assert response.data["details"]["fields"] == ["status"]
    experiment.refresh_from_db()
    assert experiment.name == "Unchanged" and experiment.status == "draft"


def test_moving_an_experiment_to_another_project(ada: Caller, bob: Caller) -> None:
    source, target = make_project(ada.user, "Source"), make_project(ada.user, "Target")
    experiment = make_experiment(ada.user, source)
    response = ada.call(
        "PATCH", f"/lab/experiments/{experiment.pluto_id}/", {"project": str(target.uuid)}
    )
    assert response.status_code == 200
    assert response.data["project"]["pluto_id"] == target.pluto_id
    # Not into a project the caller only views, nor into one they cannot see.
    viewed = make_project(bob.user, "Bob's, viewed by Ada")
    ProjectMember.objects.create(project=viewed, user=ada.user, role="viewer")
    hidden = make_project(bob.user, "Bob's, hidden")
    path = f"/lab/experiments/{experiment.pluto_id}/"
    assert ada.call("PATCH", path, {"project": viewed.pluto_id}).status_code == 403
    assert ada.call("PATCH", path, {"project": hidden.pluto_id}).status_code == 404
    experiment.refresh_from_db()
    assert experiment.project == target


def test_units_in_the_read_shape_with_other_keys_are_refused(ada: Caller) -> None:
    project = make_project(ada.user)
    read_shape = {"units": {"shortname": "fpkm", "display_name": "FPKM"}}
    extra = {"units": {"shortname": "fpkm"}, "scale": {}}
    nested_extra = {"units": {"shortname": "fpkm", "scale": "log"}}

    accepted = ada.call(
        "POST", "/lab/experiments/", new_experiment(str(project.uuid), assay_data_units=read_shape)
    )
    refused = [
        ada.call(
            "POST", "/lab/experiments/", new_experiment(str(project.uuid), assay_data_units=units)
        )
        for units in (extra, nested_extra, {"display_name": "FPKM"})
    ]

    assert accepted.status_code == 201
    assert accepted.data["assay_data_units"]["units"]["shortname"] == "fpkm"
    assert [r.status_code for r in refused] == [400, 400, 400]
    assert {r.data["details"]["field"] for r in refused} == {"assay_data_units"}
    assert "unknown key 'scale'" in refused[1].data["message"]
