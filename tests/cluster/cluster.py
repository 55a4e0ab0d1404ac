"""A Pluto cluster on one machine, every part real: PostgreSQL, SeaweedFS's S3 gateway, two
``pluto serve --no-worker`` web nodes with empty data directories of their own, two
``pluto worker`` nodes, and Debian's nginx in front of the web nodes as the load balancer.

Every part listens on a free loopback port and keeps its files in one temporary folder;
``Cluster.stop`` ends every process (SeaweedFS with SIGKILL, it ignores SIGTERM).
``python -m tests.cluster.cluster`` starts one for a person to try (``make cluster``)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.analyses.processes import PLUTO, Processes, free_port, wait_for
from tests.s3_server import S3Server

EMAIL = "ada@example.org"
PASSWORD = "correct horse battery staple 42"
# Short heartbeats, so a killed worker's job is taken over within seconds.
JOB_ENV = {"PLUTO_JOB_HEARTBEAT_SECONDS": "1", "PLUTO_JOB_TIMEOUT_SECONDS": "4"}
START_TIMEOUT = 90.0
NODE_HEADER = "X-Pluto-Node"


def nginx_binary() -> str:
    """Debian's nginx (scripts/install-nginx installs it)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx is not installed; run scripts/install-nginx as root.")
    return found


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL programs (scripts/with-postgres installs them)."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (folder / "initdb").exists():
            return folder
    raise RuntimeError("PostgreSQL is not installed; see scripts/with-postgres.")


@dataclass
class Postgres:
    """A throw-away PostgreSQL server started as scripts/with-postgres starts one, in a
    folder of its own under /tmp (the postgres user cannot enter a private test folder)."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pluto-pg-")))
    port: int = 0

    def as_postgres(self, *args: str) -> None:
        """Run a PostgreSQL program, as the postgres user when we are root (initdb refuses
        to run as root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr or done.stdout}")

    def start(self) -> Postgres:
        """initdb, start on a free port, create the ``pluto`` database."""
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.port, bin_dir = free_port(), postgres_bin()
        data = str(self.folder / "data")
        self.as_postgres(f"{bin_dir}/initdb", "-D", data, "-U", "pluto", "-A", "trust", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self.as_postgres(f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w", "-o", options, "start")
        host = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "pluto"]
        self.as_postgres(f"{bin_dir}/createdb", *host, "pluto")
        return self

    @property
    def url(self) -> str:
        """The ``PLUTO_DATABASE_URL`` of the ``pluto`` database."""
        return f"postgres://pluto@127.0.0.1:{self.port}/pluto"

    def stop(self) -> None:
        """Stop at once (nothing here needs to survive)."""
        data = str(self.folder / "data")
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.as_postgres(f"{postgres_bin()}/pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


NGINX_CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format node '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {folder}/access.log node;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    upstream pluto {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://pluto;
            # A node that refuses or times out is passed over; so is a 502 from one dying.
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Names the node that answered, so tests see requests land on both.
            add_header {header} $upstream_addr always;
        }}
    }}
}}
"""


def nginx_config(folder: Path, port: int, upstreams: list[str]) -> str:
    """nginx's configuration: the web nodes behind one loopback port."""
    servers = "\n".join(
        f"        server {address} max_fails=1 fail_timeout=5s;" for address in upstreams
    )
    return NGINX_CONFIG.format(folder=folder, port=port, servers=servers, header=NODE_HEADER)


@dataclass
class Node:
    """A web node: its process, base URL and data directory."""

    process: subprocess.Popen[bytes]
    url: str
    home: Path

    @property
    def address(self) -> str:
        """``127.0.0.1:port``, as nginx names it in the node header."""
        return self.url.removeprefix("http://")


@dataclass
class Cluster:
    """Every part of the cluster, started by ``start`` and ended by ``stop``."""

    folder: Path
    processes: Processes = field(default_factory=Processes)
    postgres: Postgres | None = None
    s3: S3Server | None = None
    env: dict[str, str] = field(default_factory=dict)
    web: list[Node] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    url: str = ""
    key: str = ""
    worker_count: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)

    def start(self) -> Cluster:
        """Start the database and store, migrate, create ada and her token, then the web
        nodes, the workers and nginx; each waited for until it answers."""
        self.postgres = Postgres().start()
        self.s3 = S3Server(self.folder / "s3").start()
        storage = self.s3.storage_url(self.s3.create_bucket("pluto"), "objects")
        self.env = shared_environment(self.postgres.url, storage)
        self.run(self.folder / "admin", "migrate")
        self.key = self.create_token()
        self.web = [self.start_web(n) for n in (1, 2)]
        numbers = range(1, self.worker_count + 1)
        self.workers = [self.start_worker(n) for n in numbers]
        self.start_nginx()
        for number in numbers:
            self.wait_worker_ready(number)
        return self

    def node_env(self, home: Path) -> dict[str, str]:
        """The shared settings with a data directory of the node's own."""
        home.mkdir(parents=True, exist_ok=True)
        return {**self.env, **JOB_ENV, **self.extra_env, "PLUTO_DATA_DIR": str(home / "data")}

    def run(self, home: Path, *args: str, stdin: str = "") -> str:
        """Run a ``pluto`` command to completion against the shared database; its output."""
        done = subprocess.run(
            [str(PLUTO), *args],
            input=stdin,
            env=self.node_env(home),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_token(self) -> str:
        """Create ada with ``pluto user create`` and her key with ``pluto token create``."""
        admin, names = self.folder / "admin", ["--first-name", "Ada", "--last-name", "Lovelace"]
        self.run(
            admin,
            "user",
            "create",
            "--email",
            EMAIL,
            *names,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        return self.run(admin, "token", "create", "--user", EMAIL, "--name", "cluster").strip()

    def start_web(self, number: int) -> Node:
        """``pluto serve --no-worker`` on a free port with an empty data directory."""
        home, port = self.folder / f"web{number}", free_port()
        args = [
            str(PLUTO),
            "serve",
            "--no-migrate",
            "--no-worker",
            "--workers",
            "1",
            "--port",
            str(port),
        ]
        process = self.processes.start(args, self.node_env(home), home)
        node = Node(process, f"http://127.0.0.1:{port}", home)
        wait_for(lambda: healthy(node.url, process), timeout=START_TIMEOUT, interval=0.2)
        return node

    def start_worker(self, number: int) -> subprocess.Popen[bytes]:
        """``pluto worker`` with a data directory of its own."""
        home = self.folder / f"worker{number}"
        args = [str(PLUTO), "worker", "--poll", "0.2", "--concurrency", "1"]
        return self.processes.start(args, self.node_env(home), home)

    def wait_worker_ready(self, number: int) -> None:
        """Wait until a worker has loaded its libraries and looks at the queue (slow on a
        busy machine), so both take jobs from the first one queued."""
        folder = self.folder / f"worker{number}"

        def ready() -> bool:
            return any(
                "waiting for analyses" in log.read_text(errors="replace")
                for log in folder.glob("*.log")
            )

        wait_for(ready, timeout=180, interval=0.2)

    def start_nginx(self) -> None:
        """nginx in front of every web node; its URL is the cluster's."""
        self.nginx, self.url = self.start_balancer("nginx", self.web)

    def start_balancer(self, name: str, nodes: list[Node]) -> tuple[subprocess.Popen[bytes], str]:
        """nginx as a child process with a generated configuration, in front of ``nodes``;
        the process and its URL, once it answers."""
        folder, port = self.folder / name, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "nginx.conf"
        config.write_text(nginx_config(folder, port, [node.address for node in nodes]))
        args = [
            nginx_binary(),
            "-c",
            str(config),
            "-p",
            str(folder),
            "-e",
            str(folder / "error.log"),
        ]
        nginx = self.processes.start(args, dict(os.environ), folder)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(url, nginx), timeout=START_TIMEOUT, interval=0.2)
        return nginx, url

    def access_log(self) -> str:
        """nginx's access log: each request with the node that answered it."""
        path = self.folder / "nginx" / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        """The tail of every process's log, for failure reports."""
        paths = sorted(self.folder.glob("*/*.log"))
        return "\n".join(
            f"--- {p.relative_to(self.folder)}\n{p.read_text(errors='replace')[-3000:]}"
            for p in paths
        )

    def stop(self) -> None:
        """End every process: Pluto's and nginx, then the store and the database."""
        self.processes.stop_all()
        if self.s3 is not None:
            self.s3.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def shared_environment(database_url: str, storage_url: str) -> dict[str, str]:
    """What every node shares: the database, the store and the secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATABASE_URL"] = database_url
    env["PLUTO_STORAGE_URL"] = storage_url
    env["PLUTO_SECRET_KEY"] = secrets.token_urlsafe(48)
    return env


def healthy(url: str, process: subprocess.Popen[bytes]) -> bool:
    """Whether ``GET /health/`` answers ok (failing at once when the process died)."""
    assert process.poll() is None, f"the process for {url} ended"
    try:
        return requests.get(f"{url}/health/", timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


def describe(cluster: Cluster) -> str:
    """Where a person finds the running cluster, and how to call it."""
    nodes = ", ".join(node.url for node in cluster.web)
    return (
        f"Pluto cluster at {cluster.url} (nginx in front of the web nodes {nodes})\n"
        f"API token for {EMAIL} (password: {PASSWORD}): {cluster.key}\n"
        f'Try: curl -H "Authorization: Token {cluster.key}" {cluster.url}/lab/me/\n'
        f"Logs and data in {cluster.folder}\n"
        "Press Ctrl-C to stop everything."
    )


def main() -> None:
    """Start a cluster, print where it is and a token, and stop it all on Ctrl-C."""
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="pluto-cluster-")))
    # Ctrl-C even when started with SIGINT ignored (as a background job); stopped by
    # SIGTERM instead, it still ends every process it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.start()
        print(describe(cluster), flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping the cluster...", file=sys.stderr)
        cluster.stop()


if __name__ == "__main__":
    main()
