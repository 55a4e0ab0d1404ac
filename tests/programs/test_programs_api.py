"""Programs over HTTP: creating them, their framework, evidence, gaps, and who sees them."""

from __future__ import annotations

import uuid
from typing import Any

from pluto.server.analyses.models import Analysis
from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.orgs import services as orgs
from tests.conftest import Caller, make_experiment, make_project
from tests.programs.conftest import add_asset, create_program

TEMPLATE_KEYS = [
    "genetic_evidence",
    "disease_expression",
    "functional_validation",
    "safety",
    "tractability",
]


def path(program: dict[str, Any], rest: str = "") -> str:
    return f"/programs/{program['uuid']}/{rest}"


def test_a_program_made_from_a_template_starts_with_its_dimensions(
    ada: Caller, program: dict[str, Any]
) -> None:
    assert program["program_type"] == "target_discovery"
    assert program["status"] == "active"
    assert program["framework"]["current_version"] == 1
    assert program["organization"]["name"] == "Ada Tester (personal)"
    assert program["created_by"]["email"] == "ada@example.org"

    framework = ada.call("GET", path(program, "framework/")).data
    assert [d["key"] for d in framework["dimensions"]] == TEMPLATE_KEYS
    assert framework["template"] == "target_validation"
    versions = ada.call("GET", path(program, "framework/versions/")).data
    assert [(v["number"], v["is_current"]) for v in versions] == [(1, True)]
    assert ada.call("GET", path(program)).data["goal"].startswith("Decide whether")


def test_a_program_without_a_template_needs_a_program_type(ada: Caller) -> None:
    missing = ada.call("POST", "/programs/", {"name": "CD8 exhaustion markers"})
    assert missing.status_code == 400
    assert missing.data["details"]["field"] == "program_type"
    unknown = ada.call("POST", "/programs/", {"name": "X", "template": "astrology"})
    assert unknown.status_code == 400 and unknown.data["details"]["field"] == "template"
    extra = ada.call("POST", "/programs/", {"name": "X", "program_type": "other", "colour": 1})
    assert extra.status_code == 400 and extra.data["details"]["field"] == "colour"

    plain = create_program(ada, name="CD8 markers", template=None, program_type="biomarker")
    assert plain["framework"]["current_version"] is None
    assert ada.call("GET", path(plain, "framework/")).data["dimensions"] == []
    assert ada.call("GET", path(plain, "framework/coverage-gaps/")).data == []


def test_the_list_is_a_drf_page_with_search(ada: Caller) -> None:
    for number in range(5):
        create_program(ada, name=f"Program {number}", labels=["oncology"] if number == 3 else [])

    first = ada.call("GET", "/programs/?limit=2")
    assert first.status_code == 200
    assert set(first.data) == {"count", "next", "previous", "results"}
    assert first.data["count"] == 5 and first.data["previous"] is None
    assert [p["name"] for p in first.data["results"]] == ["Program 4", "Program 3"]
    assert first.data["next"].startswith("http://testserver/programs/?")
    last = ada.call("GET", "/programs/?offset=4&limit=2").data
    assert last["next"] is None and "offset=2" in last["previous"]
    assert [p["name"] for p in last["results"]] == ["Program 0"]

    found = ada.call("GET", "/programs/?search=oncology").data
    assert [p["name"] for p in found["results"]] == ["Program 3"]
    assert found["results"][0]["labels"][0]["name"] == "oncology"
    assert ada.call("GET", "/programs/?limit=x").data["details"]["field"] == "limit"


def test_the_literal_paths_win_over_a_program_id(ada: Caller, program: dict[str, Any]) -> None:
    types = ada.call("GET", "/programs/program-types/").data
    assert "target_discovery" in [t["key"] for t in types]
    templates = ada.call("GET", "/programs/framework-templates").data
    assert {t["key"] for t in templates} >= {"target_validation", "biomarker_development"}
    assert ada.call("GET", "/programs/stats/").data == {"total": 1, "active": 1}
    labels = ada.call("GET", "/programs/labels/")
    assert labels.status_code == 200 and labels.data == []


def test_labels_are_created_and_listed_per_organization(ada: Caller) -> None:
    created = ada.call(
        "POST", "/programs/labels/", {"name": "NSCLC", "category": "indication", "color": "#1f77b4"}
    )
    assert created.status_code == 201
    again = ada.call("POST", "/programs/labels/", {"name": "nsclc"})
    assert again.status_code == 409
    bad = ada.call("POST", "/programs/labels/", {"name": "x", "color": "blue"})
    assert bad.status_code == 400 and bad.data["details"]["field"] == "color"
    program = create_program(ada, labels=["NSCLC", "small molecule"])
    assert {label["name"] for label in program["labels"]} == {"NSCLC", "small molecule"}
    listed = ada.call("GET", "/programs/labels/").data
    assert [(label["name"], label["category"]) for label in listed] == [
        ("small molecule", ""),
        ("NSCLC", "indication"),
    ]


def test_experiments_analyses_and_files_become_evidence_under_dimensions(
    ada: Caller,
    program: dict[str, Any],
    experiment: Experiment,
    analysis: Analysis,
    attachment: ExperimentFile,
) -> None:
    by_id = add_asset(
        ada,
        program,
        kind="experiment",
        object_id=experiment.pluto_id,
        dimension="disease_expression",
    )
    assert by_id.status_code == 201, by_id.data
    assert by_id.data["object_uuid"] == str(experiment.uuid)
    assert by_id.data["dimension"]["key"] == "disease_expression"
    of_analysis = add_asset(
        ada,
        program,
        kind="analysis",
        object_id=str(analysis.uuid),
        dimension="disease_expression",
        note="Up in 80% of tumours.",
    )
    assert of_analysis.data["name"] == "Tumour vs normal"
    assert of_analysis.data["experiment"]["pluto_id"] == experiment.pluto_id
    of_file = add_asset(ada, program, kind="file", object_id=str(attachment.uuid))
    assert of_file.data["dimension"] is None and of_file.data["name"] == "Protocol"

    assets = ada.call("GET", path(program, "assets/")).data
    assert [a["kind"] for a in assets] == ["experiment", "analysis", "file"]

    summary = ada.call("GET", path(program, "framework/summary/")).data
    by_key = {d["key"]: d for d in summary["dimensions"]}
    assert by_key["disease_expression"]["evidence_count"] == 2
    assert by_key["disease_expression"]["covered"] is True
    assert [e["kind"] for e in by_key["disease_expression"]["evidence"]] == [
        "experiment",
        "analysis",
    ]
    assert summary["covered_count"] == 1 and summary["gap_count"] == 4
    assert summary["asset_count"] == 3 and summary["unassigned_count"] == 1

    gaps = ada.call("GET", path(program, "framework/coverage-gaps/")).data
    assert [g["key"] for g in gaps] == [k for k in TEMPLATE_KEYS if k != "disease_expression"]
    sources = ada.call("GET", path(program, "framework/evidence-sources/")).data
    assert sources == [
        {
            "kind": "experiment",
            "uuid": str(experiment.uuid),
            "pluto_id": experiment.pluto_id,
            "name": experiment.name,
            "asset_count": 3,
            "dimensions": ["disease_expression"],
        }
    ]


def test_bad_evidence_is_refused_naming_the_field(
    ada: Caller, bob: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    kind = add_asset(ada, program, kind="paper", object_id=experiment.pluto_id)
    assert kind.status_code == 400 and kind.data["details"]["field"] == "kind"
    missing = add_asset(ada, program, kind="experiment")
    assert missing.status_code == 400 and missing.data["details"]["field"] == "object_id"
    dimension = add_asset(
        ada, program, kind="experiment", object_id=experiment.pluto_id, dimension="vibes"
    )
    assert dimension.status_code == 400 and dimension.data["details"]["field"] == "dimension"
    assert "genetic_evidence" in dimension.data["message"]
    nowhere = add_asset(ada, program, kind="analysis", object_id=str(uuid.uuid4()))
    assert nowhere.status_code == 404 and nowhere.data["details"]["field"] == "object_id"
    malformed = add_asset(ada, program, kind="file", object_id="protocol.pdf")
    assert malformed.status_code == 400 and malformed.data["code"] == "invalid_object_id"

    bobs = make_experiment(bob.user, make_project(bob.user, "Bob's atlas"))
    hidden = add_asset(ada, program, kind="experiment", object_id=bobs.pluto_id)
    assert hidden.status_code == 404 and hidden.data["details"]["field"] == "object_id"

    assert (
        add_asset(ada, program, kind="experiment", object_id=experiment.pluto_id).status_code == 201
    )
    twice = add_asset(ada, program, kind="experiment", object_id=str(experiment.uuid))
    assert twice.status_code == 409
    assert len(ada.call("GET", path(program, "assets/")).data) == 1


def test_a_new_framework_version_keeps_evidence_by_dimension_key(
    ada: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    add_asset(ada, program, kind="experiment", object_id=experiment.pluto_id, dimension="safety")
    dimensions = [
        {"key": "safety", "name": "Safety and tolerability"},
        {"name": "Patient selection", "description": "Who responds."},
    ]
    answer = ada.call(
        "POST", path(program, "framework/versions/"), {"dimensions": dimensions, "note": "Focus."}
    )
    assert answer.status_code == 201, answer.data
    assert answer.data["number"] == 2
    assert [d["key"] for d in answer.data["dimensions"]] == ["safety", "patient_selection"]

    framework = ada.call("GET", path(program, "framework/")).data
    assert framework["current_version"] == 2
    assert [(d["name"], d["evidence_count"]) for d in framework["dimensions"]] == [
        ("Safety and tolerability", 1),
        ("Patient selection", 0),
    ]
    gaps = ada.call("GET", path(program, "framework/coverage-gaps/")).data
    assert [g["key"] for g in gaps] == ["patient_selection"]
    versions = ada.call("GET", path(program, "framework/versions/")).data
    assert [(v["number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    assert len(versions[1]["dimensions"]) == 5


def test_a_framework_version_is_validated_naming_the_field(
    ada: Caller, program: dict[str, Any]
) -> None:
    cases = [
        ({}, "dimensions"),
        ({"dimensions": []}, "dimensions"),
        ({"dimensions": [{"name": ""}]}, "dimensions.0.name"),
        ({"dimensions": [{"name": "A"}, {"name": "B", "colour": "red"}]}, "colour"),
        (
            {"dimensions": [{"name": "Safety"}, {"key": "safety", "name": "Again"}]},
            "dimensions.1.key",
        ),
    ]
    for body, field in cases:
        answer = ada.call("POST", path(program, "framework/versions/"), body)
        assert answer.status_code == 400, body
        assert answer.data["details"]["field"] == field, answer.data
    assert len(ada.call("GET", path(program, "framework/versions/")).data) == 1


def test_next_steps_and_analysis_spaces_are_added_and_listed(
    ada: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    step = ada.call(
        "POST",
        path(program, "framework/next-steps/"),
        {"text": "Run CRISPR knockout in H358 cells.", "dimension": "functional_validation"},
    )
    assert step.status_code == 201 and step.data["status"] == "open"
    bad = ada.call("POST", path(program, "framework/next-steps/"), {"text": "x", "status": "later"})
    assert bad.status_code == 400 and bad.data["details"]["field"] == "status"
    steps = ada.call("GET", path(program, "framework/next-steps/")).data
    assert [s["dimension"]["key"] for s in steps] == ["functional_validation"]
    gaps = {g["key"]: g for g in ada.call("GET", path(program, "framework/coverage-gaps/")).data}
    assert gaps["functional_validation"]["open_next_steps"] == 1

    space = ada.call(
        "POST",
        path(program, "analysis-spaces/"),
        {"name": "Lung cohort", "experiments": [experiment.pluto_id]},
    )
    assert space.status_code == 201, space.data
    assert space.data["experiments"][0]["uuid"] == str(experiment.uuid)
    unknown = ada.call(
        "POST", path(program, "analysis-spaces/"), {"name": "X", "experiments": ["PLX999999"]}
    )
    assert unknown.status_code == 404 and unknown.data["details"]["field"] == "experiments.0"
    spaces = ada.call("GET", path(program, "analysis-spaces/")).data
    assert [s["name"] for s in spaces] == ["Lung cohort"]


def test_archiving_a_program_counts_it_as_inactive(ada: Caller, program: dict[str, Any]) -> None:
    create_program(ada, name="Second")
    archived = ada.call("PATCH", path(program), {"status": "archived"})
    assert archived.status_code == 200 and archived.data["status"] == "archived"
    assert ada.call("GET", "/programs/stats/").data == {"total": 2, "active": 1}
    bad = ada.call("PATCH", path(program), {"status": "paused"})
    assert bad.status_code == 400 and bad.data["details"]["field"] == "status"


def test_another_users_program_is_not_found(
    ada: Caller, bob: Caller, program: dict[str, Any]
) -> None:
    for rest in ("", "assets/", "framework/", "framework/summary/", "framework/coverage-gaps/"):
        answer = bob.call("GET", path(program, rest))
        assert answer.status_code == 404, rest
    assert add_asset(bob, program, kind="experiment", object_id="PLX000001").status_code == 404
    assert bob.call("GET", "/programs/").data["count"] == 0
    assert bob.call("GET", "/programs/stats/").data == {"total": 0, "active": 0}
    malformed = ada.call("GET", "/programs/not-a-program/assets/")
    assert malformed.status_code == 400 and malformed.data["code"] == "invalid_object_id"


def test_programs_belong_to_the_working_organization(ada: Caller, bob: Caller) -> None:
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    orgs.add_member(lab, bob.user, "member")
    header = {"HTTP_ORGANIZATION": str(lab.uuid)}
    shared = ada.call(
        "POST", "/programs/", {"name": "Lab program", "program_type": "other"}, **header
    )
    assert shared.status_code == 201 and shared.data["organization"]["name"] == lab.name
    own = create_program(ada, name="Personal program")

    scoped = ada.call("GET", "/programs/", **header).data
    assert [p["name"] for p in scoped["results"]] == ["Lab program"]
    assert ada.call("GET", path(own), **header).status_code == 404
    assert {p["name"] for p in ada.call("GET", "/programs/").data["results"]} == {
        "Lab program",
        "Personal program",
    }
    assert [p["name"] for p in bob.call("GET", "/programs/").data["results"]] == ["Lab program"]
    assert (
        bob.call("POST", path(shared.data, "framework/next-steps/"), {"text": "Go"}).status_code
        == 201
    )


def test_guests_of_an_organization_do_not_see_its_programs(ada: Caller, bob: Caller) -> None:
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    orgs.add_member(lab, bob.user, "guest")
    header = {"HTTP_ORGANIZATION": str(lab.uuid)}
    program = ada.call("POST", "/programs/", {"name": "Lab", "program_type": "other"}, **header)
    assert bob.call("GET", path(program.data), **header).status_code == 404
    refused = bob.call("POST", "/programs/", {"name": "Mine", "program_type": "other"}, **header)
    assert refused.status_code == 403


def test_paths_answer_without_their_trailing_slash(ada: Caller, program: dict[str, Any]) -> None:
    for rest in ("framework/summary", "framework/coverage-gaps", "assets"):
        answer = ada.call("GET", f"/programs/{program['uuid']}/{rest}")
        assert answer.status_code == 200, rest
    assert ada.call("GET", "/programs").data["count"] == 1
    created = ada.call("POST", "/programs", {"name": "No slash", "program_type": "other"})
    assert created.status_code == 201
