"""The FASTQ drop zone's form on the Workflows tab: what it pairs files with, and who sees it
(the pairing itself runs in the browser: tests/web/browser/test_fastq_drop_zone.py)."""

from __future__ import annotations

import json
import re

from pluto.server.lab.models import Experiment, ExperimentMember
from pluto.server.pipelines.models import Reference
from tests.conftest import Caller, make_experiment, make_project
from tests.pipelines.test_workflows_tab import workflows_tab
from tests.web.conftest import html, signed_in


def sample_ids_of(page: str) -> list[str]:
    found = re.search(r'<script id="fastq-sample-ids" type="application/json">(.*?)</script>', page)
    assert found, page
    ids: list[str] = json.loads(found.group(1))
    return ids


def test_the_drop_zone_pairs_with_the_sample_ids_and_offers_the_ready_reference(
    ada: Caller, experiment: Experiment, reference: Reference
) -> None:
    page = html(signed_in(ada.user).get(workflows_tab(experiment)))

    assert 'id="fastq-drop"' in page
    assert sample_ids_of(page) == ["S1", "S2", "S3"]
    assert '<select id="fastq-reference" name="reference"><option>tiny</option></select>' in page
    assert f'data-runs-url="/lab/experiments/{experiment.pluto_id}/pipeline-runs/"' in page


def test_without_a_reference_of_its_organism_the_tab_says_who_adds_one(
    ada: Caller, experiment: Experiment
) -> None:
    page = html(signed_in(ada.user).get(workflows_tab(experiment)))

    assert "No ready transcriptome reference of this experiment's organism yet" in page
    assert 'id="fastq-drop"' not in page


def test_without_a_sample_table_the_tab_asks_for_it_first(
    ada: Caller, reference: Reference
) -> None:
    bare = make_experiment(ada.user, make_project(ada.user))

    page = html(signed_in(ada.user).get(workflows_tab(bare)))

    assert "Upload the sample table first" in page and 'id="fastq-drop"' not in page


def test_a_viewer_gets_no_drop_zone(
    ada: Caller, bob: Caller, experiment: Experiment, reference: Reference
) -> None:
    ExperimentMember.objects.create(experiment=experiment, user=bob.user, role="viewer")

    page = html(signed_in(bob.user).get(workflows_tab(experiment)))

    assert 'id="fastq-run"' not in page and "pluto/workflows.js" in page
