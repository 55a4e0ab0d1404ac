"""The research program pages: the list with its form, and a program's framework and evidence."""

from __future__ import annotations

from typing import Any

from django.test import Client

from pluto.server.lab.models import Experiment
from pluto.server.programs.models import Program
from tests.conftest import Caller
from tests.programs.conftest import add_asset


def signed_in(caller: Caller) -> Client:
    client = Client()
    client.force_login(caller.user)
    return client


def test_the_list_shows_the_callers_programs(
    ada: Caller, bob: Caller, program: dict[str, Any]
) -> None:
    page = signed_in(ada).get("/research-programs/")
    assert page.status_code == 200
    assert "KRAS G12C target validation" in page.content.decode()
    assert f'href="/research-programs/{program["uuid"]}/"' in page.content.decode()
    assert "KRAS G12C" not in signed_in(bob).get("/research-programs/").content.decode()


def test_a_program_is_created_from_the_form_and_opened(ada: Caller) -> None:
    answer = signed_in(ada).post(
        "/research-programs/",
        {
            "name": "CD8 exhaustion",
            "template": "biomarker_development",
            "labels": "immuno, T cells",
        },
    )
    created = Program.objects.get(name="CD8 exhaustion")
    assert answer.status_code == 302 and answer["Location"] == f"/research-programs/{created.uuid}/"
    assert sorted(created.labels.values_list("name", flat=True)) == ["T cells", "immuno"]
    opened = signed_in(ada).get(answer["Location"]).content.decode()
    assert "Clinical validation" in opened


def test_a_form_without_type_or_template_says_what_is_missing(ada: Caller) -> None:
    answer = signed_in(ada).post("/research-programs/", {"name": "Nameless type"})
    assert answer.status_code == 400
    assert "&#x27;program_type&#x27; must be one of" in answer.content.decode()
    assert not Program.objects.exists()


def test_the_page_shows_evidence_under_each_dimension_and_the_gaps(
    ada: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    add_asset(
        ada,
        program,
        kind="experiment",
        object_id=experiment.pluto_id,
        dimension="safety",
        note="Low in healthy lung.",
    )
    html = signed_in(ada).get(f"/research-programs/{program['uuid']}/").content.decode()

    safety = html.split('id="dimension-safety"')[1].split("</article>")[0]
    assert experiment.name in safety and "Low in healthy lung." in safety
    assert f'href="/experiments/{experiment.pluto_id}/"' in safety
    gaps = html.split('id="coverage-gaps"')[1].split("</section>")[0]
    assert "Genetic evidence" in gaps and "Safety" not in gaps
    assert "1 of 5 dimensions have evidence" in html


def test_evidence_is_added_from_the_page(
    ada: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    url = f"/research-programs/{program['uuid']}/"
    client = signed_in(ada)
    added = client.post(
        url, {"kind": "experiment", "object_id": experiment.pluto_id, "dimension": "tractability"}
    )
    assert added.status_code == 302
    tractability = client.get(url).content.decode().split('id="dimension-tractability"')[1]
    assert experiment.name in tractability.split("</article>")[0]

    refused = client.post(url, {"kind": "experiment", "object_id": "PLX999999"})
    assert refused.status_code == 404
    assert "Experiment PLX999999 was not found." in refused.content.decode()


def test_another_users_program_page_is_not_found(bob: Caller, program: dict[str, Any]) -> None:
    assert signed_in(bob).get(f"/research-programs/{program['uuid']}/").status_code == 404
    assert signed_in(bob).get("/research-programs/not-a-uuid/").status_code == 404
    assert Client().get("/research-programs/").status_code == 302
