"""Fixtures shared by the whole suite: users, tokens, API calls over Django's test client."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from pluto.server.accounts import services as accounts
from pluto.server.accounts.models import User
from pluto.server.lab import services as lab
from pluto.server.lab.models import Experiment, Project

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="session", autouse=True)
def shared_compiled_code_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One numba cache for every process the suite starts.

    A worker keeps UMAP's compiled code in its data directory unless ``NUMBA_CACHE_DIR`` says
    otherwise; each test's data directory is new, so every first worker there compiled it all
    again (about 20 s, against 4 s loading it from a cache). The processes inherit this
    environment, so they share one cache for the run, as the workers of one installation do.
    """
    saved = os.environ.get("NUMBA_CACHE_DIR")
    os.environ["NUMBA_CACHE_DIR"] = str(tmp_path_factory.mktemp("numba-cache"))
    yield
    if saved is None:
        del os.environ["NUMBA_CACHE_DIR"]
    else:
        os.environ["NUMBA_CACHE_DIR"] = saved


@dataclass
class Caller:
    """A user with an API token, and a way to call the API as them."""

    user: User
    key: str
    client: Client

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """Send a request with this caller's token; the response, with ``.data`` parsed."""
        extra = {"HTTP_AUTHORIZATION": f"Token {self.key}", **headers}
        return api_call(self.client, method, path, body, **extra)


def api_call(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """A request through Django's test client, its JSON body parsed into ``.data``."""
    send = getattr(client, method.lower())
    if body is None:
        response = send(path, **headers)
    else:
        response = send(path, data=json.dumps(body), content_type="application/json", **headers)
    is_json = response.get("Content-Type", "").startswith("application/json")
    response.data = json.loads(response.content) if is_json and response.content else None
    return response


@pytest.fixture
def make_caller(db: None) -> Callable[..., Caller]:
    """Create a user with a token; ``make_caller("ada")`` gives ada@example.org."""

    def make(name: str = "ada", **fields: Any) -> Caller:
        user = accounts.create_user(
            f"{name}@example.org", name.title(), "Tester", PASSWORD, **fields
        )
        key = accounts.create_token(user, f"{name}'s token").key
        return Caller(user=user, key=key, client=Client())

    return make


@pytest.fixture
def ada(make_caller: Callable[..., Caller]) -> Caller:
    return make_caller("ada")


@pytest.fixture
def bob(make_caller: Callable[..., Caller]) -> Caller:
    return make_caller("bob")


def make_project(owner: User, name: str = "Tumour atlas", **fields: Any) -> Project:
    """A project created through the service, as the API would."""
    return lab.create_project(owner, {"name": name, **fields})


def make_experiment(
    owner: User, project: Project, name: str = "Bulk RNA-seq", **fields: Any
) -> Experiment:
    """An experiment created through the service, as the API would."""
    data = {
        "project": project.pluto_id,
        "name": name,
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
        **fields,
    }
    return lab.create_experiment(owner, data)


# Tests that start their own Pluto processes on a SQLite file of their own, or whose subject
# never reaches the database (pip installing the served SDK wheel, the deployment files):
# they exercise nothing of the database under test, so the PostgreSQL pass
# (`-m "not own_database"`) leaves them out instead of running them twice.
OWN_DATABASE = (
    "tests/r/",
    "tests/cluster/",
    "tests/docs/",
    "tests/web/browser/",
    "tests/bench/",
    "tests/client/test_demo_progress.py",
    "tests/analyses/test_worker_processes.py",
    "tests/analyses/test_demo_command.py",
    "tests/cli/test_admin_commands.py",
    "tests/orgs/test_org_commands.py",
    "tests/pipelines/rnaseq/test_reference_commands.py",
    "tests/cli/test_serve_supervision.py",
    "tests/cli/test_serve_security.py",
    "tests/cli/test_deploy_check.py",
    "tests/web/test_python_sdk_install.py",
    "tests/cli/test_serve_threads.py",
    "tests/pipelines/rnaseq/test_pipeline_demo.py",
    "tests/deploy/",
)


# The slowest tests whose subject is the same on either database: the API fuzzing (minutes
# of generated requests) and the pipelines (real workers running fastp, salmon and the rest;
# every pipeline under tests/pipelines/, those added later too). `make test` runs them in
# the PostgreSQL+S3 pass only (`-m "not one_pass"` in the SQLite pass), so the two passes
# it runs side by side take about as long; any other run of the suite runs them as usual.
# Those among them that run on a database of their own stay in the SQLite pass.
ONE_PASS = (
    "tests/test_api_fuzz.py",
    "tests/pipelines/",
)

# Tests on a database of their own that `make test` runs in the PostgreSQL+S3 pass rather
# than the SQLite one, so that the two passes take about as long: what they start (the
# benchmark suite's server, the cluster with its own PostgreSQL) is the same in either.
POSTGRESQL_PASS_ALSO_RUNS = (
    "tests/bench/",
    "tests/cluster/",
)


def runs_in_one_pass(path: str) -> bool:
    """Whether ``make test`` runs the test file at ``path`` in the PostgreSQL+S3 pass only."""
    if path.startswith(POSTGRESQL_PASS_ALSO_RUNS):
        return True
    return path.startswith(ONE_PASS) and not path.startswith(OWN_DATABASE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that run against a database of their own, and those that
    ``make test`` runs in one of its passes only."""
    root = str(config.rootpath) + "/"
    for item in items:
        path = str(item.path).removeprefix(root)
        if path.startswith(OWN_DATABASE):
            item.add_marker(pytest.mark.own_database)
        if runs_in_one_pass(path):
            item.add_marker(pytest.mark.one_pass)
