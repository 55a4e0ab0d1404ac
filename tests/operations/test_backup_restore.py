"""``pluto backup`` and ``pluto restore``: a backup taken while the server runs, restored into
an empty installation, serves the same data; damaged backups and non-empty installations are
refused with nothing changed. Runs on SQLite, and on PostgreSQL in the PostgreSQL pass."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live_demo import DEMO_EMAIL
from tests.operations.installations import (
    ON_POSTGRES,
    Installation,
    new_installation,
    serving,
)
from tests.operations.snapshot import snapshot

pytestmark = pytest.mark.live


@dataclass
class BackedUp:
    """The demo installation, a backup of it taken while it served, and what it served."""

    source: Installation
    backup: Path
    token: str
    served: dict[str, Any]


def ok(done: Any) -> str:
    """The standard output of a command that must succeed."""
    assert done.returncode == 0, f"{done.args}:\n{done.stdout}\n{done.stderr}"
    return str(done.stdout)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackedUp]:
    folder = tmp_path_factory.mktemp("source")
    with new_installation(folder) as source:
        ok(source.run("migrate"))
        ok(source.run("demo", "--no-pipelines"))
        token = ok(source.run("token", "create", "--user", DEMO_EMAIL, "--name", "b")).strip()
        with serving(source, folder / "serve.log") as url:
            served = snapshot(url, token)
            ok(source.run("backup", str(folder / "backup")))
        yield BackedUp(source, folder / "backup", token, served)


def manifest(backup: Path) -> dict[str, Any]:
    return dict(json.loads((backup / "manifest.json").read_text()))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_restored_installation_serves_every_table_file_and_plot_of_the_backed_up_one(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    with new_installation(tmp_path) as target:
        restored = ok(target.run("restore", str(backed_up.backup)))
        # The same API token works: the backup carried the secret key its hash is keyed by.
        with serving(target, tmp_path / "serve.log") as url:
            served = snapshot(url, backed_up.token)

    assert "Restored the backup" in restored
    assert served.keys() == backed_up.served.keys()
    assert served == backed_up.served
    assert len(served["lab/experiments/"]["items"]) >= 3
    plots = [v for k, v in served.items() if k.endswith("/data/")]
    files = [v for k, v in served.items() if "/files/" in k and k.endswith("/download/")]
    assert plots and all(plot["count"] > 0 for plot in plots)
    assert files and all(files)


def test_the_manifest_lists_every_stored_object_with_its_size_and_sha256(
    backed_up: BackedUp,
) -> None:
    objects = backed_up.source.data_dir / "objects"
    stored = {
        path.relative_to(objects).as_posix(): (path.stat().st_size, sha256(path))
        for path in objects.rglob("*")
        if path.is_file()
    }
    listed = manifest(backed_up.backup)

    assert listed["format_version"] == 1 and listed["pluto_version"]
    assert listed["database"]["vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert {o["key"]: (o["size"], o["sha256"]) for o in listed["objects"]} == stored
    assert any(key.startswith("files/") for key in stored)


def test_a_damaged_backup_is_refused_naming_the_object_and_nothing_is_restored(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.backup, damaged)
    key = manifest(damaged)["objects"][0]["key"]
    with (damaged / "objects" / key).open("r+b") as handle:
        first = handle.read(1)
        handle.seek(0)
        handle.write(bytes([first[0] ^ 0xFF]))

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(damaged))
        # Still empty: the intact backup restores into it.
        again = target.run("restore", str(backed_up.backup))

    assert refused.returncode == 1
    assert f"The backup is damaged: object {key} has SHA-256" in refused.stderr
    ok(again)


def test_a_backup_missing_an_object_is_refused_naming_it(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.backup, damaged)
    key = manifest(damaged)["objects"][-1]["key"]
    (damaged / "objects" / key).unlink()

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(damaged))

    assert refused.returncode == 1
    assert f"The backup is damaged: object {key} is missing." in refused.stderr


def test_restoring_over_a_database_with_tables_is_refused_and_changes_nothing(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    with new_installation(tmp_path) as target:
        ok(target.run("migrate"))
        refused = target.run("restore", str(backed_up.backup))
        objects = target.data_dir / "objects"
        left = [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []

    assert refused.returncode == 1
    assert "The database is not empty" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert left == []


def test_restoring_into_storage_that_holds_an_object_is_refused_naming_it(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    with new_installation(tmp_path) as target:
        stray = target.data_dir / "objects" / "files" / "left-over"
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"an object of another installation")
        refused = target.run("restore", str(backed_up.backup))
        stray.unlink()
        # The database was not touched either: with the object gone the restore succeeds.
        again = target.run("restore", str(backed_up.backup))

    assert refused.returncode == 1
    assert "The storage is not empty: it holds files/left-over" in refused.stderr
    ok(again)


def test_a_restore_over_the_installation_it_came_from_is_refused(backed_up: BackedUp) -> None:
    refused = backed_up.source.run("restore", str(backed_up.backup))

    assert refused.returncode == 1
    assert "is not empty" in refused.stderr


def test_a_backup_into_a_folder_that_holds_files_is_refused(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")

    refused = backed_up.source.run("backup", str(tmp_path))

    assert refused.returncode == 1
    assert "is not an empty folder" in refused.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_folder_without_a_manifest_is_not_taken_for_a_backup(tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(tmp_path / "backup"))

    assert refused.returncode == 1
    assert "is not a Pluto backup: it has no manifest.json" in refused.stderr


def edited_copy(backup: Path, folder: Path, **changes: Any) -> Path:
    """A copy of the backup whose manifest has ``changes`` (``database_vendor`` for the vendor)."""
    shutil.copytree(backup, folder)
    listed = manifest(folder)
    if "database_vendor" in changes:
        listed["database"]["vendor"] = changes.pop("database_vendor")
    listed.update(changes)
    (folder / "manifest.json").write_text(json.dumps(listed))
    return folder


def test_a_backup_of_the_other_kind_of_database_is_refused(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    other = "sqlite" if ON_POSTGRES else "postgresql"
    copy = edited_copy(backed_up.backup, tmp_path / "other", database_vendor=other)

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(copy))

    here = "PostgreSQL" if ON_POSTGRES else "SQLite"
    assert refused.returncode == 1
    assert f"but this installation uses {here}" in refused.stderr


def test_a_backup_of_a_newer_format_is_refused_naming_both_versions(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    copy = edited_copy(backed_up.backup, tmp_path / "newer", format_version=2)

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(copy))

    assert refused.returncode == 1
    assert "version 2; this Pluto reads 'pluto-backup' version 1" in refused.stderr


def test_a_damaged_database_file_is_refused(backed_up: BackedUp, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.backup, damaged)
    database = damaged / manifest(damaged)["database"]["key"]
    database.write_bytes(database.read_bytes()[:-10])

    with new_installation(tmp_path / "target") as target:
        refused = target.run("restore", str(damaged))

    assert refused.returncode == 1
    assert f"the database file {database.name} has SHA-256" in refused.stderr
