"""Sharing a project or an experiment with a team from its page, as owners do."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.orgs.models import Organization, Team
from tests.conftest import Caller
from tests.orgs.test_team_shares import create_experiment, create_project, seat
from tests.web.conftest import html, signed_in


@pytest.fixture
def lab(ada: Caller) -> Organization:
    from pluto.server.orgs import services as orgs

    return orgs.create_organization(ada.user, "Tumour biology lab")


@pytest.fixture
def imaging(lab: Organization) -> Team:
    return Team.objects.create(organization=lab, name="Imaging")


def project_page(project: dict[str, Any]) -> str:
    return f"/projects/{project['pluto_id']}/"


def test_an_owner_shares_a_project_with_a_team_changes_its_role_and_stops(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    browser = signed_in(ada.user)
    path = project_page(project)
    assert '<option value="' + str(imaging.uuid) + '">Imaging</option>' in html(browser.get(path))

    shared = browser.post(
        path, {"action": "share_team", "team": str(imaging.uuid), "role": "viewer"}
    )
    assert shared.status_code == 302
    assert "Team Imaging is now a viewer of this project." in html(browser.get(path))
    assert bob.call("GET", f"/lab/projects/{project['pluto_id']}/").status_code == 200

    changed = {"action": "change_team_role", "team": str(imaging.uuid), "role": "editor"}
    browser.post(path, changed)
    assert imaging.project_shares.get().role == "editor"

    browser.post(path, {"action": "unshare_team", "team": str(imaging.uuid)})
    assert "Not shared with any team." in html(browser.get(path))
    assert bob.call("GET", f"/lab/projects/{project['pluto_id']}/").status_code == 404


def test_sharing_twice_with_a_team_says_so_beside_the_form(
    ada: Caller, lab: Organization, imaging: Team
) -> None:
    project = create_project(ada, lab)
    browser = signed_in(ada.user)
    body = {"action": "share_team", "team": str(imaging.uuid), "role": "viewer"}
    browser.post(project_page(project), body)

    again = browser.post(project_page(project), body)

    assert again.status_code == 409
    assert "This is already shared with Imaging; change the role instead." in html(again)
    assert imaging.project_shares.count() == 1


def test_an_experiment_is_shared_with_a_team_from_its_settings_tab(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    experiment = create_experiment(ada, lab, create_project(ada, lab))
    path = f"/experiments/{experiment['pluto_id']}/?tab=settings"
    browser = signed_in(ada.user)

    shared = browser.post(
        path, {"action": "share_team", "team": str(imaging.uuid), "role": "editor"}
    )

    assert shared.status_code == 302
    assert imaging.experiment_shares.get().role == "editor"
    assert bob.call("GET", f"/lab/experiments/{experiment['pluto_id']}/").status_code == 200


def test_a_project_of_a_personal_organization_shows_no_team_section(ada: Caller) -> None:
    project = dict(ada.call("POST", "/lab/projects/", {"name": "Notes"}).data)

    page = html(signed_in(ada.user).get(project_page(project)))

    assert "Share with team" not in page and 'id="team-shares-title"' not in page
