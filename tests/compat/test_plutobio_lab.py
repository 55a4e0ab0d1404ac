"""The published ``plutobio`` client, against a live Pluto server: projects and experiments."""

from __future__ import annotations

from typing import Any

import pytest
from plutobio import PlutoClient

from tests.conftest import Caller, make_experiment, make_project

pytestmark = pytest.mark.live


@pytest.fixture
def plutobio_client(live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch) -> PlutoClient:
    """A ``PlutoClient`` pointed at the live server with ``PLUTO_API_URL``, as users do."""
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    return PlutoClient(token=ada.key)


@pytest.mark.django_db(transaction=True)
def test_plutobio_lists_and_fetches_projects(plutobio_client: PlutoClient, ada: Caller) -> None:
    project = make_project(ada.user, "Organoid screen")

    projects = plutobio_client.list_projects()
    fetched = plutobio_client.get_project(project.pluto_id)
    by_uuid = plutobio_client.get_project(str(project.uuid))

    assert list(projects) == [project.pluto_id]
    assert projects[project.pluto_id].name == "Organoid screen"
    assert fetched.pluto_id == by_uuid.pluto_id == project.pluto_id
    assert fetched.owner["email"] == ada.user.email


@pytest.mark.django_db(transaction=True)
def test_plutobio_lists_and_fetches_experiments(
    plutobio_client: PlutoClient, ada: Caller, bob: Caller
) -> None:
    mine = make_experiment(ada.user, make_project(ada.user), "Knockdown RNA-seq")
    make_experiment(bob.user, make_project(bob.user), "Someone else's")

    experiments = plutobio_client.list_experiments()
    fetched = plutobio_client.get_experiment(mine.pluto_id)

    assert list(experiments) == [mine.pluto_id]
    assert fetched.name == "Knockdown RNA-seq"
    assert fetched.type["shortname"] == "rnaseq"
    assert fetched.created_at[:10].count("-") == 2


@pytest.mark.django_db(transaction=True)
def test_plutobio_reports_a_hidden_experiment_as_not_found(
    plutobio_client: PlutoClient, bob: Caller
) -> None:
    hidden = make_experiment(bob.user, make_project(bob.user))

    with pytest.raises(Exception, match="not_found"):
        plutobio_client.get_experiment(hidden.pluto_id)


@pytest.mark.django_db(transaction=True)
def test_plutobio_with_a_deleted_token_is_refused(
    plutobio_client: PlutoClient, ada: Caller
) -> None:
    from pluto.server.accounts.services import delete_token, tokens_of

    plutobio_client.list_projects()
    delete_token(tokens_of(ada.user)[0].uuid)

    with pytest.raises(Exception, match="authentication_failed"):
        plutobio_client.list_projects()
