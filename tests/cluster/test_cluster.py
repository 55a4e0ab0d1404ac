"""Pluto as a cluster, every part real: nginx in front of two ``pluto serve --no-worker``
web nodes, two ``pluto worker`` nodes, one PostgreSQL and one S3 store (see cluster.py).

Requests go through nginx with a token made by ``pluto token create``; the node that
answered each is named by nginx's response header. The tests share one cluster and run in
order: the last ones kill a worker and a web node."""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from tests.analyses.conftest import DE_REQUEST, count_data
from tests.analyses.processes import children_of, wait_for
from tests.cluster.cluster import NODE_HEADER, Cluster

pytestmark = pytest.mark.live

JOB_TIMEOUT = 150.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A running cluster, stopped (every process) when the module ends."""
    running = Cluster(Path(tempfile.mkdtemp(prefix="pluto-cluster-")))
    try:
        yield running.start()
    except BaseException:
        print(running.logs())
        raise
    finally:
        running.stop()


def call(
    cluster: Cluster, method: str, path: str, url: str = "", **kwargs: Any
) -> requests.Response:
    """An API request with ada's token, through nginx unless ``url`` names a node."""
    headers = {"Authorization": f"Token {cluster.key}", **kwargs.pop("headers", {})}
    return requests.request(
        method, f"{url or cluster.url}/lab/{path}", headers=headers, timeout=60, **kwargs
    )


def new_experiment(cluster: Cluster, name: str) -> str:
    """A project and an experiment made through nginx; the experiment's id."""
    project = call(cluster, "POST", "projects/", json={"name": f"{name} project"})
    assert project.status_code == 201, project.text
    body = {"project": project.json()["pluto_id"], "name": name, "type": "rnaseq"}
    body |= {"organism": "human", "assay_data_units": "raw_counts"}
    experiment = call(cluster, "POST", "experiments/", json=body)
    assert experiment.status_code == 201, experiment.text
    return str(experiment.json()["pluto_id"])


def put_table(cluster: Cluster, experiment: str, kind: str, csv: bytes) -> requests.Response:
    """PUT a sample or assay table as CSV through nginx."""
    headers = {"Content-Type": "text/csv"}
    put = call(cluster, "PUT", f"experiments/{experiment}/{kind}-data/", data=csv, headers=headers)
    assert put.status_code == 200, put.text
    return put


def with_tables(cluster: Cluster, name: str, genes: int = 300, per_group: int = 4) -> str:
    """An experiment with both generated tables uploaded; its id."""
    experiment = new_experiment(cluster, name)
    data = count_data(genes=genes, per_group=per_group)
    put_table(cluster, experiment, "sample", data.samples_csv)
    put_table(cluster, experiment, "assay", data.counts_csv)
    return experiment


@pytest.fixture(scope="module")
def small(cluster: Cluster) -> str:
    """An experiment of 8 samples by 300 genes."""
    return with_tables(cluster, "Small")


def analysis_of(cluster: Cluster, experiment: str, uuid: str) -> dict[str, Any]:
    """The analysis as the API shows it now."""
    current: dict[str, Any] = call(
        cluster, "GET", f"experiments/{experiment}/analyses/{uuid}/"
    ).json()
    return current


def wait_status(cluster: Cluster, experiment: str, uuid: str, wanted: set[str]) -> dict[str, Any]:
    """Poll until the analysis reaches one of ``wanted``; the analysis then."""

    def reached() -> dict[str, Any] | None:
        current = analysis_of(cluster, experiment, uuid)
        return current if current["status"] in wanted else None

    found: dict[str, Any] = wait_for(reached, JOB_TIMEOUT, interval=0.1)
    return found


def queue_de(cluster: Cluster, experiment: str) -> str:
    """Queue a differential expression analysis through nginx; its uuid."""
    created = call(cluster, "POST", f"experiments/{experiment}/analyses/", json=DE_REQUEST)
    assert created.status_code == 202, created.text
    return str(created.json()["uuid"])


def worker_ids(cluster: Cluster, uuids: list[str]) -> dict[str, str]:
    """Each analysis's ``worker_id``, read from the shared database."""
    assert cluster.postgres is not None
    with psycopg.connect(cluster.postgres.url.replace("postgres://", "postgresql://")) as db:
        rows = db.execute(
            "SELECT uuid::text, worker_id FROM analyses_analysis WHERE uuid::text = ANY(%s)",
            (uuids,),
        ).fetchall()
    return {uuid: worker_id for uuid, worker_id in rows}


def pid_of(worker_id: str) -> int:
    """The process id inside a worker id (``host:pid:suffix``)."""
    return int(worker_id.split(":")[1])


def test_tables_uploaded_through_nginx_are_read_back_on_both_nodes(cluster: Cluster) -> None:
    experiment = new_experiment(cluster, "Tables")
    data = count_data(genes=200, per_group=3)
    sample_put = put_table(cluster, experiment, "sample", data.samples_csv)
    assay_put = put_table(cluster, experiment, "assay", data.counts_csv)

    reads = [
        call(cluster, "GET", f"experiments/{experiment}/{kind}-data/?limit=500")
        for kind in ("sample", "assay") * 3
    ]
    direct = [
        call(cluster, "GET", f"experiments/{experiment}/assay-data/?limit=500", url=node.url)
        for node in cluster.web
    ]

    assert (sample_put.json()["count"], assay_put.json()["count"]) == (6, 200)
    assert all(read.status_code == 200 for read in reads + direct)
    assert [read.json()["count"] for read in reads] == [6, 200] * 3
    assert reads[0].json()["items"][0]["sample_id"] == "S01"
    assert direct[0].json() == direct[1].json() == reads[1].json()
    answered = {read.headers[NODE_HEADER] for read in [*reads, sample_put, assay_put]}
    assert answered == {node.address for node in cluster.web}
    assert all(f"upstream={node.address}" in cluster.access_log() for node in cluster.web)


def test_a_resumable_upload_alternating_between_nodes_completes_with_its_sha256(
    cluster: Cluster, small: str
) -> None:
    content = os.urandom(450_000)
    body = {
        "filename": "scan.pdf",
        "data_type": "attachment",
        "file_type": ".pdf",
        "file_size": len(content),
    }
    session = call(cluster, "POST", f"experiments/{small}/upload-sessions/", json=body)
    assert session.status_code == 201, session.text
    path = urlsplit(session.json()["session_url"])
    at = [f"{node.url}{path.path}?{path.query}" for node in cluster.web]

    answers = []
    for number, first in enumerate(range(0, len(content), 100_000)):
        last = min(first + 100_000, len(content)) - 1
        headers = {"Content-Range": f"bytes {first}-{last}/{len(content)}"}
        chunk = content[first : last + 1]
        answers.append(requests.put(at[number % 2], data=chunk, headers=headers, timeout=60))
    complete = call(
        cluster, "POST", f"experiments/{small}/upload-sessions/{session.json()['uuid']}/complete/"
    )

    assert [answer.status_code for answer in answers] == [308, 308, 308, 308, 200]
    assert complete.status_code == 200, complete.text
    assert complete.json()["sha256"] == hashlib.sha256(content).hexdigest()
    link = call(
        cluster, "GET", f"experiments/{small}/files/{complete.json()['uuid']}/download/"
    ).json()["url"]
    assert requests.get(link, timeout=60).content == content


def test_downloads_are_presigned_urls_of_the_store(cluster: Cluster, small: str) -> None:
    answer = call(cluster, "GET", f"experiments/{small}/sample-data/download/")
    url = answer.json()["url"]

    downloaded = requests.get(url, timeout=60)
    ranged = requests.get(url, headers={"Range": "bytes=0-8"}, timeout=60)

    assert cluster.s3 is not None and url.startswith(cluster.s3.endpoint)
    assert "X-Amz-Signature=" in url
    assert downloaded.status_code == 200
    assert downloaded.text.splitlines()[0].startswith("sample_id,")
    assert len(downloaded.text.splitlines()) == 9
    assert (ranged.status_code, ranged.content) == (206, downloaded.content[:9])


def test_analyses_are_picked_up_by_both_workers(cluster: Cluster, small: str) -> None:
    uuids = [queue_de(cluster, small) for _ in range(4)]

    done = [wait_status(cluster, small, uuid, {"complete", "failed"}) for uuid in uuids]

    assert [analysis["status"] for analysis in done] == ["complete"] * 4, done
    owners = {pid_of(worker_id) for worker_id in worker_ids(cluster, uuids).values()}
    assert owners == {worker.pid for worker in cluster.workers}


def test_a_worker_killed_mid_job_has_its_job_finished_by_the_other(cluster: Cluster) -> None:
    large = with_tables(cluster, "Large", genes=20_000, per_group=6)
    uuid = queue_de(cluster, large)
    wait_status(cluster, large, uuid, {"running"})
    owner = pid_of(worker_ids(cluster, [uuid])[uuid])
    (victim,) = [worker for worker in cluster.workers if worker.pid == owner]
    (survivor,) = [worker for worker in cluster.workers if worker.pid != owner]
    wait_for(lambda: children_of(victim.pid), timeout=30, interval=0.02)  # its job process runs

    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    done = wait_status(cluster, large, uuid, {"complete", "failed"})

    assert done["status"] == "complete", done["message"]
    assert done["attempts"] == 2
    assert pid_of(worker_ids(cluster, [uuid])[uuid]) == survivor.pid


def test_requests_keep_succeeding_through_nginx_when_a_web_node_is_killed(
    cluster: Cluster, small: str
) -> None:
    dead, alive = cluster.web
    cluster.processes.kill(dead.process)

    answers = [call(cluster, "GET", f"experiments/{small}/sample-data/") for _ in range(8)]
    written = call(cluster, "PATCH", f"experiments/{small}/", json={"description": "Still here"})

    assert [answer.status_code for answer in answers] == [200] * 8
    assert {answer.headers[NODE_HEADER].split(", ")[-1] for answer in answers} == {alive.address}
    assert written.status_code == 200, written.text
    assert call(cluster, "GET", f"experiments/{small}/").json()["description"] == "Still here"
