"""The search box of every page and the search page it leads to."""

from __future__ import annotations

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import put_table
from tests.web.conftest import html, signed_in


def test_every_signed_in_page_has_a_search_box_leading_to_the_search_page(ada: Caller) -> None:
    page = html(signed_in(ada.user).get("/projects/"))

    assert 'role="search"' in page
    assert 'action="/search/"' in page and 'name="q"' in page


def test_the_search_page_links_matching_experiments_and_projects(ada: Caller) -> None:
    project = make_project(ada.user, "Liver atlas")
    experiment = make_experiment(ada.user, project, "Liver organoids")

    response = signed_in(ada.user).get("/search/?q=liver")

    assert response.status_code == 200
    page = html(response)
    assert f'href="/experiments/{experiment.pluto_id}/"' in page
    assert f'href="/projects/{project.pluto_id}/"' in page
    assert 'Experiments <span class="muted small">(1)</span>' in page


def test_the_search_page_finds_sample_values_and_says_where(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "sample", b"sample_id,treatment\nS1,vorinostat\n")

    page = html(signed_in(ada.user).get("/search/?q=vorinostat"))

    assert f'href="/experiments/{experiment.pluto_id}/"' in page
    assert "matched in samples" in page


def test_the_search_page_says_when_nothing_matches(ada: Caller) -> None:
    page = html(signed_in(ada.user).get("/search/?q=zebrafish"))

    assert "No experiments match “zebrafish”" in page
    assert "No projects match “zebrafish”" in page


def test_the_search_page_shows_nothing_another_user_owns(ada: Caller, bob: Caller) -> None:
    project = make_project(ada.user, "Liver atlas")
    make_experiment(ada.user, project, "Liver organoids")

    page = html(signed_in(bob.user).get("/search/?q=liver"))

    assert "Liver organoids" not in page and "No experiments match" in page


def test_the_search_page_needs_a_sign_in(client: object) -> None:
    response = client.get("/search/?q=liver")  # type: ignore[attr-defined]

    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts/" in response["Location"]
