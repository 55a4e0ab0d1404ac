"""The Activity tab of the experiment page: events newest first, and older ones by cursor."""

from __future__ import annotations

import re

from pluto.server.history.services import record
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.web.conftest import html, signed_in


def activity(experiment: Experiment, query: str = "") -> str:
    return f"/experiments/{experiment.pluto_id}/?tab=activity{query}"


def descriptions(page: str) -> list[str]:
    """The event sentences of the page, in order."""
    return re.findall(r'<span class="what">([^<]*)</span>', page)


def test_the_activity_tab_lists_what_happened_newest_first(
    ada: Caller, experiment: Experiment
) -> None:
    client = signed_in(ada.user)
    form = {
        "action": "edit",
        "name": "Renamed",
        "description": experiment.description,
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
        "share_level": "private",
    }
    saved = client.post(activity(experiment), form)
    assert saved.status_code in (200, 302)

    page = html(client.get(activity(experiment)))

    assert 'href="?tab=activity" aria-current="page"' in page
    assert descriptions(page)[-1] == f"Created the experiment “{experiment.name}”."
    assert descriptions(page)[0] == "Changed its name."
    assert "Ada Tester" in page
    assert "Older" not in page


def test_older_events_are_one_link_away(ada: Caller, experiment: Experiment) -> None:
    for number in range(120):
        record(experiment, ada.user, "experiment_edited", f"Edit {number}.")
    client = signed_in(ada.user)

    first = html(client.get(activity(experiment)))
    older = re.search(r'href="\?tab=activity&amp;cursor=([^"]+)"[^>]*>Older', first)
    assert older is not None
    second = html(client.get(activity(experiment, f"&cursor={older.group(1)}")))

    assert descriptions(first)[0] == "Edit 119." and len(descriptions(first)) == 100
    assert descriptions(second)[0] == "Edit 19." and len(descriptions(second)) == 21
    assert "Newer" in second and "Older" not in second


def test_a_cursor_not_handed_out_shows_the_newest_events_and_says_so(
    ada: Caller, experiment: Experiment
) -> None:
    page = html(signed_in(ada.user).get(activity(experiment, "&cursor=nonsense")))

    assert "is not a cursor of this history" in page
    assert len(descriptions(page)) == 1


def test_strangers_do_not_see_the_activity(bob: Caller, experiment: Experiment) -> None:
    answer = signed_in(bob.user).get(activity(experiment), HTTP_ACCEPT="text/html")

    assert answer.status_code == 404
