"""A worker loads the libraries the kinds compute with once, before it forks job processes,
while a web process that lists the kinds loads none of the heavy ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.analyses.processes import environment

# A worker process of its own, on a SQLite file of its own.
pytestmark = pytest.mark.own_database

PRELOAD = """
import json, sys
from pluto.cli.django_setup import setup_django
setup_django()
from pluto.server.analyses.registry import all_kinds
from pluto.server.analyses.worker import kind_libraries, preload
listed = sorted(all_kinds())
web_loaded = [module for module in kind_libraries() if module in sys.modules]
preload()
missing = [module for module in kind_libraries() if module not in sys.modules]
print(json.dumps({"kinds": listed, "libraries": kind_libraries(), "web_loaded": web_loaded,
                  "missing": missing}))
"""


def test_a_worker_loads_every_kinds_libraries_before_its_first_job(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PRELOAD],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert {"differential_expression", "survival", "tsne"} <= set(seen["kinds"])
    assert {"pydeseq2.dds", "sklearn.manifold", "umap", "scipy.stats"} <= set(seen["libraries"])
    assert seen["missing"] == []
    assert not {"pydeseq2.dds", "sklearn.manifold", "umap", "gseapy.gsea"} & set(seen["web_loaded"])
