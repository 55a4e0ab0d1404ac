"""The demo's smaller experiments beside PLX140206, each with its generated tables and one
finished analysis of the kind it is there to show: a peaks experiment (differential
binding) and a survival cohort (survival curves)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pluto.server.accounts.models import User
from pluto.server.lab import services
from pluto.server.lab.models import Experiment, ExperimentStatus, Project

Tables = tuple[pd.DataFrame, pd.DataFrame]  # samples indexed by sample id; features x samples


@dataclass(frozen=True)
class DemoCohort:
    """One demo experiment: its id and description, its tables and its analyses."""

    pluto_id: str
    name: str
    description: str
    experiment_type: str
    tables: Callable[[], Tables]
    analyses: list[dict[str, Any]] = field(default_factory=list)


def peaks_tables() -> Tables:
    """The generated ATAC-seq peaks experiment."""
    from pluto.server.lab.demo_peaks import generate_peaks_experiment

    peaks = generate_peaks_experiment()
    return peaks.samples, peaks.counts


def survival_tables() -> Tables:
    """The generated survival cohort."""
    from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort

    cohort = generate_survival_cohort()
    return cohort.samples, cohort.counts


COHORTS = [
    DemoCohort(
        pluto_id="PLX140207",
        name="Demo ATAC-seq peaks",
        description="Consensus peaks of the demo's twelve samples, treated and control, as "
        "raw read counts; each peak id names its nearest gene after a '|'.",
        experiment_type="atacseq",
        tables=peaks_tables,
        analyses=[
            {
                "analysis_type": "differential_binding",
                "name": "Treated vs control peaks",
                "parameters": {
                    "group_column": "condition",
                    "experimental_values": ["treated"],
                    "control_values": ["control"],
                },
            }
        ],
    ),
    DemoCohort(
        pluto_id="PLX140208",
        name="Demo survival cohort",
        description="Sixty patients with overall survival in months (os_months, os_event 1 "
        "for a death), stage and age, and RNA-seq raw counts of 2,000 genes; high MKI67 "
        "expression carries a higher risk.",
        experiment_type="rnaseq",
        tables=survival_tables,
        analyses=[
            {
                "analysis_type": "survival",
                "name": "Overall survival by MKI67 expression",
                "parameters": {
                    "time_column": "os_months",
                    "event_column": "os_event",
                    "gene": "MKI67",
                    "covariates": ["stage", "age"],
                },
            }
        ],
    ),
]


def cohort_experiment(user: User, project: Project, cohort: DemoCohort) -> Experiment:
    """The cohort's experiment, created once."""
    experiment = Experiment.objects.filter(pluto_id=cohort.pluto_id).first()
    if experiment is not None:
        return experiment
    data = {
        "project": project.pluto_id,
        "name": cohort.name,
        "description": cohort.description,
        "type": cohort.experiment_type,
        "organism": "human",
        "assay_data_units": "raw_counts",
    }
    return services.create_experiment(user, data, pluto_id=cohort.pluto_id)


def upload_cohort_tables(user: User, experiment: Experiment, cohort: DemoCohort) -> None:
    """Upload the cohort's tables when the experiment has none yet."""
    from pluto.server.tables.services import current_dataset, store_table

    if current_dataset(experiment, "sample") and current_dataset(experiment, "assay"):
        return
    samples, counts = cohort.tables()
    with tempfile.TemporaryDirectory() as folder:
        for kind, frame in (("sample", samples), ("assay", counts)):
            path = Path(folder) / f"{cohort.pluto_id}_{kind}.csv"
            frame.to_csv(path)
            store_table(user, experiment, kind, path, path.name)
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.COMPLETE)


def ensure_cohorts(user: User, project: Project) -> list[Experiment]:
    """Every demo cohort, with its tables and its finished analyses."""
    from pluto.server.analyses.demo import run_analyses

    made = []
    for cohort in COHORTS:
        experiment = cohort_experiment(user, project, cohort)
        upload_cohort_tables(user, experiment, cohort)
        run_analyses(user, experiment, [(None, request) for request in cohort.analyses])
        made.append(experiment)
    return made
