"""The organization pages: the list, the switcher, and Users & Teams for admins."""

from __future__ import annotations

from collections.abc import Callable

from pluto.server.orgs import services as orgs
from pluto.server.orgs.models import Organization, Team
from tests.conftest import Caller, make_project
from tests.web.conftest import html, signed_in


def lab_of(ada: Caller) -> Organization:
    return orgs.create_organization(ada.user, "Tumour biology lab")


def test_every_page_has_the_switcher_and_the_users_and_teams_link(ada: Caller) -> None:
    lab_of(ada)
    page = html(signed_in(ada.user).get("/projects/"))
    assert 'id="organization-switcher"' in page
    assert "Tumour biology lab</option>" in page
    assert "Users &amp; Teams</a>" in page


def test_switching_shows_only_that_organizations_projects_and_creates_there(
    ada: Caller,
) -> None:
    lab = lab_of(ada)
    make_project(ada.user, "My own notes")
    browser = signed_in(ada.user)
    switched = browser.post(
        "/organizations/switch/", {"organization": str(lab.uuid), "next": "/projects/"}
    )
    assert switched.status_code == 302 and switched["Location"] == "/projects/"
    page = html(browser.get("/projects/"))
    assert "My own notes" not in page
    assert f'value="{lab.uuid}" selected' in page
    browser.post("/projects/", {"name": "Lab atlas"})
    assert [p.name for p in lab.projects.all()] == ["Lab atlas"]
    browser.post("/organizations/switch/", {"organization": ""})
    assert "My own notes" in html(browser.get("/projects/"))


def test_switching_to_an_organization_one_is_not_in_is_not_found(ada: Caller, bob: Caller) -> None:
    lab = lab_of(ada)
    response = signed_in(bob.user).post("/organizations/switch/", {"organization": str(lab.uuid)})
    assert response.status_code == 404


def test_a_new_organization_is_made_from_the_list(ada: Caller) -> None:
    browser = signed_in(ada.user)
    created = browser.post("/organizations/", {"name": "Imaging core"})
    organization = Organization.objects.get(name="Imaging core")
    assert created["Location"] == f"/organizations/{organization.uuid}/"
    assert orgs.role_in(ada.user, organization) == "admin"
    empty = browser.post("/organizations/", {"name": ""})
    assert empty.status_code == 400
    assert "non-empty" in html(empty)


def test_an_admin_invites_changes_roles_and_builds_teams(ada: Caller, bob: Caller) -> None:
    lab = lab_of(ada)
    browser = signed_in(ada.user)
    path = f"/organizations/{lab.uuid}/"
    browser.post(path, {"action": "add_member", "email": bob.user.email, "role": "guest"})
    assert orgs.role_in(bob.user, lab) == "guest"
    browser.post(path, {"action": "change_role", "user": str(bob.user.uuid), "role": "member"})
    assert orgs.role_in(bob.user, lab) == "member"
    browser.post(path, {"action": "create_team", "name": "Imaging"})
    team = Team.objects.get(organization=lab)
    browser.post(
        path, {"action": "add_team_member", "team": str(team.uuid), "email": "bob@example.org"}
    )
    assert [s.user for s in team.memberships.all()] == [bob.user]
    page = html(browser.get(path))
    assert "Imaging <span" in page and "bob@example.org" in page
    browser.post(
        path, {"action": "remove_team_member", "team": str(team.uuid), "user": str(bob.user.uuid)}
    )
    assert not team.memberships.exists()
    browser.post(path, {"action": "remove_member", "user": str(bob.user.uuid)})
    assert orgs.role_in(bob.user, lab) is None


def test_a_bad_invitation_says_what_is_wrong_on_the_page(ada: Caller) -> None:
    lab = lab_of(ada)
    response = signed_in(ada.user).post(
        f"/organizations/{lab.uuid}/",
        {"action": "add_member", "email": "nobody", "role": "member"},
    )
    assert response.status_code == 400
    assert "&#x27;email&#x27; must be an email address" in html(response)


def test_an_admin_invites_an_email_without_an_account_and_withdraws_it(
    ada: Caller, make_caller: Callable[..., Caller]
) -> None:
    lab = lab_of(ada)
    browser = signed_in(ada.user)
    path = f"/organizations/{lab.uuid}/"
    invited = browser.post(
        path, {"action": "add_member", "email": "grace@lab.org", "role": "guest"}
    )
    assert invited.status_code == 302
    page = html(browser.get(path))
    assert "Invited, no account yet" in page and "grace@lab.org" in page
    assert "they join as guest when they sign up" in page
    invitation = lab.invitations.get()
    withdrawn = browser.post(
        path, {"action": "cancel_invitation", "invitation": str(invitation.uuid)}
    )
    assert withdrawn.status_code == 302
    after = html(browser.get(path))
    assert "The invitation of grace@lab.org was withdrawn." in after
    assert "Invited, no account yet" not in after
    assert orgs.role_in(make_caller("grace").user, lab) is None


def test_members_see_the_page_without_the_admin_forms(
    ada: Caller, bob: Caller, make_caller: Callable[..., Caller]
) -> None:
    lab = lab_of(ada)
    orgs.add_member(lab, bob.user, "member")
    browser = signed_in(bob.user)
    page = html(browser.get(f"/organizations/{lab.uuid}/"))
    assert "ada@example.org" in page
    assert "Invite by email" not in page and "New team" not in page
    refused = browser.post(
        f"/organizations/{lab.uuid}/", {"action": "create_team", "name": "Imaging"}
    )
    assert refused.status_code == 403
    outsider = signed_in(make_caller("carol").user)
    assert outsider.get(f"/organizations/{lab.uuid}/").status_code == 404
