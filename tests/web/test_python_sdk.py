"""The Python SDK served as a wheel, and the package index that finds it."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

import pluto
from pluto.server.web.sdk_install import index_install_line, wheel_install_line
from pluto.server.web.wheel import sdk_wheel
from tests.conftest import Caller

WHEEL = f"pluto-{pluto.__version__}-py3-none-any.whl"
SDK_DEPENDENCIES = {"requests", "pandas", "pyarrow", "tqdm", "click"}


def wheel_bytes(client: Client) -> bytes:
    """The served wheel's bytes."""
    response = client.get(f"/sdk/python/{WHEEL}")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def wheel_metadata(content: bytes) -> Any:
    """The wheel's METADATA, parsed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read(f"pluto-{pluto.__version__}.dist-info/METADATA").decode()
    return Parser().parsestr(text)


def test_the_project_page_links_the_wheel_with_its_hash(client: Client) -> None:
    page = client.get("/sdk/python/simple/pluto/")
    content = wheel_bytes(client)

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    digest = hashlib.sha256(content).hexdigest()
    assert f'href="../../{WHEEL}#sha256={digest}"' in page.content.decode()
    assert 'data-requires-python="&gt;=3.11"' in page.content.decode()


def test_the_index_root_lists_only_pluto(client: Client) -> None:
    page = client.get("/sdk/python/simple/")

    assert page.status_code == 200
    assert '<a href="pluto/">pluto</a>' in page.content.decode()


def test_other_projects_are_sent_to_the_upstream_index(client: Client) -> None:
    response = client.get("/sdk/python/simple/Py_Arrow/")

    assert response.status_code == 302
    assert response["Location"] == "https://pypi.org/simple/py-arrow/"


def test_without_an_upstream_index_other_projects_are_not_found(
    client: Client, settings: Any
) -> None:
    settings.SDK_UPSTREAM_INDEX = ""

    response = client.get("/sdk/python/simple/requests/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "only pluto" in response.json()["message"]


def test_a_differently_spelt_pluto_is_sent_to_pluto_s_own_page(client: Client) -> None:
    response = client.get("/sdk/python/simple/Pluto/")

    assert response.status_code == 302 and response["Location"] == "../pluto/"


def test_only_the_sdk_s_wheel_is_served(client: Client) -> None:
    response = client.get("/sdk/python/pluto-9.9.9-py3-none-any.whl")

    assert response.status_code == 404
    assert WHEEL in response.json()["message"]
    assert client.post(f"/sdk/python/{WHEEL}").status_code == 405


def test_the_wheel_revalidates_by_its_hash(client: Client) -> None:
    first = client.get(f"/sdk/python/{WHEEL}")
    again = client.get(f"/sdk/python/{WHEEL}", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "no-cache"
    assert again.status_code == 304


def test_the_wheel_needs_only_the_sdk_s_dependencies(client: Client) -> None:
    meta = wheel_metadata(wheel_bytes(client))
    requirements = meta.get_all("Requires-Dist")

    unconditional = {r.split("<")[0].split(">")[0] for r in requirements if ";" not in r}
    assert meta["Name"] == "pluto" and meta["Version"] == pluto.__version__
    assert unconditional == SDK_DEPENDENCIES
    assert any(r.startswith("django") and 'extra == "server"' in r for r in requirements)


def test_the_wheel_carries_the_pluto_command_and_a_true_record(client: Client) -> None:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(client))) as archive:
        info = f"pluto-{pluto.__version__}.dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        names = set(archive.namelist())
        wrong = [
            line
            for line in record
            if not line.endswith(",,") and line != record_line(archive, line.split(",")[0])
        ]

    assert "pluto = pluto.cli.main:main" in entry_points
    assert {"pluto/__init__.py", "pluto/client/tables.py", "pluto/r/pluto.R"} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert {line.split(",")[0] for line in record} == names
    assert wrong == []


def record_line(archive: zipfile.ZipFile, name: str) -> str:
    """What RECORD must say of an entry."""
    content = archive.read(name)
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(content)}"


def test_the_same_sources_give_the_same_wheel(tmp_path: Path) -> None:
    first = sdk_wheel(tmp_path / "one")
    second = sdk_wheel(tmp_path / "two")

    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()


def test_the_wheel_is_cached_in_the_data_directory_and_rebuilt_when_lost(client: Client) -> None:
    wheel_bytes(client)
    cached = list((django_settings.DATA_DIR / "cache" / "sdk").glob(f"*/{WHEEL}"))
    assert len(cached) == 1
    cached[0].unlink()

    assert wheel_bytes(client)[:2] == b"PK"
    assert cached[0].is_file()


def test_the_account_page_shows_the_install_lines_with_the_server_s_address(
    ada: Caller, settings: Any
) -> None:
    browser = Client()
    browser.force_login(ada.user)
    local = browser.get("/account/").content.decode()
    settings.PUBLIC_URL = "http://pluto.lab.internal:8000"
    public = browser.get("/account/").content.decode()

    assert "<title>Account · Pluto</title>" in local
    assert local.count('id="python-sdk-install"') == 1
    assert f"pip install http://testserver/sdk/python/{WHEEL}" in local
    assert "pip install --index-url http://testserver/sdk/python/simple/ " in local
    assert (
        "pip install --index-url http://pluto.lab.internal:8000/sdk/python/simple/ "
        "--trusted-host pluto.lab.internal pluto"
    ) in public
    assert "--extra-index-url" not in local.replace("<code>--extra-index-url</code>", "")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost"])
def test_a_local_server_needs_no_trusted_host(ada: Caller, settings: Any, host: str) -> None:
    settings.PUBLIC_URL = f"http://{host}"
    browser = Client()
    browser.force_login(ada.user)

    page = browser.get("/account/").content.decode()

    assert f"pip install --index-url http://{host}/sdk/python/simple/ pluto" in page


def test_the_readme_and_the_guide_show_this_version_s_install_lines() -> None:
    repo = Path(__file__).resolve().parents[2]
    docs = (repo / "README.md").read_text() + (repo / "docs" / "scripts.md").read_text()

    assert wheel_install_line("http://127.0.0.1:8000") in docs
    assert index_install_line("http://127.0.0.1:8000") in docs
