"""A laptop with no clone installs the SDK and the ``pluto`` command from a live server.

pip runs in a fresh virtual environment, as a user's would: the wheel comes from the server
and the SDK's dependencies from the machine's usual package index (its pip configuration).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pluto

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

WHEEL = f"pluto-{pluto.__version__}-py3-none-any.whl"
INSTALL_TIMEOUT = 600
SERVER_ONLY = {"django", "django-ninja", "gunicorn", "pydeseq2", "scikit-learn", "polars"}


def user_environment(**changes: str) -> dict[str, str]:
    """This machine's environment without Pluto's settings or this virtual environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLUTO_", "DJANGO_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if Path(sys.executable).parent != Path(p)
    )
    return {**env, **changes}


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run a command; its output, or the test fails with it."""
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def isolated_from_pip_config() -> dict[str, str]:
    """pip with no configuration and no extra links: only the index on its command line."""
    env = {k: v for k, v in user_environment().items() if not k.startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    """A fresh virtual environment, in a folder with no clone of Pluto."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    return venv


def test_pip_installs_the_sdk_and_the_command_from_the_server(
    live_server: Any, laptop: Path, tmp_path: Path
) -> None:
    bin_dir = laptop / "bin"
    env = user_environment()

    run([str(bin_dir / "pip"), "install", f"{live_server.url}/sdk/python/{WHEEL}"], env, tmp_path)
    imported = run(
        [
            str(bin_dir / "python"),
            "-c",
            "import pluto, sys; print(pluto.__version__, pluto.__file__); "
            "assert not any(m.startswith('django') for m in sys.modules)",
        ],
        env,
        tmp_path,
    )
    helped = run([str(bin_dir / "pluto"), "--help"], env, tmp_path)
    installed = json.loads(run([str(bin_dir / "pip"), "list", "--format=json"], env, tmp_path))

    version, location = imported.split()
    assert version == pluto.__version__ and location.startswith(str(laptop))
    assert "read" in helped and "login" in helped
    names = {package["name"].lower() for package in installed}
    assert {"pluto", "pandas", "pyarrow", "requests", "tqdm", "click"} <= names
    assert not names & SERVER_ONLY


def test_the_index_line_installs_this_server_s_pluto_not_the_one_on_pypi(
    live_server: Any, laptop: Path, tmp_path: Path
) -> None:
    pip = str(laptop / "bin" / "pip")
    index = f"{live_server.url}/sdk/python/simple/"

    output = run(
        [pip, "install", "--no-deps", "--index-url", index, "pluto"],
        isolated_from_pip_config(),
        tmp_path,
    )
    shown = run([pip, "show", "pluto"], isolated_from_pip_config(), tmp_path)

    assert f"Successfully installed pluto-{pluto.__version__}" in output
    assert f"Version: {pluto.__version__}" in shown
    assert "self-hostable lab data platform" in shown


def tiny_wheel(folder: Path) -> str:
    """A minimal wheel of a project ``tiny-dep`` in ``folder``; its file name."""
    name = "tiny_dep-1.0-py3-none-any.whl"
    info = "tiny_dep-1.0.dist-info"
    with zipfile.ZipFile(folder / name, "w") as archive:
        archive.writestr("tiny_dep.py", "")
        archive.writestr(
            f"{info}/METADATA", "Metadata-Version: 2.1\nName: tiny-dep\nVersion: 1.0\n"
        )
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return name


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[str]:
    """A package index on this machine holding ``tiny-dep``: a stand-in for PyPI."""
    root = tmp_path / "upstream"
    (root / "simple" / "tiny-dep").mkdir(parents=True)
    wheel = tiny_wheel(root)
    (root / "simple" / "tiny-dep" / "index.html").write_text(
        f'<a href="../../{wheel}">{wheel}</a>', encoding="utf-8"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/simple/"
    finally:
        server.shutdown()
        server.server_close()


def test_pip_follows_the_index_to_the_upstream_for_other_projects(
    live_server: Any, laptop: Path, tmp_path: Path, upstream: str, settings: Any
) -> None:
    settings.SDK_UPSTREAM_INDEX = upstream
    index = f"{live_server.url}/sdk/python/simple/"

    output = run(
        [
            str(laptop / "bin" / "pip"),
            "download",
            "--no-deps",
            "--index-url",
            index,
            "-d",
            str(tmp_path / "got"),
            "tiny-dep",
        ],
        isolated_from_pip_config(),
        tmp_path,
    )

    assert "Saved" in output and (tmp_path / "got" / "tiny_dep-1.0-py3-none-any.whl").is_file()
