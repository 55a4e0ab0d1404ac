"""The Projects page and a project's page: who sees what, who may change what, form errors."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from pluto.server.lab.models import Experiment, Project, ProjectMember
from tests.conftest import Caller, make_project
from tests.web.conftest import html, signed_in

EXPERIMENT_FORM = {
    "name": "Time course",
    "type": "rnaseq",
    "organism": "human",
    "assay_data_units": "raw_counts",
}


def page_of(project: Project) -> str:
    return f"/projects/{project.pluto_id}/"


def test_signed_in_home_opens_the_projects_and_visitors_sign_in(ada: Caller) -> None:
    assert signed_in(ada.user).get("/")["Location"] == "/projects/"
    assert Client().get("/projects/")["Location"] == "/accounts/login/?next=/projects/"


def test_the_list_shows_id_count_owner_share_level_and_role(
    ada: Caller, project: Project, experiment: Experiment
) -> None:
    page = html(signed_in(ada.user).get("/projects/"))

    assert "Tumour atlas" in page and project.pluto_id in page
    assert '<td data-label="Experiments">1</td>' in page
    assert "Ada Tester" in page and "Private" in page and ">owner<" in page


def test_an_empty_list_says_what_to_do(ada: Caller) -> None:
    page = html(signed_in(ada.user).get("/projects/"))

    assert "No projects yet" in page and "Create your first project" in page


def test_search_finds_by_name_or_id_and_says_when_nothing_matches(ada: Caller) -> None:
    atlas = make_project(ada.user, "Tumour atlas")
    make_project(ada.user, "Mouse liver")
    browser = signed_in(ada.user)

    by_name = html(browser.get("/projects/?q=liver"))
    by_id = html(browser.get(f"/projects/?q={atlas.pluto_id}"))
    nothing = html(browser.get("/projects/?q=zebrafish"))

    assert "Mouse liver" in by_name and "Tumour atlas" not in by_name
    assert "Tumour atlas" in by_id and "Mouse liver" not in by_id
    assert "No project matches “zebrafish”" in nothing


def test_archived_projects_are_hidden_unless_asked(ada: Caller) -> None:
    old = make_project(ada.user, "Old study")
    Project.objects.filter(pk=old.pk).update(is_archived=True)
    browser = signed_in(ada.user)

    assert "Old study" not in html(browser.get("/projects/"))
    assert "Old study" in html(browser.get("/projects/?archived=1"))


def test_creating_a_project_opens_it(ada: Caller) -> None:
    response = signed_in(ada.user).post(
        "/projects/", {"name": "Organoids", "description": "Gut", "share_level": "private"}
    )

    project = Project.objects.get(name="Organoids")
    assert response.status_code == 302 and response["Location"] == page_of(project)
    assert project.owner == ada.user


def test_a_project_without_a_name_shows_the_error_next_to_the_field(ada: Caller) -> None:
    response = signed_in(ada.user).post("/projects/", {"name": "  ", "share_level": "private"})

    page = html(response)
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="project-name-error"' in page
    assert "&#x27;name&#x27; must be a non-empty text." in page
    assert not Project.objects.exists()


def test_user_text_is_escaped(ada: Caller) -> None:
    make_project(ada.user, "<script>alert(1)</script>", description="<b>bold</b>")

    page = html(signed_in(ada.user).get("/projects/"))

    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_strangers_get_not_found(ada: Caller, bob: Caller, project: Project) -> None:
    response = signed_in(bob.user).get(page_of(project), HTTP_ACCEPT="text/html")

    assert response.status_code == 404


def test_owners_see_every_control(ada: Caller, project: Project) -> None:
    page = html(signed_in(ada.user).get(page_of(project)))

    for control in ("create_experiment", "add_member", 'value="edit"', 'value="archive"'):
        assert control in page
    assert "No experiments yet" in page


def test_viewers_see_no_edit_controls_and_are_refused(
    ada: Caller, bob: Caller, project: Project, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "viewer")
    browser = signed_in(bob.user)

    page = html(browser.get(page_of(project)))
    edit = browser.post(page_of(project), {"action": "edit", "name": "Mine now"})
    create = browser.post(page_of(project), {"action": "create_experiment", **EXPERIMENT_FORM})

    for control in ("create_experiment", "add_member", 'value="edit"', 'value="archive"'):
        assert control not in page
    assert edit.status_code == create.status_code == 403
    assert Project.objects.get(pk=project.pk).name == "Tumour atlas"


def test_editors_create_experiments_and_land_on_them(
    ada: Caller, bob: Caller, project: Project, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "editor")
    form = {**EXPERIMENT_FORM, "action": "create_experiment", "organism": "mouse"}

    response = signed_in(bob.user).post(page_of(project), form)

    experiment = Experiment.objects.get(name="Time course")
    assert response["Location"] == f"/experiments/{experiment.pluto_id}/"
    assert experiment.organism.shortname == "mouse"


def test_experiment_form_errors_name_the_field(ada: Caller, project: Project) -> None:
    form = {**EXPERIMENT_FORM, "action": "create_experiment", "type": "nonsense"}

    response = signed_in(ada.user).post(page_of(project), form)

    assert response.status_code == 400
    assert "&#x27;type&#x27; must be one of" in html(response)


def test_editors_edit_but_only_owners_change_sharing_or_archive(
    ada: Caller, bob: Caller, project: Project, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "editor")
    browser = signed_in(bob.user)

    renamed = browser.post(
        page_of(project), {"action": "edit", "name": "Atlas 2", "share_level": "private"}
    )
    shared = browser.post(
        page_of(project), {"action": "edit", "name": "Atlas 2", "share_level": "public"}
    )
    archived = browser.post(page_of(project), {"action": "archive", "archived": "1"})

    project.refresh_from_db()
    assert renamed.status_code == 302 and project.name == "Atlas 2"
    assert shared.status_code == archived.status_code == 403
    assert project.share_level == "private" and not project.is_archived


def test_owners_archive_and_restore(ada: Caller, project: Project) -> None:
    browser = signed_in(ada.user)

    browser.post(page_of(project), {"action": "archive", "archived": "1"})
    archived = Project.objects.get(pk=project.pk).is_archived
    browser.post(page_of(project), {"action": "archive", "archived": "0"})

    assert archived and not Project.objects.get(pk=project.pk).is_archived


def test_owners_add_change_and_remove_members_by_email(
    ada: Caller, bob: Caller, project: Project
) -> None:
    browser = signed_in(ada.user)
    user_id = str(bob.user.uuid)

    added = browser.post(
        page_of(project),
        {"action": "add_member", "email": "BOB@example.org", "role": "viewer"},
        follow=True,
    )
    browser.post(page_of(project), {"action": "change_role", "user": user_id, "role": "editor"})
    role = ProjectMember.objects.get(project=project, user=bob.user).role
    browser.post(page_of(project), {"action": "remove_member", "user": user_id})

    assert "bob@example.org was added as a viewer of this project" in html(added)
    assert role == "editor"
    assert not ProjectMember.objects.filter(project=project, user=bob.user).exists()


def test_adding_an_unknown_email_invites_it_without_saying_it_has_no_account(
    ada: Caller, project: Project
) -> None:
    response = signed_in(ada.user).post(
        page_of(project),
        {"action": "add_member", "email": "nobody@example.org", "role": "viewer"},
        follow=True,
    )

    page = html(response)
    assert response.status_code == 200 and 'id="member-email-error"' not in page
    assert "nobody@example.org was added as a viewer of this project" in page
    assert "nobody@example.org" in page.split("<h3>Invited</h3>")[1]


def test_the_last_owner_cannot_leave(ada: Caller, project: Project) -> None:
    response = signed_in(ada.user).post(
        page_of(project), {"action": "remove_member", "user": str(ada.user.uuid)}
    )

    assert response.status_code == 400
    assert "This is the last owner" in html(response)


def test_a_member_may_leave_and_goes_back_to_the_list(
    ada: Caller, bob: Caller, project: Project, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "viewer")

    response = signed_in(bob.user).post(
        page_of(project), {"action": "remove_member", "user": str(bob.user.uuid)}
    )

    assert response["Location"] == "/projects/"


def test_forms_need_the_csrf_token(ada: Caller, project: Project) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada.user)

    response = browser.post(page_of(project), {"action": "edit", "name": "Forged"})

    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).name == "Tumour atlas"
