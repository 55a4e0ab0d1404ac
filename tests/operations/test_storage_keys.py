"""The storage lists its objects' keys, which backups copy."""

from __future__ import annotations

from pathlib import Path

from pluto.server.storage import INCOMING_PREFIX, LocalStorage


def test_keys_lists_every_object_sorted_but_not_one_still_being_written(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "objects")
    storage.put("files/b/2", b"two")
    storage.put("datasets/a.parquet", b"one")
    (tmp_path / "objects" / "files" / "b" / f"{INCOMING_PREFIX}xyz").write_bytes(b"half")

    assert list(storage.keys()) == ["datasets/a.parquet", "files/b/2"]


def test_an_empty_storage_has_no_keys(tmp_path: Path) -> None:
    assert list(LocalStorage(tmp_path / "objects").keys()) == []
