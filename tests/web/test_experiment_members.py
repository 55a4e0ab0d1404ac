"""The Members section of an experiment's Settings tab: list, add, change role, remove."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from pluto.server.lab import members
from pluto.server.lab.models import Experiment, ExperimentMember
from tests.conftest import Caller
from tests.web.conftest import html, signed_in


def settings_of(experiment: Experiment) -> str:
    return f"/experiments/{experiment.pluto_id}/?tab=settings"


def role_of(experiment: Experiment, caller: Caller) -> str | None:
    """The caller's role on the experiment itself (None when not a member)."""
    membership = ExperimentMember.objects.filter(experiment=experiment, user=caller.user).first()
    return membership.role if membership else None


@pytest.fixture
def give_role(experiment: Experiment) -> Callable[[Caller, str], None]:
    """Give someone a role on the experiment only, as its owner."""

    def give(caller: Caller, role: str) -> None:
        members.add_member("owner", experiment, {"email": caller.user.email, "role": role})

    return give


def test_owners_see_the_members_with_every_control(ada: Caller, experiment: Experiment) -> None:
    page = html(signed_in(ada.user).get(settings_of(experiment)))

    assert 'id="members-title"' in page and "ada@example.org" in page
    for control in ('value="add_member"', 'value="change_role"', 'id="member-email"'):
        assert control in page
    assert "Roles given here apply to this experiment only." in page


def test_owners_add_change_and_remove_experiment_members(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    browser = signed_in(ada.user)
    user_id = str(bob.user.uuid)
    url = settings_of(experiment)

    added = browser.post(
        url, {"action": "add_member", "email": "Bob@Example.org", "role": "viewer"}, follow=True
    )
    added_role = role_of(experiment, bob)
    changed = browser.post(url, {"action": "change_role", "user": user_id, "role": "editor"})
    changed_role = role_of(experiment, bob)
    removed = browser.post(url, {"action": "remove_member", "user": user_id})

    assert "bob@example.org was added as a viewer of this experiment" in html(added)
    assert "bob@example.org" in html(added).split('id="members-title"')[1]
    assert added_role == "viewer" and changed_role == "editor"
    assert changed["Location"] == removed["Location"] == url
    assert role_of(experiment, bob) is None


def test_an_experiment_member_reaches_only_that_experiment(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    signed_in(ada.user).post(
        settings_of(experiment), {"action": "add_member", "email": bob.user.email, "role": "viewer"}
    )
    browser = signed_in(bob.user)

    seen = browser.get(f"/experiments/{experiment.pluto_id}/")
    project = browser.get(f"/projects/{experiment.project.pluto_id}/", HTTP_ACCEPT="text/html")

    assert seen.status_code == 200 and project.status_code == 404


def test_a_bad_email_is_shown_next_to_the_field(ada: Caller, experiment: Experiment) -> None:
    response = signed_in(ada.user).post(
        settings_of(experiment),
        {"action": "add_member", "email": "nobody at example.org", "role": "viewer"},
    )

    page = html(response)
    assert response.status_code == 400
    assert "not a valid email address" in page.split('id="member-email-error"')[1]
    assert 'value="nobody at example.org"' in page
    assert 'id="edit-name-error"' not in page and 'id="settings-error"' not in page


def test_the_page_answers_alike_for_an_email_without_an_account_and_lists_it_as_invited(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    browser = signed_in(ada.user)
    url = settings_of(experiment)

    known = browser.post(url, {"action": "add_member", "email": bob.user.email, "role": "viewer"})
    unknown = browser.post(
        url, {"action": "add_member", "email": "grace@lab.org", "role": "viewer"}
    )
    page = html(browser.get(url))
    invitation = experiment.invitations.get()
    withdrawn = browser.post(url, {"action": "remove_member", "user": str(invitation.uuid)})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    invited = page.split("<h3>Invited</h3>")[1].split("</ul>")[0]
    assert "grace@lab.org" in invited and bob.user.email not in invited
    assert withdrawn.status_code == 302 and not experiment.invitations.exists()


def test_the_last_owner_cannot_leave_or_be_demoted(ada: Caller, experiment: Experiment) -> None:
    browser = signed_in(ada.user)
    me = str(ada.user.uuid)

    left = browser.post(settings_of(experiment), {"action": "remove_member", "user": me})
    demoted = browser.post(
        settings_of(experiment), {"action": "change_role", "user": me, "role": "viewer"}
    )

    assert left.status_code == demoted.status_code == 400
    assert "This is the last owner" in html(left) and "This is the last owner" in html(demoted)
    assert role_of(experiment, ada) == "owner"


def test_editors_see_the_members_but_may_not_manage_them(
    ada: Caller,
    bob: Caller,
    make_caller: Callable[..., Caller],
    experiment: Experiment,
    give_role: Callable[[Caller, str], None],
) -> None:
    cy = make_caller("cy")
    give_role(bob, "editor")
    browser = signed_in(bob.user)
    url = settings_of(experiment)

    page = html(browser.get(url))
    add = browser.post(url, {"action": "add_member", "email": cy.user.email, "role": "viewer"})
    promote = browser.post(
        url, {"action": "change_role", "user": str(bob.user.uuid), "role": "owner"}
    )
    remove = browser.post(url, {"action": "remove_member", "user": str(ada.user.uuid)})

    assert "ada@example.org" in page and 'id="members-title"' in page
    assert 'value="add_member"' not in page and 'value="change_role"' not in page
    assert add.status_code == promote.status_code == remove.status_code == 403
    assert "Only owners can" in html(add)
    assert role_of(experiment, cy) is None and role_of(experiment, bob) == "editor"
    assert role_of(experiment, ada) == "owner"


def test_editors_of_a_shareable_experiment_add_viewers_but_not_owners(
    ada: Caller,
    bob: Caller,
    make_caller: Callable[..., Caller],
    experiment: Experiment,
    give_role: Callable[[Caller, str], None],
) -> None:
    Experiment.objects.filter(pk=experiment.pk).update(share_level="shareable")
    cy, dee = make_caller("cy"), make_caller("dee")
    give_role(bob, "editor")
    browser = signed_in(bob.user)
    url = settings_of(experiment)

    page = html(browser.get(url))
    viewer = browser.post(url, {"action": "add_member", "email": cy.user.email, "role": "viewer"})
    owner = browser.post(url, {"action": "add_member", "email": dee.user.email, "role": "owner"})

    assert 'value="add_member"' in page and '<option value="owner"' not in page
    assert viewer.status_code == 302 and role_of(experiment, cy) == "viewer"
    assert owner.status_code == 403 and role_of(experiment, dee) is None


def test_viewers_have_no_settings_and_are_refused(
    bob: Caller,
    make_caller: Callable[..., Caller],
    experiment: Experiment,
    give_role: Callable[[Caller, str], None],
) -> None:
    cy = make_caller("cy")
    give_role(bob, "viewer")
    browser = signed_in(bob.user)

    page = html(browser.get(f"/experiments/{experiment.pluto_id}/"))
    add = browser.post(
        settings_of(experiment), {"action": "add_member", "email": cy.user.email, "role": "viewer"}
    )

    assert "?tab=settings" not in page
    assert add.status_code == 403 and role_of(experiment, cy) is None


def test_a_member_may_leave_and_goes_back_to_the_projects(
    bob: Caller, experiment: Experiment, give_role: Callable[[Caller, str], None]
) -> None:
    give_role(bob, "editor")

    response = signed_in(bob.user).post(
        settings_of(experiment), {"action": "remove_member", "user": str(bob.user.uuid)}
    )

    assert response["Location"] == "/projects/" and role_of(experiment, bob) is None


def test_member_forms_need_the_csrf_token(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada.user)

    response = browser.post(
        settings_of(experiment), {"action": "add_member", "email": bob.user.email, "role": "owner"}
    )

    assert response.status_code == 403 and role_of(experiment, bob) is None


def test_member_names_are_escaped(
    ada: Caller, make_caller: Callable[..., Caller], experiment: Experiment
) -> None:
    mallory = make_caller("mallory")
    mallory.user.first_name = "<b>Mal</b>"
    mallory.user.save(update_fields=["first_name"])
    members.add_member("owner", experiment, {"email": mallory.user.email, "role": "viewer"})

    page = html(signed_in(ada.user).get(settings_of(experiment)))

    assert "&lt;b&gt;Mal&lt;/b&gt;" in page and "<b>Mal</b>" not in page
