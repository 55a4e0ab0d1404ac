"""History pages: 100 events each, newest first, cursors that stay put as events arrive, and
the experiment's own read permission."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pluto.server.history.models import HistoryEvent
from pluto.server.history.services import record
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import exp_path
from tests.conftest import Caller
from tests.history.conftest import history, history_path


def add_events(experiment: Experiment, actor: Caller, count: int, start: int = 0) -> None:
    """``count`` experiment edits recorded the way the experiment service records them."""
    for number in range(start, start + count):
        record(experiment, actor.user, "experiment_edited", f"Edit {number}.", number=number)


def numbers(page: dict[str, Any]) -> list[int | None]:
    """The edit numbers of a page's events (None for the creation)."""
    return [item["details"].get("number") for item in page["items"]]


def test_pages_hold_100_events_newest_first_and_link_to_older_ones(
    ada: Caller, experiment: Experiment
) -> None:
    add_events(experiment, ada, 230)

    first = history(ada, experiment)
    second = history(ada, experiment, first["next_cursor"])
    third = history(ada, experiment, second["next_cursor"])

    assert numbers(first) == list(range(229, 129, -1))
    assert numbers(second) == list(range(129, 29, -1))
    assert numbers(third) == [*range(29, -1, -1), None]
    assert third["next_cursor"] is None and third["next"] is None
    assert first["previous_cursor"] is None
    assert first["next"].endswith(history_path(experiment, first["next_cursor"]))


def test_previous_cursors_lead_back_to_newer_pages(ada: Caller, experiment: Experiment) -> None:
    add_events(experiment, ada, 230)
    first = history(ada, experiment)
    second = history(ada, experiment, first["next_cursor"])
    third = history(ada, experiment, second["next_cursor"])

    back_to_second = history(ada, experiment, third["previous_cursor"])
    back_to_first = history(ada, experiment, back_to_second["previous_cursor"])

    assert numbers(back_to_second) == numbers(second)
    assert numbers(back_to_first) == numbers(first)
    assert back_to_first["previous_cursor"] is None
    assert back_to_first["next_cursor"] is not None


def test_new_events_do_not_shift_the_pages_being_read(ada: Caller, experiment: Experiment) -> None:
    add_events(experiment, ada, 150)
    first = history(ada, experiment)
    add_events(experiment, ada, 40, start=150)

    second = history(ada, experiment, first["next_cursor"])
    newest = history(ada, experiment)
    back = history(ada, experiment, second["previous_cursor"])

    assert numbers(second) == [*range(49, -1, -1), None]
    assert numbers(newest)[:3] == [189, 188, 187]
    assert numbers(back) == list(range(149, 49, -1))
    assert back["previous_cursor"] is not None


def test_events_recorded_at_the_same_moment_are_neither_lost_nor_repeated(
    ada: Caller, experiment: Experiment
) -> None:
    add_events(experiment, ada, 250)
    HistoryEvent.objects.filter(experiment=experiment).update(created_at=timezone.now())

    seen: list[int | None] = []
    page = history(ada, experiment)
    seen += numbers(page)
    while page["next_cursor"]:
        page = history(ada, experiment, page["next_cursor"])
        seen += numbers(page)

    assert len(seen) == 251 and len(set(seen)) == 251


def test_a_cursor_that_was_not_handed_out_is_refused_naming_the_field(
    ada: Caller, experiment: Experiment
) -> None:
    for cursor in ("garbage", "WyJzaWRld2F5cyIsICIyMDI2IiwgMV0", "%00"):
        answer = ada.call("GET", history_path(experiment, cursor))

        assert answer.status_code == 400, cursor
        assert answer.data["code"] == "invalid"
        assert answer.data["details"]["field"] == "cursor"


def test_viewers_read_the_history_and_strangers_do_not_find_it(
    ada: Caller, bob: Caller, make_caller: Any, experiment: Experiment
) -> None:
    carol = make_caller("carol")
    ada.call("POST", exp_path(experiment, "members/"), {"email": bob.user.email, "role": "viewer"})

    as_viewer = bob.call("GET", history_path(experiment))
    as_stranger = carol.call("GET", history_path(experiment))
    anonymous = ada.client.get(history_path(experiment))

    assert as_viewer.status_code == 200
    assert [i["action"] for i in as_viewer.data["items"]] == ["member_added", "experiment_created"]
    assert as_stranger.status_code == 404 and as_stranger.data["code"] == "not_found"
    assert anonymous.status_code == 401


def test_a_public_experiment_history_is_readable_by_every_user(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    ada.call("PATCH", exp_path(experiment), {"share_level": "public"})

    answer = bob.call("GET", history_path(experiment))

    assert answer.status_code == 200
    assert answer.data["items"][0]["action"] == "experiment_edited"


def test_history_cannot_be_changed_through_the_api(ada: Caller, experiment: Experiment) -> None:
    event = history(ada, experiment)["items"][0]
    path = history_path(experiment)

    answers = [
        ada.call("POST", path, {"action": "x"}),
        ada.call("DELETE", path),
        ada.call("PATCH", f"{path}{event['uuid']}/", {"description": "x"}),
        ada.call("DELETE", f"{path}{event['uuid']}/"),
    ]

    assert [a.status_code for a in answers[:2]] == [405, 405]
    assert [a.status_code for a in answers[2:]] == [404, 404]
    assert HistoryEvent.objects.filter(experiment=experiment).count() == 1


def test_administrators_see_history_in_the_admin_but_cannot_change_it(
    make_caller: Any, experiment: Experiment
) -> None:
    admin = make_caller("root")
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    event = HistoryEvent.objects.get(experiment=experiment)
    admin.client.force_login(admin.user)
    base = "/admin/history/historyevent/"

    listed = admin.client.get(base)
    shown = admin.client.get(f"{base}{event.pk}/change/")
    add = admin.client.get(f"{base}add/")
    delete = admin.client.post(f"{base}{event.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200 and event.description in listed.content.decode()
    assert shown.status_code == 200
    assert add.status_code == 403 and delete.status_code == 403
    assert HistoryEvent.objects.filter(pk=event.pk).exists()
