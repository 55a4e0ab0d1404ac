"""Fixtures of the web page tests: signed-in browsers, a project with an experiment and data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from pluto.server.accounts.models import User
from pluto.server.analyses import execution, queue
from pluto.server.analyses.models import Analysis
from pluto.server.analyses.services import create_analysis
from pluto.server.lab import members
from pluto.server.lab.models import Experiment, Project
from pluto.server.tables.services import store_table
from tests.conftest import Caller, make_experiment, make_project

SAMPLE_IDS = [f"S{i}" for i in range(1, 7)]
SAMPLE_CSV = (
    "sample_id,condition,batch\n"
    + "".join(
        f"{s},{'treated' if i % 2 else 'control'},b{i % 2}\n" for i, s in enumerate(SAMPLE_IDS)
    )
).encode()


def counts_csv(genes: int = 60, seed: int = 3) -> bytes:
    """A small count matrix for :data:`SAMPLE_IDS` (gene names GENE1…)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.uniform(5, 500, size=(genes, 1)), size=(genes, len(SAMPLE_IDS)))
    lines = ["gene_symbol," + ",".join(SAMPLE_IDS)]
    lines += [f"GENE{g + 1}," + ",".join(map(str, row)) for g, row in enumerate(counts)]
    return ("\n".join(lines) + "\n").encode()


def signed_in(user: User) -> Client:
    """A browser signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    """A page's HTML."""
    return str(response.content.decode())


def upload(user: User, experiment: Experiment, kind: str, body: bytes, tmp: Path) -> None:
    """Store a table through the tables service, as an upload would."""
    path = tmp / f"{kind}.csv"
    path.write_bytes(body)
    store_table(user, experiment, kind, path, path.name, content_type="text/csv")


def run_pca(user: User, experiment: Experiment) -> Analysis:
    """A principal components analysis, run here as a worker would run it."""
    analysis = create_analysis(
        user,
        experiment,
        "owner",
        {"analysis_type": "principal_components", "parameters": {"group_column": "condition"}},
    )
    if queue.take(analysis.pk, "web-tests"):
        execution.execute(analysis.pk, "web-tests")
    analysis.refresh_from_db()
    return analysis


@pytest.fixture
def project(ada: Caller) -> Project:
    return make_project(ada.user, "Tumour atlas")


@pytest.fixture
def experiment(ada: Caller, project: Project) -> Experiment:
    return make_experiment(ada.user, project, "Bulk RNA-seq")


@pytest.fixture
def with_data(ada: Caller, experiment: Experiment, tmp_path: Path) -> Experiment:
    """The experiment with its sample table and count matrix."""
    upload(ada.user, experiment, "sample", SAMPLE_CSV, tmp_path)
    upload(ada.user, experiment, "assay", counts_csv(), tmp_path)
    return experiment


@pytest.fixture
def add_member(ada: Caller, project: Project) -> Callable[[Caller, str], None]:
    """Give someone a role on the project, as its owner."""

    def add(caller: Caller, role: str) -> None:
        members.add_member("owner", project, {"email": caller.user.email, "role": role})

    return add
