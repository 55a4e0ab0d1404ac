"""A backup taken while users upload new table versions restores to a consistent state:
every version the restored database lists has its stored object, read back whole."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from tests.live_demo import DEMO_EMAIL, DEMO_EXPERIMENT
from tests.operations.installations import new_installation, serving
from tests.operations.snapshot import Reader
from tests.operations.test_backup_restore import ok

pytestmark = pytest.mark.live
SAMPLES = f"lab/experiments/{DEMO_EXPERIMENT}/sample-data/"


class Uploader(threading.Thread):
    """Uploads the same sample table as new versions until stopped; counts them."""

    def __init__(self, url: str, token: str, table: bytes) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.table = url, token, table
        self.stop = threading.Event()
        self.done = 0
        self.failure = ""

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "text/csv"}
        while not self.stop.is_set():
            answer = requests.put(
                f"{self.url}/{SAMPLES}", data=self.table, headers=headers, timeout=60
            )
            if answer.status_code != 200:  # a thread cannot fail the test: it reports
                self.failure = f"{answer.status_code} {answer.text}"
                return
            self.done += 1


def csv_table(reader: Reader) -> bytes:
    """The demo's sample table as its CSV download."""
    url = reader.get(f"{SAMPLES}download/")["url"]
    return requests.get(url, timeout=60).content


def back_up_while_uploading(folder: Path, backup: Path) -> tuple[str, int, int]:
    """The demo served with uploads running through a backup: the token, the samples, the
    uploads that finished while the backup ran."""
    with new_installation(folder) as source:
        ok(source.run("migrate"))
        ok(source.run("demo", "--no-pipelines"))
        token = ok(source.run("token", "create", "--user", DEMO_EMAIL, "--name", "w")).strip()
        with serving(source, folder / "serve.log") as url:
            reader = Reader(url, token)
            samples = reader.get(SAMPLES)["count"]
            uploader = Uploader(url, token, csv_table(reader))
            uploader.start()
            while uploader.done < 2 and uploader.is_alive():
                time.sleep(0.05)
            assert not uploader.failure, uploader.failure
            before = uploader.done
            ok(source.run("backup", str(backup)))
            during = uploader.done - before
            uploader.stop.set()
            uploader.join(timeout=60)
            assert not uploader.failure, uploader.failure
    return token, samples, during


def test_a_backup_taken_during_uploads_restores_every_version_it_lists(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    token, samples, during = back_up_while_uploading(tmp_path / "source", backup)

    with new_installation(tmp_path / "target") as target:
        ok(target.run("restore", str(backup)))
        with serving(target, tmp_path / "serve.log") as url:
            reader = Reader(url, token)
            versions = reader.get(f"{SAMPLES}versions/")["items"]
            counts = []
            for version in versions:
                restore = reader.session.post(
                    f"{url}/{SAMPLES}versions/{version['version']}/restore/", timeout=60
                )
                assert restore.status_code == 200, restore.text
                counts.append(reader.get(SAMPLES)["count"])

    assert during > 0
    assert len(versions) >= 3
    assert counts == [samples] * len(versions)
