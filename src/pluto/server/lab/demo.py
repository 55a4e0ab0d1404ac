"""The demo account, project and experiment, with the ids of Pluto's help page.

Running it again changes nothing: every step looks for what it would create first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from pluto.server.accounts.models import User
from pluto.server.analyses.demo import run_demo_analyses
from pluto.server.config import write_private
from pluto.server.lab import services
from pluto.server.lab.demo_cohorts import ensure_cohorts
from pluto.server.lab.demo_upload import attach_demo_protocol, upload_demo_tables
from pluto.server.lab.models import Experiment, Project

DEMO_EMAIL = "demo@pluto.local"
DEMO_PROJECT_ID = "PLXP00286"
DEMO_EXPERIMENT_ID = "PLX140206"
PASSWORD_FILE = "demo-password"


@dataclass(frozen=True)
class DemoInfo:
    """What ``pluto demo`` made or found."""

    user: User
    password: str
    password_is_new: bool
    project: Project
    experiment: Experiment
    cohorts: list[Experiment]


def password_path() -> Path:
    """Where the demo password is kept (readable only by the server's user)."""
    return Path(settings.DATA_DIR) / PASSWORD_FILE


def demo_password() -> tuple[str, bool]:
    """The demo password, generated once and stored in the data directory; and whether it
    was generated just now."""
    path = password_path()
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    password = secrets.token_urlsafe(12)
    write_private(path, password)
    return password, True


def demo_user(password: str) -> User:
    """The demo account, with the stored password."""
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            DEMO_EMAIL, password, first_name="Demo", last_name="Scientist"
        )
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def demo_project(user: User) -> Project:
    """Project PLXP00286."""
    project = Project.objects.filter(pluto_id=DEMO_PROJECT_ID).first()
    if project is not None:
        return project
    data = {
        "name": "Demo project",
        "description": "Example data to explore Pluto with: see experiment PLX140206.",
    }
    return services.create_project(user, data, pluto_id=DEMO_PROJECT_ID)


def demo_experiment(user: User, project: Project) -> Experiment:
    """Experiment PLX140206 "Demo RNA-seq"."""
    experiment = Experiment.objects.filter(pluto_id=DEMO_EXPERIMENT_ID).first()
    if experiment is not None:
        return experiment
    data = {
        "project": project.pluto_id,
        "name": "Demo RNA-seq",
        "description": "Twelve samples, treated and control, of human RNA-seq raw counts.",
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
    }
    return services.create_experiment(user, data, pluto_id=DEMO_EXPERIMENT_ID)


def ensure_demo() -> DemoInfo:
    """Create whatever part of the demo is missing, and say what there is."""
    password, password_is_new = demo_password()
    user = demo_user(password)
    project = demo_project(user)
    experiment = demo_experiment(user, project)
    upload_demo_tables(user, experiment)
    attach_demo_protocol(user, experiment)
    run_demo_analyses(user, experiment)
    cohorts = ensure_cohorts(user, project)
    return DemoInfo(user, password, password_is_new, project, experiment, cohorts)
