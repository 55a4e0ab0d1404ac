"""Who sees and changes what, over HTTP: project roles carrying down to experiments,
experiment-only roles, share levels, and what editors and owners may each change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pluto.server.lab.models import (
    Experiment,
    ExperimentMember,
    Project,
    ProjectMember,
)
from tests.conftest import Caller, make_experiment, make_project


@dataclass
class Lab:
    """Ada owns a private project with two experiments; Bob has no role until a test gives one."""

    ada: Caller
    bob: Caller
    project: Project
    first: Experiment
    second: Experiment


@pytest.fixture
def lab(make_caller: Callable[..., Caller]) -> Lab:
    ada, bob = make_caller("ada"), make_caller("bob")
    project = make_project(ada.user, "Shared work")
    first = make_experiment(ada.user, project, "First")
    second = make_experiment(ada.user, project, "Second")
    return Lab(ada, bob, project, first, second)


def status(caller: Caller, method: str, path: str, body: object = None) -> int:
    return int(caller.call(method, path, body).status_code)


def listed(caller: Caller, path: str) -> list[str]:
    data = caller.call("GET", path).data
    assert data["count"] == len(data["items"])
    return [item["pluto_id"] for item in data["items"]]


def new_experiment(project: Project) -> dict[str, str]:
    return {
        "project": project.pluto_id,
        "name": "Added",
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
    }


# --- a project role carries down to its experiments -------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_a_project_role_shows_every_experiment_of_the_project(lab: Lab, role: str) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role=role)
    later = make_experiment(lab.ada.user, lab.project, "Added later")
    ids = [lab.first.pluto_id, lab.second.pluto_id, later.pluto_id]
    assert listed(lab.bob, "/lab/experiments/") == ids
    assert listed(lab.bob, f"/lab/projects/{lab.project.pluto_id}/experiments/") == ids
    assert listed(lab.bob, "/lab/projects/") == [lab.project.pluto_id]
    for experiment in (lab.first, lab.second, later):
        assert status(lab.bob, "GET", f"/lab/experiments/{experiment.uuid}/") == 200


def test_a_project_viewer_cannot_write_to_its_experiments(lab: Lab) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="viewer")
    path = f"/lab/experiments/{lab.first.pluto_id}/"
    response = lab.bob.call("PATCH", path, {"name": "Hijacked"})
    assert response.status_code == 403 and response.data["code"] == "permission_denied"
    assert status(lab.bob, "POST", "/lab/experiments/", new_experiment(lab.project)) == 403
    lab.first.refresh_from_db()
    assert lab.first.name == "First"
    assert Experiment.objects.count() == 2


def test_a_project_editor_edits_its_experiments_and_adds_new_ones(lab: Lab) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="editor")
    path = f"/lab/experiments/{lab.first.pluto_id}/"
    response = lab.bob.call("PATCH", path, {"name": "Edited", "description": "By Bob"})
    assert response.status_code == 200
    assert (response.data["name"], response.data["description"]) == ("Edited", "By Bob")
    assert status(lab.bob, "PATCH", path, {"share_level": "public"}) == 403
    assert status(lab.bob, "PATCH", path, {"is_archived": True}) == 403
    # An experiment Bob creates is his to own, share and archive.
    created = lab.bob.call("POST", "/lab/experiments/", new_experiment(lab.project))
    assert created.status_code == 201
    assert created.data["experiment_owner"]["email"] == "bob@example.org"
    own_path = f"/lab/experiments/{created.data['pluto_id']}/"
    assert status(lab.bob, "PATCH", own_path, {"is_archived": True}) == 200
    # The project owner's role carries down to Bob's experiment too.
    assert status(lab.ada, "PATCH", own_path, {"share_level": "shareable"}) == 200


def test_losing_the_project_role_ends_access_to_its_experiments(lab: Lab) -> None:
    membership = ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="editor")
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 200
    response = lab.ada.call(
        "DELETE", f"/lab/projects/{lab.project.pluto_id}/members/{lab.bob.user.uuid}/"
    )
    assert response.status_code == 204
    assert not ProjectMember.objects.filter(pk=membership.pk).exists()
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 404
    assert listed(lab.bob, "/lab/experiments/") == []


# --- an experiment role covers that experiment only -------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_experiment_only_membership_gives_access_to_that_experiment_only(
    lab: Lab, role: str
) -> None:
    response = lab.ada.call(
        "POST",
        f"/lab/experiments/{lab.first.pluto_id}/members/",
        {"email": "bob@example.org", "role": role},
    )
    assert response.status_code == 201
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 200
    assert listed(lab.bob, "/lab/experiments/") == [lab.first.pluto_id]
    # Not the sibling experiment, and not the project.
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.second.pluto_id}/") == 404
    assert (
        status(lab.bob, "PATCH", f"/lab/experiments/{lab.second.pluto_id}/", {"name": "x"}) == 404
    )
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/") == 404
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/experiments/") == 404
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/members/") == 404
    assert listed(lab.bob, "/lab/projects/") == []
    assert status(lab.bob, "POST", "/lab/experiments/", new_experiment(lab.project)) == 404
    # Writing follows the experiment role.
    expected = 403 if role == "viewer" else 200
    assert status(lab.bob, "PATCH", f"/lab/experiments/{lab.first.pluto_id}/", {"name": "B"}) == (
        expected
    )


def test_the_higher_of_project_and_experiment_role_wins(lab: Lab) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="viewer")
    ExperimentMember.objects.create(experiment=lab.first, user=lab.bob.user, role="editor")
    assert status(lab.bob, "PATCH", f"/lab/experiments/{lab.first.pluto_id}/", {"name": "x"}) == 200
    assert (
        status(lab.bob, "PATCH", f"/lab/experiments/{lab.second.pluto_id}/", {"name": "x"}) == 403
    )
    assert status(lab.bob, "PATCH", f"/lab/projects/{lab.project.pluto_id}/", {"name": "x"}) == 403


# --- share levels -------------------------------------------------------------------------------


def test_a_public_project_is_visible_to_every_user_but_writable_by_none(
    lab: Lab, make_caller: Callable[..., Caller]
) -> None:
    response = lab.ada.call(
        "PATCH", f"/lab/projects/{lab.project.pluto_id}/", {"share_level": "public"}
    )
    assert response.status_code == 200
    for outsider in (lab.bob, make_caller("cy")):
        assert listed(outsider, "/lab/projects/") == [lab.project.pluto_id]
        assert status(outsider, "GET", f"/lab/projects/{lab.project.uuid}/") == 200
        experiments = [lab.first.pluto_id, lab.second.pluto_id]
        assert listed(outsider, "/lab/experiments/") == experiments
        assert listed(outsider, f"/lab/projects/{lab.project.pluto_id}/experiments/") == experiments
        assert status(outsider, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 200
        # ...but not writable.
        project_path = f"/lab/projects/{lab.project.pluto_id}/"
        assert status(outsider, "PATCH", project_path, {"name": "x"}) == 403
        experiment_path = f"/lab/experiments/{lab.first.pluto_id}/"
        assert status(outsider, "PATCH", experiment_path, {"name": "x"}) == 403
        assert status(outsider, "POST", "/lab/experiments/", new_experiment(lab.project)) == 403
        invite = {"email": outsider.user.email, "role": "owner"}
        assert status(outsider, "POST", project_path + "members/", invite) == 403
    lab.project.refresh_from_db()
    assert lab.project.name == "Shared work"
    assert list(lab.project.memberships.values_list("user__email", flat=True)) == [
        "ada@example.org"
    ]


def test_a_public_experiment_in_a_private_project_shows_only_the_experiment(lab: Lab) -> None:
    path = f"/lab/experiments/{lab.second.pluto_id}/"
    assert status(lab.ada, "PATCH", path, {"share_level": "public"}) == 200
    assert status(lab.bob, "GET", path) == 200
    assert listed(lab.bob, "/lab/experiments/") == [lab.second.pluto_id]
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 404
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/") == 404
    assert listed(lab.bob, "/lab/projects/") == []
    assert status(lab.bob, "PATCH", path, {"name": "x"}) == 403
    # Making it private again hides it at once.
    assert status(lab.ada, "PATCH", path, {"share_level": "private"}) == 200
    assert status(lab.bob, "GET", path) == 404
    assert listed(lab.bob, "/lab/experiments/") == []


@pytest.mark.parametrize("level", ["private", "shareable"])
def test_private_and_shareable_objects_stay_hidden_from_non_members(lab: Lab, level: str) -> None:
    Project.objects.filter(pk=lab.project.pk).update(share_level=level)
    Experiment.objects.filter(pk=lab.first.pk).update(share_level=level)
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/") == 404
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 404
    assert listed(lab.bob, "/lab/projects/") == []
    assert listed(lab.bob, "/lab/experiments/") == []


def test_archived_objects_stay_visible_to_members(lab: Lab) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="viewer")
    Project.objects.filter(pk=lab.project.pk).update(is_archived=True)
    Experiment.objects.filter(pk=lab.first.pk).update(is_archived=True)
    assert status(lab.bob, "GET", f"/lab/projects/{lab.project.pluto_id}/") == 200
    assert status(lab.bob, "GET", f"/lab/experiments/{lab.first.pluto_id}/") == 200
    assert listed(lab.bob, "/lab/experiments/?is_archived=true") == [lab.first.pluto_id]
    assert listed(lab.bob, "/lab/projects/?is_archived=false") == []


# --- editors and owners -------------------------------------------------------------------------


def test_project_editors_edit_name_and_description_only_owners_share_and_archive(
    lab: Lab,
) -> None:
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="editor")
    path = f"/lab/projects/{lab.project.pluto_id}/"
    edited = lab.bob.call("PATCH", path, {"name": "Renamed", "description": "Notes"})
    assert edited.status_code == 200
    assert (edited.data["name"], edited.data["description"]) == ("Renamed", "Notes")
    for body in (
        {"share_level": "public"},
        {"is_archived": True},
        {"name": "Sneaky", "share_level": "public"},
        {"description": "Sneaky", "is_archived": False},
    ):
        response = lab.bob.call("PATCH", path, body)
        assert response.status_code == 403, body
        assert response.data["code"] == "permission_denied"
    lab.project.refresh_from_db()
    assert (lab.project.name, lab.project.description) == ("Renamed", "Notes")
    assert (lab.project.share_level, lab.project.is_archived) == ("private", False)
    # The owner may do all of it.
    response = lab.ada.call("PATCH", path, {"share_level": "shareable", "is_archived": True})
    assert response.status_code == 200
    assert (response.data["share_level"], response.data["is_archived"]) == ("shareable", True)


def test_experiment_editors_edit_descriptive_fields_only_owners_share_archive_or_move(
    lab: Lab,
) -> None:
    ExperimentMember.objects.create(experiment=lab.first, user=lab.bob.user, role="editor")
    bobs_project = make_project(lab.bob.user, "Bob's own")
    path = f"/lab/experiments/{lab.first.pluto_id}/"
    body = {"name": "Renamed", "description": "Notes", "type": "atacseq", "organism": "mouse"}
    edited = lab.bob.call("PATCH", path, {**body, "assay_data_units": "tpm"})
    assert edited.status_code == 200
    assert edited.data["type"]["shortname"] == "atacseq"
    for refused in (
        {"share_level": "public"},
        {"is_archived": True},
        {"project": bobs_project.pluto_id},
        {"name": "Sneaky", "is_archived": True},
    ):
        response = lab.bob.call("PATCH", path, refused)
        assert response.status_code == 403, refused
        assert response.data["code"] == "permission_denied"
    lab.first.refresh_from_db()
    assert lab.first.name == "Renamed"
    assert (lab.first.share_level, lab.first.is_archived) == ("private", False)
    assert lab.first.project == lab.project


def test_a_viewer_sees_but_the_answer_to_a_write_is_403_not_404(lab: Lab) -> None:
    """Visible but not allowed is 403; only invisible is 404."""
    ProjectMember.objects.create(project=lab.project, user=lab.bob.user, role="viewer")
    response = lab.bob.call("PATCH", f"/lab/projects/{lab.project.pluto_id}/", {"name": "x"})
    assert response.status_code == 403
    assert "editor" in response.data["message"]
