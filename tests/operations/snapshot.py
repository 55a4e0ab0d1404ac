"""Everything a user reads of an installation over HTTP, for comparing two of them."""

from __future__ import annotations

import hashlib
from typing import Any

import requests

ROWS = {"limit": 100000}


class Reader:
    """GET requests to one server with one API token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON answer of ``GET path``; anything but 200 fails."""
        answer = self.session.get(f"{self.url}/{path}", params=params, timeout=120)
        assert answer.status_code == 200, f"GET {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def download(self, path: str) -> str | None:
        """The SHA-256 of what a download endpoint's signed URL serves (None: no URL)."""
        url = self.get(path)["url"]
        if url is None:
            return None
        answer = requests.get(url, timeout=120)
        assert answer.status_code == 200, f"{url}: {answer.status_code}"
        return hashlib.sha256(answer.content).hexdigest()


def snapshot(url: str, token: str) -> dict[str, Any]:
    """The caller, projects, experiments and everything of each experiment, by path."""
    reader = Reader(url, token)
    shot: dict[str, Any] = {"lab/me/": reader.get("lab/me/")}
    for path in ("lab/projects/", "lab/experiments/"):
        shot[path] = reader.get(path)
    for project in shot["lab/projects/"]["items"]:
        path = f"lab/projects/{project['pluto_id']}/experiments/"
        shot[path] = reader.get(path)
    for experiment in shot["lab/experiments/"]["items"]:
        shot.update(experiment_snapshot(reader, f"lab/experiments/{experiment['pluto_id']}"))
    return shot


def experiment_snapshot(reader: Reader, base: str) -> dict[str, Any]:
    """An experiment: its tables, files (their bytes), analyses and plots (their data)."""
    shot = {base: reader.get(f"{base}/")}
    for table in ("sample-data", "assay-data"):
        shot[f"{base}/{table}/"] = reader.get(f"{base}/{table}/", ROWS)
        shot[f"{base}/{table}/download/"] = reader.download(f"{base}/{table}/download/")
    for path in ("files/", "analyses/", "plots/"):
        shot[f"{base}/{path}"] = reader.get(f"{base}/{path}")
    for group in shot[f"{base}/files/"].values():
        for file in group["items"]:
            path = f"{base}/files/{file['uuid']}/download/"
            shot[path] = reader.download(path)
    for plot in shot[f"{base}/plots/"]["items"]:
        path = f"{base}/plots/{plot['uuid']}"
        shot[f"{path}/data/"] = reader.get(f"{path}/data/", ROWS)
        shot[f"{path}/download/"] = reader.download(f"{path}/download/")
    return shot
