"""Projects over HTTP: ``lab/projects/``, ``lab/projects/<id>/`` and its experiment list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from pluto.server.lab import services
from pluto.server.lab.models import Project
from pluto.server.lab.schemas import Name
from tests.conftest import Caller, make_experiment, make_project

PROJECT_FIELDS = {
    "uuid",
    "pluto_id",
    "name",
    "description",
    "share_level",
    "owner",
    "experiments_count",
    "is_archived",
    "created_at",
}
USER_FIELDS = {"uuid", "first_name", "last_name", "email"}


def assert_iso(value: Any) -> datetime:
    """An ISO 8601 timestamp with a time zone, whose first ten characters are the date."""
    assert isinstance(value, str)
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None
    assert value[:10] == moment.date().isoformat()
    return moment


def assert_project_shape(data: dict[str, Any], project: Project) -> None:
    """Every field API.md requires, with the stored values."""
    assert set(data) >= PROJECT_FIELDS
    assert "code" not in data
    project.refresh_from_db()
    assert data["uuid"] == str(project.uuid)
    assert data["pluto_id"] == project.pluto_id
    assert data["name"] == project.name
    assert data["description"] == project.description
    assert data["share_level"] == project.share_level
    assert data["is_archived"] is project.is_archived
    assert isinstance(data["experiments_count"], int)
    assert data["owner"] == {
        "uuid": str(project.owner.uuid),
        "first_name": project.owner.first_name,
        "last_name": project.owner.last_name,
        "email": project.owner.email,
    }
    assert assert_iso(data["created_at"]) == project.created_at


# --- create ---------------------------------------------------------------------------------


def test_create_project_answers_201_with_the_project(ada: Caller) -> None:
    response = ada.call(
        "POST",
        "/lab/projects/",
        {
            "name": "  Tumour atlas ",
            "description": "Bulk and single cell",
            "share_level": "shareable",
        },
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(uuid=response.data["uuid"])
    assert_project_shape(response.data, project)
    assert response.data["name"] == "Tumour atlas"
    assert response.data["description"] == "Bulk and single cell"
    assert response.data["share_level"] == "shareable"
    assert response.data["experiments_count"] == 0
    assert response.data["is_archived"] is False
    assert project.owner == ada.user and project.created_by == ada.user
    assert list(project.memberships.values_list("user__email", "role")) == [
        ("ada@example.org", "owner")
    ]


def test_create_project_defaults_to_private_and_no_description(ada: Caller) -> None:
    response = ada.call("POST", "/lab/projects/", {"name": "Minimal"})
    assert response.status_code == 201
    assert response.data["share_level"] == "private"
    assert response.data["description"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "description": 7}, "description"),
        ({"name": "ok", "description": "x" * 20_001}, "description"),
    ],
)
def test_create_project_with_bad_values_is_400_naming_the_field(
    ada: Caller, body: dict[str, Any], field: str
) -> None:
    response = ada.call("POST", "/lab/projects/", body)
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == field
    assert field in response.data["message"]
    assert not Project.objects.exists()


@pytest.mark.parametrize("blank", [" ", "\x1f", "\x85", "\u3000", "\t\x1c"])
def test_the_documented_name_type_refuses_every_name_the_server_finds_blank(
    ada: Caller, blank: str
) -> None:
    # The schema's pattern is checked by regex engines that know less whitespace than
    # Python's strip(); the type must refuse what the service would.
    response = ada.call("POST", "/lab/projects/", {"name": blank})

    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python(blank)
    assert response.status_code == 400 and response.data["details"]["field"] == "name"


def test_a_name_of_exactly_200_characters_is_fine(ada: Caller) -> None:
    assert ada.call("POST", "/lab/projects/", {"name": "x" * 200}).status_code == 201


@pytest.mark.parametrize("level", ["secret", "PUBLIC", "", None, 1])
def test_an_invalid_share_level_is_400_listing_the_allowed_values(ada: Caller, level: Any) -> None:
    response = ada.call("POST", "/lab/projects/", {"name": "x", "share_level": level})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == "share_level"
    assert response.data["details"]["allowed"] == ["private", "shareable", "public"]
    for allowed in ("private", "shareable", "public"):
        assert allowed in response.data["message"]


@pytest.mark.parametrize(
    "extra",
    [{"colour": "red"}, {"is_archived": True}, {"owner": "bob@example.org", "pluto_id": "PLXP1"}],
)
def test_unknown_fields_on_create_are_400_naming_them(ada: Caller, extra: dict[str, Any]) -> None:
    response = ada.call("POST", "/lab/projects/", {"name": "x", **extra})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["fields"] == sorted(extra)
    assert response.data["details"]["field"] == sorted(extra)[0]
    for name in extra:
        assert name in response.data["message"]
    assert not Project.objects.exists()


# --- public ids -----------------------------------------------------------------------------


def test_public_ids_are_allocated_sequentially(ada: Caller) -> None:
    made = [
        ada.call("POST", "/lab/projects/", {"name": f"P{i}"}).data["pluto_id"] for i in range(3)
    ]
    assert made == ["PLXP00001", "PLXP00002", "PLXP00003"]


def test_allocation_skips_ids_taken_explicitly(ada: Caller) -> None:
    services.create_project(ada.user, {"name": "Demo"}, pluto_id="PLXP00002")
    services.create_project(ada.user, {"name": "Demo"}, pluto_id="PLXP00003")
    made = [
        ada.call("POST", "/lab/projects/", {"name": f"P{i}"}).data["pluto_id"] for i in range(3)
    ]
    assert made == ["PLXP00001", "PLXP00004", "PLXP00005"]
    ids = list(Project.objects.values_list("pluto_id", flat=True))
    assert len(ids) == len(set(ids)) == 5


def test_public_ids_never_repeat_across_users(make_caller: Callable[..., Caller]) -> None:
    callers = [make_caller(name) for name in ("ada", "bob", "cy")]
    made = [c.call("POST", "/lab/projects/", {"name": "P"}).data["pluto_id"] for c in callers * 2]
    assert len(set(made)) == 6


# --- read -----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["pluto_id", "uuid", "lower-case pluto_id"])
def test_get_project_by_public_id_or_uuid(ada: Caller, by: str) -> None:
    project = make_project(ada.user, description="About tumours")
    make_experiment(ada.user, project)
    ident = {"pluto_id": project.pluto_id, "uuid": str(project.uuid)}.get(
        by, project.pluto_id.lower()
    )
    response = ada.call("GET", f"/lab/projects/{ident}/")
    assert response.status_code == 200
    assert_project_shape(response.data, project)
    assert response.data["experiments_count"] == 1


def test_experiments_count_leaves_out_archived_experiments(ada: Caller) -> None:
    project = make_project(ada.user)
    make_experiment(ada.user, project, "kept")
    archived = make_experiment(ada.user, project, "archived")
    archived.is_archived = True
    archived.save()
    single = ada.call("GET", f"/lab/projects/{project.pluto_id}/").data
    listed = ada.call("GET", "/lab/projects/").data["items"][0]
    assert single["experiments_count"] == listed["experiments_count"] == 1


def test_list_projects_shape_and_only_visible_ones(ada: Caller, bob: Caller) -> None:
    mine = make_project(ada.user, "Mine")
    make_project(bob.user, "Bob's private one")
    response = ada.call("GET", "/lab/projects/")
    assert response.status_code == 200
    assert set(response.data) == {"count", "items"}
    assert response.data["count"] == 1
    assert_project_shape(response.data["items"][0], mine)


def test_list_projects_is_empty_for_a_new_user(ada: Caller) -> None:
    assert ada.call("GET", "/lab/projects/").data == {"count": 0, "items": []}


def test_lists_are_ordered_by_creation_time_then_id(ada: Caller) -> None:
    first, second, third, fourth = (make_project(ada.user, f"P{i}") for i in range(4))
    moment = timezone.now()
    # Creation times out of id order, with a tie broken by id.
    Project.objects.filter(pk=first.pk).update(created_at=moment)
    Project.objects.filter(pk=second.pk).update(created_at=moment - timedelta(days=1))
    Project.objects.filter(pk=third.pk).update(created_at=moment)
    Project.objects.filter(pk=fourth.pk).update(created_at=moment - timedelta(days=2))
    expected = [fourth.pluto_id, second.pluto_id, first.pluto_id, third.pluto_id]
    for _ in range(2):
        items = ada.call("GET", "/lab/projects/").data["items"]
        assert [item["pluto_id"] for item in items] == expected
    page = ada.call("GET", "/lab/projects/?limit=2&offset=1").data
    assert page["count"] == 4
    assert [item["pluto_id"] for item in page["items"]] == expected[1:3]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["active", "archived"]),
        ("?is_archived=false", ["active"]),
        ("?is_archived=true", ["archived"]),
        ("?is_archived=true&limit=0", []),
    ],
)
def test_is_archived_filter_on_project_list(ada: Caller, query: str, names: list[str]) -> None:
    make_project(ada.user, "active")
    archived = make_project(ada.user, "archived")
    Project.objects.filter(pk=archived.pk).update(is_archived=True)
    data = ada.call("GET", f"/lab/projects/{query}").data
    assert [item["name"] for item in data["items"]] == names
    assert data["count"] == (len(names) if "limit=0" not in query else 1)


def test_a_bad_is_archived_value_is_400_naming_it(ada: Caller) -> None:
    response = ada.call("GET", "/lab/projects/?is_archived=perhaps")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert "is_archived" in response.data["message"]
    assert response.data["details"]["fields"] == ["is_archived"]
    assert response.data["details"]["field"] == "is_archived"


# --- edit -----------------------------------------------------------------------------------


def test_patch_project_changes_only_what_is_sent(ada: Caller) -> None:
    project = make_project(ada.user, description="Old description")
    response = ada.call("PATCH", f"/lab/projects/{project.uuid}/", {"name": "New name"})
    assert response.status_code == 200
    assert_project_shape(response.data, project)
    assert project.name == "New name" and project.description == "Old description"
    response = ada.call(
        "PATCH",
        f"/lab/projects/{project.pluto_id}",
        {"description": "", "share_level": "public", "is_archived": True},
    )
    assert response.status_code == 200
    assert_project_shape(response.data, project)
    assert (project.description, project.share_level, project.is_archived) == ("", "public", True)


def test_an_empty_patch_changes_nothing(ada: Caller) -> None:
    project = make_project(ada.user)
    response = ada.call("PATCH", f"/lab/projects/{project.pluto_id}/", {})
    assert response.status_code == 200
    assert_project_shape(response.data, project)


def test_archiving_and_unarchiving(ada: Caller) -> None:
    project = make_project(ada.user)
    assert ada.call("PATCH", f"/lab/projects/{project.pluto_id}/", {"is_archived": True}).data[
        "is_archived"
    ]
    # An archived project stays visible to its members and can be brought back.
    assert ada.call("GET", f"/lab/projects/{project.pluto_id}/").status_code == 200
    back = ada.call("PATCH", f"/lab/projects/{project.pluto_id}/", {"is_archived": False})
    assert back.data["is_archived"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"description": ["a"]}, "description"),
        ({"share_level": "everyone"}, "share_level"),
        ({"is_archived": "yes"}, "is_archived"),
        ({"is_archived": 1}, "is_archived"),
    ],
)
def test_patch_with_bad_values_is_400_and_saves_nothing(
    ada: Caller, body: dict[str, Any], field: str
) -> None:
    project = make_project(ada.user, "Unchanged")
    response = ada.call("PATCH", f"/lab/projects/{project.pluto_id}/", {"name": "Changed", **body})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == field
    project.refresh_from_db()
    assert project.name == "Unchanged"


def test_patch_with_unknown_fields_is_400_naming_them(ada: Caller) -> None:
    project = make_project(ada.user, "Unchanged")
    response = ada.call(
        "PATCH", f"/lab/projects/{project.pluto_id}/", {"name": "Changed", "owner": "x", "zz": 1}
    )
    assert response.status_code == 400
    assert response.data["details"]["fields"] == ["owner", "zz"]
    assert "owner" in response.data["message"] and "zz" in response.data["message"]
    project.refresh_from_db()
    assert project.name == "Unchanged"


# --- the project's experiments ----------------------------------------------------------------


def test_project_experiments_lists_only_that_projects_experiments(ada: Caller) -> None:
    project, other = make_project(ada.user, "One"), make_project(ada.user, "Two")
    inside = [make_experiment(ada.user, project, f"E{i}") for i in range(2)]
    make_experiment(ada.user, other, "elsewhere")
    for ident in (project.pluto_id, project.uuid):
        data = ada.call("GET", f"/lab/projects/{ident}/experiments/").data
        assert data["count"] == 2
        assert [item["pluto_id"] for item in data["items"]] == [e.pluto_id for e in inside]
        for item in data["items"]:
            assert item["project"] == {
                "uuid": str(project.uuid),
                "pluto_id": project.pluto_id,
                "name": project.name,
            }


def test_project_experiments_is_archived_filter(ada: Caller) -> None:
    project = make_project(ada.user)
    make_experiment(ada.user, project, "active")
    archived = make_experiment(ada.user, project, "archived")
    archived.is_archived = True
    archived.save()
    path = f"/lab/projects/{project.pluto_id}/experiments/"
    assert [i["name"] for i in ada.call("GET", path).data["items"]] == ["active", "archived"]
    assert [i["name"] for i in ada.call("GET", path + "?is_archived=false").data["items"]] == [
        "active"
    ]
    only_archived = ada.call("GET", path + "?is_archived=true").data
    assert only_archived["count"] == 1 and only_archived["items"][0]["name"] == "archived"


def test_project_experiments_of_an_empty_project(ada: Caller) -> None:
    project = make_project(ada.user)
    data = ada.call("GET", f"/lab/projects/{project.pluto_id}/experiments").data
    assert data == {"count": 0, "items": []}
