"""The SDK's organization scope and paths from the server's root, against a live server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import pluto
from pluto.client.client import Client
from pluto.server.orgs.services import personal_organization
from tests.conftest import Caller, make_project

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_path_with_a_leading_slash_is_sent_from_the_server_root(sdk: Client, ada: Caller) -> None:
    organizations = sdk.get("/user/organizations/")

    assert isinstance(organizations, list)
    assert [o["uuid"] for o in organizations] == [str(personal_organization(ada.user).uuid)]


def test_a_client_in_its_own_organization_sees_its_projects(live_server: Any, ada: Caller) -> None:
    project = make_project(ada.user, "Scoped")
    organization = str(personal_organization(ada.user).uuid)

    with Client(live_server.url, ada.key, organization=organization) as client:
        listed = client.list_projects()

    assert client.organization == organization
    assert [p.pluto_id for p in listed] == [project.pluto_id]


def test_an_organization_the_user_is_not_in_is_refused(
    live_server: Any, ada: Caller, bob: Caller
) -> None:
    foreign = str(personal_organization(bob.user).uuid)

    with (
        Client(live_server.url, ada.key, organization=foreign) as client,
        pytest.raises(pluto.PermissionDenied) as caught,
    ):
        client.list_projects()

    assert caught.value.status == 403


def test_the_organization_comes_from_the_environment(
    live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUTO_ORGANIZATION", str(uuid.uuid4()))

    with Client(live_server.url, ada.key) as client, pytest.raises(pluto.PermissionDenied):
        client.list_projects()
