"""Organizations over the API: the caller's list, and the ``Organization`` header's scope."""

from __future__ import annotations

import uuid

from pluto.server.orgs import services as orgs
from pluto.server.orgs.models import Organization
from tests.conftest import Caller, make_experiment, make_project


def org_header(organization: Organization) -> dict[str, str]:
    return {"HTTP_ORGANIZATION": str(organization.uuid)}


def test_every_user_has_a_personal_organization_as_default(ada: Caller) -> None:
    response = ada.call("GET", "/user/organizations/")
    assert response.status_code == 200
    assert isinstance(response.data, list)
    [personal] = response.data
    assert personal["name"] == "Ada Tester (personal)"
    assert personal["role"] == "admin"
    assert personal["is_default"] is True
    assert personal["is_personal"] is True
    assert uuid.UUID(personal["uuid"])
    assert personal["created_at"].endswith("Z")


def test_the_list_holds_every_organization_the_user_is_in(ada: Caller, bob: Caller) -> None:
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    orgs.add_member(lab, bob.user, "guest")
    listed = {item["name"]: item for item in bob.call("GET", "/user/organizations/").data}
    assert set(listed) == {"Bob Tester (personal)", "Tumour biology lab"}
    assert listed["Tumour biology lab"]["role"] == "guest"
    assert listed["Tumour biology lab"]["is_default"] is False


def test_an_organization_the_caller_is_not_in_is_refused(ada: Caller, bob: Caller) -> None:
    bobs = orgs.personal_organization(bob.user)
    for named in (bobs.uuid, uuid.uuid4()):
        response = ada.call("GET", "/lab/projects/", HTTP_ORGANIZATION=str(named))
        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"
        assert response.data["details"] == {"field": "Organization"}


def test_a_malformed_organization_header_is_a_400_naming_it(ada: Caller) -> None:
    response = ada.call("GET", "/lab/projects/", HTTP_ORGANIZATION="not-a-uuid")
    assert response.status_code == 400
    assert response.data["details"]["field"] == "Organization"


def test_the_header_scopes_what_a_request_sees(ada: Caller) -> None:
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    in_lab = ada.call("POST", "/lab/projects/", {"name": "Lab atlas"}, **org_header(lab))
    assert in_lab.status_code == 201
    own = make_project(ada.user, "My own notes")
    experiment = make_experiment(ada.user, own)
    scoped = ada.call("GET", "/lab/projects/", **org_header(lab)).data
    assert [p["name"] for p in scoped["items"]] == ["Lab atlas"]
    hidden = ada.call("GET", f"/lab/experiments/{experiment.pluto_id}/", **org_header(lab))
    assert hidden.status_code == 404
    everything = ada.call("GET", "/lab/projects/").data
    assert {p["name"] for p in everything["items"]} == {"Lab atlas", "My own notes"}


def test_a_project_goes_to_the_default_organization_without_the_header(ada: Caller) -> None:
    created = ada.call("POST", "/lab/projects/", {"name": "Notes"})
    assert created.status_code == 201
    personal = orgs.personal_organization(ada.user)
    assert personal.projects.get().name == "Notes"
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    orgs.set_default(ada.user, lab)
    ada.call("POST", "/lab/projects/", {"name": "Shared atlas"})
    assert lab.projects.get().name == "Shared atlas"


def test_a_share_from_another_organization_is_seen_without_the_header(
    ada: Caller, bob: Caller
) -> None:
    project = make_project(ada.user, "Ada's atlas")
    added = ada.call(
        "POST",
        f"/lab/projects/{project.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )
    assert added.status_code in (200, 201)
    seen = bob.call("GET", "/lab/projects/").data
    assert [p["name"] for p in seen["items"]] == ["Ada's atlas"]
    bobs = orgs.personal_organization(bob.user)
    assert bob.call("GET", "/lab/projects/", **org_header(bobs)).data["count"] == 0


def test_organizations_answer_without_the_trailing_slash_too(ada: Caller) -> None:
    response = ada.call("GET", "/user/organizations")
    assert response.status_code == 200
    assert [o["is_personal"] for o in response.data] == [True]


def test_an_unknown_path_beside_lab_is_a_json_404(ada: Caller) -> None:
    response = ada.call("GET", "/user/no-such-thing/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response.data["code"] == "not_found"
