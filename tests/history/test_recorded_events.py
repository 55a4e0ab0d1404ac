"""Every change to an experiment appears once in its history, newest first, with who made it."""

from __future__ import annotations

from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_REQUEST,
    count_data,
    exp_path,
    post_analysis,
    put_csv,
    run_analysis,
    upload_counts,
)
from tests.analyses.test_failures import zero_counts
from tests.conftest import Caller
from tests.files.conftest import upload
from tests.history.conftest import actions, history


def test_a_new_experiment_starts_its_history_with_its_creation(
    ada: Caller, experiment: Experiment
) -> None:
    page = history(ada, experiment)

    assert [item["action"] for item in page["items"]] == ["experiment_created"]
    event = page["items"][0]
    assert event["actor"] == {
        "uuid": str(ada.user.uuid),
        "name": ada.user.get_full_name(),
        "email": ada.user.email,
    }
    assert experiment.name in event["description"]
    assert event["created_at"].endswith("Z") and event["uuid"]
    assert page["next"] is None and page["next_cursor"] is None
    assert page["previous"] is None and page["previous_cursor"] is None


def test_editing_and_sharing_an_experiment_are_recorded(
    ada: Caller, experiment: Experiment
) -> None:
    ada.call("PATCH", exp_path(experiment), {"name": "Renamed", "share_level": "public"})

    event = history(ada, experiment)["items"][0]

    assert event["action"] == "experiment_edited"
    assert event["details"] == {"fields": ["name", "share_level"]}
    assert "shared it as public" in event["description"]


def test_an_edit_that_changes_nothing_leaves_no_event(ada: Caller, experiment: Experiment) -> None:
    same = ada.call("PATCH", exp_path(experiment), {"name": experiment.name, "type": "rnaseq"})

    assert same.status_code == 200
    assert actions(ada, experiment) == ["experiment_created"]


def test_a_refused_edit_leaves_no_event(ada: Caller, experiment: Experiment) -> None:
    refused = ada.call("PATCH", exp_path(experiment), {"name": ""})

    assert refused.status_code == 400
    assert actions(ada, experiment) == ["experiment_created"]


def test_uploads_new_versions_and_restores_are_recorded(
    ada: Caller, experiment: Experiment
) -> None:
    data = count_data(genes=60, changed=10, rare=5)
    upload_counts(ada, experiment, data)
    put_csv(ada, experiment, "sample", data.samples_csv)
    restored = ada.call("POST", exp_path(experiment, "sample-data/versions/1/restore/"))
    assert restored.status_code == 200, restored.data

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items] == [
        "table_restored",
        "table_uploaded",
        "table_uploaded",
        "table_uploaded",
        "experiment_created",
    ]
    assert [(i["details"].get("kind"), i["details"].get("version")) for i in items[:4]] == [
        ("sample", 1),
        ("sample", 2),
        ("assay", 1),
        ("sample", 1),
    ]
    assert "version 2 of the sample data" in items[1]["description"]


def test_a_refused_upload_leaves_no_event(ada: Caller, experiment: Experiment) -> None:
    put_csv(ada, experiment, "sample", count_data().samples_csv)
    mismatched = ada.client.put(
        exp_path(experiment, "assay-data/"),
        data=b"gene_symbol,X1,X2\nACTB,1,2\n",
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert mismatched.status_code == 400
    assert actions(ada, experiment) == ["table_uploaded", "experiment_created"]


def test_an_analysis_is_recorded_when_started_and_when_finished(
    ada: Caller, experiment: Experiment
) -> None:
    upload_counts(ada, experiment, count_data())
    created = post_analysis(ada, experiment, DE_REQUEST)
    started = history(ada, experiment)["items"][0]
    run_analysis(created.data["uuid"])

    finished = history(ada, experiment)["items"][0]

    assert started["action"] == "analysis_started"
    assert started["actor"]["email"] == ada.user.email
    assert started["details"]["analysis"] == created.data["uuid"]
    assert finished["action"] == "analysis_finished"
    assert finished["actor"] is None
    assert finished["details"] == {"analysis": created.data["uuid"], "status": "complete"}


def test_a_failed_analysis_is_recorded_with_its_reason(ada: Caller, experiment: Experiment) -> None:
    data = count_data()
    put_csv(ada, experiment, "sample", data.samples_csv)
    put_csv(ada, experiment, "assay", zero_counts(data))
    created = post_analysis(ada, experiment, DE_REQUEST)
    run_analysis(created.data["uuid"])

    event = history(ada, experiment)["items"][0]

    assert event["action"] == "analysis_failed"
    assert "No gene has at least 3 reads" in event["details"]["message"]


def test_cancelling_a_pending_analysis_is_recorded_once(
    ada: Caller, experiment: Experiment
) -> None:
    upload_counts(ada, experiment, count_data(genes=60, changed=10, rare=5))
    created = post_analysis(ada, experiment, DE_REQUEST).data
    cancel = exp_path(experiment, f"analyses/{created['uuid']}/cancel/")
    ada.call("POST", cancel)
    ada.call("POST", cancel)

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items[:2]] == ["analysis_cancelled", "analysis_started"]
    assert items[0]["actor"]["email"] == ada.user.email


def test_changing_how_a_plot_looks_is_recorded(ada: Caller, experiment: Experiment) -> None:
    upload_counts(ada, experiment, count_data())
    plot = post_analysis(ada, experiment, DE_REQUEST).data["plot"]
    displays = ada.call("GET", exp_path(experiment, f"plots/{plot['uuid']}/displays/")).data
    display = displays[0] if isinstance(displays, list) else displays["items"][0]
    changed = ada.call(
        "PUT",
        exp_path(experiment, f"plots/{plot['uuid']}/displays/{display['uuid']}/"),
        {"plot_title": "Treated vs control, again"},
    )
    assert changed.status_code == 200, changed.data

    event = history(ada, experiment)["items"][0]

    assert event["action"] == "display_edited"
    assert event["details"]["fields"] == ["plot_title"]
    assert event["details"]["plot"] == plot["uuid"]


def test_attaching_and_deleting_files_are_recorded(ada: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, b"%PDF-1.4 protocol")
    deleted = ada.call("DELETE", exp_path(experiment, f"files/{file['uuid']}/"))
    assert deleted.status_code == 204

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items[:2]] == ["file_deleted", "file_attached"]
    assert items[1]["details"]["file"] == file["uuid"]
    assert items[1]["details"]["filename"] == "protocol.pdf"
    assert items[0]["actor"]["email"] == ada.user.email


def test_member_changes_are_recorded(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    members = exp_path(experiment, "members/")
    ada.call("POST", members, {"email": bob.user.email, "role": "viewer"})
    ada.call("PATCH", f"{members}{bob.user.uuid}/", {"role": "editor"})
    ada.call("DELETE", f"{members}{bob.user.uuid}/")
    ada.call("POST", members, {"email": "carol@example.org", "role": "viewer"})

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items[:4]] == [
        "member_added",
        "member_removed",
        "member_role_changed",
        "member_added",
    ]
    assert items[0]["details"] == {"email": "carol@example.org", "role": "viewer"}
    assert items[2]["details"] == {"email": bob.user.email, "role": "editor"}


def test_project_member_changes_are_recorded_on_each_of_its_experiments(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    project = experiment.project
    members = f"/lab/projects/{project.pluto_id}/members/"
    ada.call("POST", members, {"email": bob.user.email, "role": "viewer"})
    ada.call("DELETE", f"{members}{bob.user.uuid}/")

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items[:2]] == ["member_removed", "member_added"]
    added = items[1]
    assert added["description"].startswith(f"On its project “{project.name}”: ")
    assert added["details"] == {
        "email": bob.user.email,
        "role": "viewer",
        "project": project.pluto_id,
    }
    assert added["actor"]["email"] == ada.user.email


def test_a_project_shared_more_widely_is_recorded_on_its_experiments(
    ada: Caller, experiment: Experiment
) -> None:
    project = f"/lab/projects/{experiment.project.pluto_id}/"
    ada.call("PATCH", project, {"share_level": "public"})
    ada.call("PATCH", project, {"share_level": "public", "name": "Renamed atlas"})

    items = history(ada, experiment)["items"]

    assert [item["action"] for item in items].count("sharing_changed") == 1
    assert items[0]["action"] == "sharing_changed"
    assert items[0]["description"].endswith("Sharing became public.")
    assert items[0]["details"]["level"] == "public"
