"""Analyses over HTTP: generated count experiments, uploads, and jobs run in the test process.

A queued analysis is run the way a worker's child process runs it: ``queue.take`` claims it
and ``execution.execute`` computes and records the outcome.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses import execution, queue
from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import answer_of

WORKER = "test-worker"
DE_PARAMETERS = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}
DE_REQUEST = {
    "analysis_type": "differential_expression",
    "name": "Treated vs control",
    "parameters": DE_PARAMETERS,
}
DE_COLUMNS = ["Gene_Symbol", "Average_Expression", "Log2_Fold_Change", "P_Value", "Adj_P_Value"]
PCA_COLUMNS = ["Sample_ID", "PC1", "PC2", "PC3", "PC4", "PC5", "group_id", "group_name"]
UMAP_COLUMNS = ["Sample_ID", "UMAP1", "UMAP2", "group_id", "group_name"]
GSEA_COLUMNS = [
    "Gene_Set_Shortname",
    "Gene_Set_Name",
    "NES",
    "P_Value",
    "Adj_P_Value",
    "Size",
    "Leading_Edge",
]


@dataclass(frozen=True)
class CountData:
    """A sample table and a count matrix as CSV bodies, with the genes the treatment changes."""

    samples_csv: bytes
    counts_csv: bytes
    genes: list[str]
    up: list[str]
    down: list[str]


def count_data(
    genes: int = 300, per_group: int = 4, seed: int = 7, changed: int = 40, rare: int = 20
) -> CountData:
    """``per_group`` treated and control samples of negative-binomial counts; of the first
    ``changed`` genes, even ones go up fourfold with treatment and odd ones down; the last
    ``rare`` genes have almost no reads (the default feature filter drops them)."""
    rng = np.random.default_rng(seed)
    condition = np.repeat(["control", "treated"], per_group)
    sample_ids = [f"S{i + 1:02d}" for i in range(len(condition))]
    base = np.exp(rng.normal(5.0, 1.0, genes))
    base[genes - rare :] = 0.01
    lfc = np.zeros(genes)
    lfc[:changed] = np.where(np.arange(changed) % 2 == 0, 2.0, -2.0)
    mean = base[:, None] * np.exp2(lfc[:, None] * (condition == "treated")[None, :])
    dispersion = 0.05
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + mean * dispersion))
    symbols = [f"GENE{i + 1}" for i in range(genes)]
    samples = pd.DataFrame(
        {
            "sample_id": sample_ids,
            "condition": condition,
            "batch": np.tile(["b1", "b2"], per_group),
        }
    )
    assay = pd.DataFrame(counts, columns=sample_ids)
    assay.insert(0, "gene_symbol", symbols)
    up = [symbols[i] for i in range(0, changed, 2)]
    down = [symbols[i] for i in range(1, changed, 2)]
    return CountData(csv_bytes(samples), csv_bytes(assay), symbols, up, down)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV without its index."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def exp_path(experiment: Experiment, rest: str = "") -> str:
    """``/lab/experiments/<exp>/<rest>``."""
    return f"/lab/experiments/{experiment.pluto_id}/{rest}"


def put_csv(caller: Caller, experiment: Experiment, kind: str, body: bytes) -> None:
    """Upload a sample (``kind='sample'``) or assay table as a raw CSV body."""
    response = caller.client.put(
        exp_path(experiment, f"{kind}-data/"),
        data=body,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )
    assert response.status_code == 200, response.content


def upload_counts(caller: Caller, experiment: Experiment, data: CountData) -> None:
    """Upload both tables of ``data`` to the experiment."""
    put_csv(caller, experiment, "sample", data.samples_csv)
    put_csv(caller, experiment, "assay", data.counts_csv)


def get(caller: Caller, path: str, **headers: str) -> Any:
    """GET with the caller's token; an answer with the whole (possibly streamed) body."""
    response = caller.client.get(path, HTTP_AUTHORIZATION=f"Token {caller.key}", **headers)
    return answer_of(response)


def run_analysis(analysis_uuid: str) -> Analysis:
    """Run a queued analysis here, exactly as a worker's child would; the finished row."""
    analysis = Analysis.objects.get(uuid=analysis_uuid)
    assert queue.take(analysis.pk, WORKER)
    execution.execute(analysis.pk, WORKER)
    analysis.refresh_from_db()
    return analysis


def post_analysis(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> Any:
    """``POST …/analyses/``; the response with ``.data``."""
    return caller.call("POST", exp_path(experiment, "analyses/"), body)


def start_and_run(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> dict[str, Any]:
    """Create an analysis, run it, and return its analysis object as the API shows it."""
    created = post_analysis(caller, experiment, body)
    assert created.status_code == 202, created.data
    run_analysis(created.data["uuid"])
    answer = caller.call("GET", exp_path(experiment, f"analyses/{created.data['uuid']}/"))
    assert answer.status_code == 200
    result: dict[str, Any] = answer.data
    return result


@pytest.fixture
def data() -> CountData:
    """The default generated experiment: 4 treated and 4 control samples, 300 genes."""
    return count_data()


@pytest.fixture
def experiment(ada: Caller, data: CountData) -> Experiment:
    """ada's raw-count experiment with the generated tables uploaded."""
    created = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, created, data)
    return created


@pytest.fixture
def completed_de(ada: Caller, experiment: Experiment) -> dict[str, Any]:
    """A differential expression analysis of ``experiment``, run to completion."""
    analysis = start_and_run(ada, experiment, DE_REQUEST)
    assert analysis["status"] == "complete", analysis["message"]
    return analysis


@pytest.fixture
def add_member(ada: Caller, experiment: Experiment) -> Callable[[Caller, str], Caller]:
    """Give another user a role on ada's experiment."""

    def add(caller: Caller, role: str) -> Caller:
        added = ada.call(
            "POST", exp_path(experiment, "members/"), {"email": caller.user.email, "role": role}
        )
        assert added.status_code == 201, added.data
        return caller

    return add
