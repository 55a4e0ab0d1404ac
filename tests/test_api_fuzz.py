"""Property-based fuzzing of the whole JSON API from its own OpenAPI schema.

Schemathesis reads ``/lab/openapi.json`` and sends generated requests (valid and invalid)
to every operation through the real WSGI application, with a real token, against a world
of real objects. Every answer must be a non-5xx that the schema documents: its status, its
content type and its body.
"""

from __future__ import annotations

import os
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from pluto.server.lab.models import ExperimentMember, ProjectMember
from tests.analyses.conftest import count_data, run_analysis, upload_counts
from tests.analyses.test_external_plots import HTML, RESULTS, upload_external
from tests.conftest import Caller, make_experiment, make_project
from tests.files.conftest import start_upload, upload

PCA_REQUEST = {"analysis_type": "principal_components", "name": "PCA", "parameters": {}}


@dataclass
class World:
    """The objects the fuzzed requests address: Ada's project and experiment with tables, a
    finished PCA plot, an external plot, a file, an open upload session and a viewer."""

    owner: Caller
    ids: dict[str, str]


@pytest.fixture
def world(make_caller: Any) -> World:
    owner, viewer = make_caller("ada"), make_caller("carol")
    project = make_project(owner.user)
    experiment = make_experiment(owner.user, project)
    upload_counts(owner, experiment, count_data(genes=60, per_group=3, changed=10, rare=5))
    ProjectMember.objects.create(project=project, user=viewer.user, role="viewer")
    ExperimentMember.objects.create(experiment=experiment, user=viewer.user, role="viewer")
    base = f"/lab/experiments/{experiment.pluto_id}"
    created = owner.call("POST", f"{base}/analyses/", PCA_REQUEST)
    assert created.status_code == 202, created.data
    analysis = run_analysis(created.data["uuid"])
    plot = analysis.plot
    display = plot.displays.first()
    external = owner.call(
        "POST",
        f"{base}/external/plots/",
        {
            "name": "Clusters",
            "display_file_id": upload_external(owner, experiment, "c.html", HTML),
            "results_file_id": upload_external(owner, experiment, "c.csv", RESULTS),
        },
    )
    assert external.status_code == 201, external.data
    attachment = upload(owner, experiment, b"%PDF-1.4 protocol\n")
    session = start_upload(owner, experiment, b"0123456789")
    ids = {
        "project_id": project.pluto_id,
        "experiment_id": experiment.pluto_id,
        "user_id": str(viewer.user.uuid),
        "analysis_id": str(analysis.uuid),
        "plot_id": str(plot.uuid),
        "display_id": str(display.uuid) if display else "",
        "file_id": attachment["uuid"],
        "session_id": session.data["uuid"],
        "version": "1",
        "external_plot_id": external.data["uuid"],
    }
    return World(owner, ids)


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The WSGI application, keeping the test's database connection across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world: World, wsgi_app: Any) -> OpenApiSchema:
    """The API's schema, read from the application with the owner's token."""
    return schemathesis.openapi.from_wsgi(
        "/lab/openapi.json",
        wsgi_app,
        config=SchemathesisConfig.from_dict(CONFIG),
        headers={"Authorization": f"Token {world.owner.key}"},
    )


schema = schemathesis.pytest.from_fixture("api_schema")


# Operations whose valid requests depend on stored data the schema cannot list: file contents,
# column, sample and gene names, an analysis's parameters for this experiment's samples and
# the columns of its results, existing users' emails, the teams of the object's organization,
# uploaded files' ids, options of the display's own type, the pipelines this experiment's type
# runs and their input files, the history cursors the server handed out. A request
# the schema allows may be refused with 400 there, naming what to change.
DATA_DEPENDENT = {
    "GET /lab/experiments/{experiment_id}/sample-data/",
    "GET /lab/experiments/{experiment_id}/assay-data/",
    "GET /lab/experiments/{experiment_id}/sample-data/download/",
    "GET /lab/experiments/{experiment_id}/assay-data/download/",
    "GET /lab/experiments/{experiment_id}/plots/{plot_id}/data/",
    "GET /lab/experiments/{experiment_id}/plots/{plot_id}/download/",
    "GET /lab/experiments/{experiment_id}/analyses/{analysis_id}/summary/",
    "PUT /lab/experiments/{experiment_id}/sample-data/",
    "PUT /lab/experiments/{experiment_id}/assay-data/",
    "POST /lab/gene-set-collections/",
    "POST /lab/experiments/{experiment_id}/analyses/",
    "POST /lab/experiments/{experiment_id}/analyses/{analysis_id}/rerun/",
    "POST /lab/projects/{object_id}/members/",
    "POST /lab/experiments/{object_id}/members/",
    "POST /lab/experiments/{experiment_id}/external/plots/",
    "PUT /lab/experiments/{experiment_id}/external/plots/{plot_id}/",
    "PUT /lab/experiments/{experiment_id}/plots/{plot_id}/displays/{display_id}/",
    "POST /lab/experiments/{experiment_id}/upload-sessions/{session_id}/complete/",
    "POST /lab/experiments/{experiment_id}/pipeline-runs/",
    "GET /lab/experiments/{experiment_id}/history/",
    "POST /lab/experiments/{experiment_id}/annotation-sets/",
    "POST /lab/projects/{object_id}/teams/",
    "POST /lab/experiments/{object_id}/teams/",
} | {
    # A rule across items JSON Schema cannot state: a biomodel set's column names are unique
    # (and not the reserved "uuid"); a schema with a name twice is refused naming the column.
    "POST /lab/biomodel-sets/",
    # A new program needs a type, given either as program_type or by its template; a body
    # with neither is refused naming program_type.
    "POST /programs/",
}


def real_id(case: Case, name: str, generated: Any, ids: dict[str, str]) -> Any:
    """In valid requests most generated path ids are swapped for a real object's, so they
    reach the code behind the look-up; a fifth keep the generated (unknown) id. Invalid
    requests keep their malformed ids."""
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if negative or zlib.crc32(repr(generated).encode()) % 5 == 0:
        return generated
    if name == "object_id":
        name = "project_id" if case.operation.path.startswith("/lab/projects/") else "experiment_id"
    if name == "plot_id" and "/external/" in case.operation.path:
        name = "external_plot_id"
    return ids.get(name, generated)


@dataclass
class Figures:
    """What the run sent: requests per operation and by generation mode, statuses, time."""

    operations: list[str]
    started: float = field(default_factory=time.monotonic)
    requests: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    negative: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def record(self, case: Case, status: int) -> None:
        """Count a sent request and its answer's status."""
        self.requests[case.operation.label] += 1
        mode = case.meta.generation.mode.value if case.meta else "explicit"
        self.modes[mode] += 1
        self.negative[case.operation.label] += mode == "negative"
        self.statuses[f"{status // 100}xx"] += 1

    def uncovered(self) -> list[str]:
        """The schema's operations that got no request at all."""
        return [label for label in self.operations if not self.requests[label]]

    def summary(self) -> str:
        """One line: operations covered out of the schema's, requests, statuses, time."""
        covered = len(self.operations) - len(self.uncovered())
        per_operation = [self.requests[label] for label in self.operations]
        return (
            f"API fuzz: {covered} of {len(self.operations)} operations, "
            f"{self.requests.total()} requests ({dict(self.modes)}), "
            f"{min(per_operation, default=0)} to {max(per_operation, default=0)} per operation, "
            f"negative ones to {sum(1 for n in self.negative.values() if n)} operations, "
            f"statuses {dict(sorted(self.statuses.items()))}, 5xx: {self.statuses['5xx']}, "
            f"{time.monotonic() - self.started:.0f} s"
        )


# Each operation's share: Hypothesis stops generating once it has this many cases (fewer when
# the operation's space of requests is smaller), so every case generated is sent and the run's
# length follows from the number of operations, not from a clock.
MAX_EXAMPLES = int(os.environ.get("PLUTO_FUZZ_EXAMPLES") or 12)

# The fuzzing phase draws valid and invalid requests alike, up to MAX_EXAMPLES per operation.
# The coverage phase is off: it sends every boundary case the schema defines, however many
# (from 8 for an operation to over a thousand for the analyses' POST), and cannot be capped.
CONFIG = {
    "generation": {"mode": "all"},
    "phases": {"coverage": {"enabled": False}},
}


def operation_labels(api_schema: OpenApiSchema) -> list[str]:
    """Every operation of the schema, those it defines wrongly too (they get no request)."""
    return [
        result.ok().label if isinstance(result, Ok) else result.err().label
        for result in api_schema.get_all_operations()
    ]


@pytest.fixture
def figures(request: pytest.FixtureRequest, api_schema: OpenApiSchema) -> Iterator[Figures]:
    """The run's figures, printed at its end; an operation of the schema that got no request
    fails the run."""
    collected = Figures(operations=operation_labels(api_schema))
    yield collected
    capture: Any = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{collected.summary()}")
    assert not collected.uncovered(), f"operations that got no request: {collected.uncovered()}"


# One test for the whole schema, each operation a subtest: the world below is built once and
# every operation's requests address the same objects.
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    # The same examples on every run of a commit, so that `make test` says the same thing twice;
    # `make fuzz` draws new ones (PLUTO_FUZZ_FRESH), more of them, to look for what is not known.
    derandomize=not os.environ.get("PLUTO_FUZZ_FRESH"),
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    case: Case, world: World, figures: Figures
) -> None:
    for name, value in list((case.path_parameters or {}).items()):
        case.path_parameters[name] = real_id(case, name, value, world.ids)
    headers = {"Authorization": f"Token {world.owner.key}"}
    response = case.call(headers=headers)
    figures.record(case, response.status_code)
    excluded: list[Any] = (
        [positive_data_acceptance] if case.operation.label in DATA_DEPENDENT else []
    )
    case.validate_response(response, headers=headers, excluded_checks=excluded)
