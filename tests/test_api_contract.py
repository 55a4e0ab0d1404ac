"""The wire contract of API.md, checked uniformly over every endpoint of projects,
experiments, members and ``lab/me/``: authentication, ids, trailing slashes, pagination,
the error body, unknown routes, wrong methods, crashes and the OpenAPI schema.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from pluto.server.accounts import keys
from pluto.server.accounts import services as accounts
from pluto.server.accounts.models import ApiToken, User
from pluto.server.lab import schemas
from pluto.server.lab.models import (
    Experiment,
    ExperimentMember,
    Project,
    ProjectMember,
)
from pluto.server.pagination import OBJECT_LIST_MAX_LIMIT
from tests import crash_urls
from tests.conftest import Caller, make_experiment, make_project

# --------------------------------------------------------------------------------------------
# A small world and a table of every endpoint
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    """Ada owns a private project with one experiment; Carol views both; Bob is a stranger;
    Dan has an account but no role anywhere (the one to add as a member)."""

    owner: Caller
    viewer: Caller
    stranger: Caller
    newcomer: User
    project: Project
    experiment: Experiment


@pytest.fixture
def world(make_caller: Callable[..., Caller]) -> World:
    owner, viewer, stranger = make_caller("ada"), make_caller("carol"), make_caller("bob")
    newcomer = make_caller("dan").user
    project = make_project(owner.user)
    experiment = make_experiment(owner.user, project)
    ProjectMember.objects.create(project=project, user=viewer.user, role="viewer")
    ExperimentMember.objects.create(experiment=experiment, user=viewer.user, role="viewer")
    return World(owner, viewer, stranger, newcomer, project, experiment)


@dataclass(frozen=True)
class Endpoint:
    """One method and path of the API; ``{project}``, ``{experiment}``, ``{user}`` and
    ``{email}`` in the path and body are filled in per test."""

    method: str
    template: str
    ok: int
    body: dict[str, Any] | None = field(default=None, hash=False)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def object_kind(self) -> str | None:
        """Which kind of object id the request names, in its path or body."""
        text = self.template + json.dumps(self.body or {})
        if "{experiment}" in text:
            return "experiment"
        if "{project}" in text:
            return "project"
        return None

    @property
    def names_user(self) -> bool:
        return "{user}" in self.template

    def render(self, values: dict[str, str], slash: bool = True) -> tuple[str, Any]:
        """The path and body with the placeholders filled in."""
        path = self.template.format(**values)
        if not slash:
            path = path.rstrip("/")
        body = None
        if self.body is not None:
            body = {
                key: value.format(**values) if isinstance(value, str) else value
                for key, value in self.body.items()
            }
        return path, body


NEW_EXPERIMENT = {
    "project": "{project}",
    "name": "Fresh experiment",
    "type": "rnaseq",
    "organism": "mouse",
    "assay_data_units": "tpm",
}


def member_endpoints(kind: str, placeholder: str) -> list[Endpoint]:
    base = f"/lab/{kind}/{{{placeholder}}}/members/"
    return [
        Endpoint("GET", base, 200),
        Endpoint("POST", base, 201, {"email": "{email}", "role": "viewer"}),
        Endpoint("PATCH", base + "{user}/", 200, {"role": "editor"}),
        Endpoint("DELETE", base + "{user}/", 204),
    ]


ENDPOINTS = [
    Endpoint("GET", "/lab/me/", 200),
    Endpoint("GET", "/lab/projects/", 200),
    Endpoint("POST", "/lab/projects/", 201, {"name": "Fresh project"}),
    Endpoint("GET", "/lab/projects/{project}/", 200),
    Endpoint("PATCH", "/lab/projects/{project}/", 200, {"name": "Renamed project"}),
    Endpoint("GET", "/lab/projects/{project}/experiments/", 200),
    Endpoint("GET", "/lab/experiments/", 200),
    Endpoint("POST", "/lab/experiments/", 201, NEW_EXPERIMENT),
    Endpoint("GET", "/lab/experiments/{experiment}/", 200),
    Endpoint("PATCH", "/lab/experiments/{experiment}/", 200, {"name": "Renamed experiment"}),
    *member_endpoints("projects", "project"),
    *member_endpoints("experiments", "experiment"),
]
LIST_ENDPOINTS = [e for e in ENDPOINTS if e.method == "GET" and e.template.endswith("s/")]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if e.object_kind]
# Writes to an object that exists: a viewer is refused them (creating a project is not one).
OBJECT_WRITES = [e for e in OBJECT_ENDPOINTS if e.method != "GET"]


def values_for(world: World, id_style: str = "pluto_id", **overrides: str) -> dict[str, str]:
    """Placeholder values: the world's objects by public id or UUID, Carol as the member."""

    def ref(obj: Project | Experiment) -> str:
        return obj.pluto_id if id_style == "pluto_id" else str(obj.uuid)

    values = {
        "project": ref(world.project),
        "experiment": ref(world.experiment),
        "user": str(world.viewer.user.uuid),
        "email": world.newcomer.email,
    }
    values.update(overrides)
    return values


def send(
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    client: Client | None = None,
) -> Any:
    """A request through a test client that returns crashes as responses; ``.data`` parsed."""
    client = client or Client(raise_request_exception=False)
    data = "" if body is None else json.dumps(body)
    response = client.generic(
        method, path, data, content_type="application/json", headers=headers or {}
    )
    is_json = response.get("Content-Type", "").startswith("application/json")
    response.data = json.loads(response.content) if is_json and response.content else None
    return response


def token(key: str, scheme: str = "Token") -> dict[str, str]:
    return {"Authorization": f"{scheme} {key}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the one JSON error body of API.md with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.data
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip()
    assert isinstance(body["details"], dict)
    return body


def assert_success(response: Any, status: int) -> None:
    """A success: the expected status, no redirect, and JSON without a top-level ``code``."""
    assert response.status_code == status, response.content
    if status == 204:
        assert response.content == b""
        return
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.data, dict)
    assert "code" not in response.data


def snapshot() -> tuple[Any, ...]:
    """Everything a write endpoint could change, to show a refused write changed nothing."""
    return (
        list(Project.objects.order_by("id").values_list("pluto_id", "name", "share_level")),
        list(Experiment.objects.order_by("id").values_list("pluto_id", "name", "share_level")),
        list(ProjectMember.objects.order_by("id").values_list("user_id", "role")),
        list(ExperimentMember.objects.order_by("id").values_list("user_id", "role")),
    )


# --------------------------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------------------------

FAILURES = ["missing", "unknown", "malformed", "bad_checksum", "bad_scheme", "empty_key"]
FAILURES += ["deleted", "expired", "inactive_user"]


def failing_headers(world: World, failure: str) -> dict[str, str]:
    """Headers for each way of not being authenticated; changes the world where needed."""
    key = world.owner.key
    if failure == "missing":
        return {}
    if failure == "unknown":
        return token(keys.generate_key())
    if failure == "malformed":
        return token("not-a-real-token")
    if failure == "bad_checksum":
        return token(key[:-1] + ("A" if key[-1] != "A" else "B"))
    if failure == "bad_scheme":
        return token(key, "Basic")
    if failure == "empty_key":
        return {"Authorization": "Token "}
    if failure == "deleted":
        accounts.delete_token(ApiToken.objects.get(user=world.owner.user).uuid)
    elif failure == "expired":
        ApiToken.objects.filter(user=world.owner.user).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif failure == "inactive_user":
        User.objects.filter(pk=world.owner.user.pk).update(is_active=False)
    return token(key)


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_auth_failures_are_401_and_change_nothing(
    world: World, endpoint: Endpoint, failure: str
) -> None:
    path, body = endpoint.render(values_for(world))
    headers = failing_headers(world, failure)
    before = snapshot()
    response = send(endpoint.method, path, body, headers=headers)
    code = "not_authenticated" if failure == "missing" else "authentication_failed"
    assert_error(response, 401, code)
    assert response.has_header("WWW-Authenticate")
    assert snapshot() == before


def test_deleted_token_is_refused_on_the_very_next_request(world: World) -> None:
    headers = token(world.owner.key)
    assert send("GET", "/lab/projects/", headers=headers).status_code == 200
    accounts.delete_token(ApiToken.objects.get(user=world.owner.user).uuid)
    assert_error(send("GET", "/lab/projects/", headers=headers), 401, "authentication_failed")


def test_token_with_future_expiry_works_until_it_passes(world: World) -> None:
    tokens = ApiToken.objects.filter(user=world.owner.user)
    tokens.update(expires_at=timezone.now() + timedelta(minutes=5))
    assert send("GET", "/lab/me/", headers=token(world.owner.key)).status_code == 200
    tokens.update(expires_at=timezone.now())
    assert_error(
        send("GET", "/lab/me/", headers=token(world.owner.key)), 401, "authentication_failed"
    )


HEADER_STYLES = {
    "Token": lambda key: {"Authorization": f"Token {key}"},
    "Bearer": lambda key: {"Authorization": f"Bearer {key}"},
    "lower-case scheme": lambda key: {"Authorization": f"token {key}"},
    "upper-case scheme": lambda key: {"Authorization": f"BEARER {key}"},
    "lower-case header name": lambda key: {"authorization": f"Token {key}"},
    "upper-case header name": lambda key: {"AUTHORIZATION": f"Token {key}"},
    "extra spaces": lambda key: {"Authorization": f"  Token   {key}  "},
}


@pytest.mark.parametrize("style", list(HEADER_STYLES))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_header_style_authenticates(world: World, endpoint: Endpoint, style: str) -> None:
    path, body = endpoint.render(values_for(world))
    response = send(endpoint.method, path, body, headers=HEADER_STYLES[style](world.owner.key))
    assert_success(response, endpoint.ok)


def test_a_token_acts_as_its_user(world: World) -> None:
    """Two tokens of one user see the same; another user's token sees only their own."""
    second_key = accounts.create_token(world.owner.user, "second").key
    first = send("GET", "/lab/experiments/", headers=token(world.owner.key)).data
    second = send("GET", "/lab/experiments/", headers=token(second_key)).data
    assert first == second and first["count"] == 1
    assert send("GET", "/lab/me/", headers=token(second_key)).data["email"] == "ada@example.org"
    strangers = send("GET", "/lab/experiments/", headers=token(world.stranger.key)).data
    assert strangers == {"count": 0, "items": []}


# --------------------------------------------------------------------------------------------
# Ids, trailing slashes, hidden objects, viewers
# --------------------------------------------------------------------------------------------


def happy_cases() -> list[Any]:
    cases = []
    for endpoint in ENDPOINTS:
        styles = ["pluto_id", "uuid"] if endpoint.object_kind else ["-"]
        for id_style in styles:
            for slash in (True, False):
                name = f"{endpoint}-{id_style}-{'slash' if slash else 'no-slash'}"
                cases.append(pytest.param(endpoint, id_style, slash, id=name))
    return cases


@pytest.mark.parametrize(("endpoint", "id_style", "slash"), happy_cases())
def test_every_endpoint_by_public_id_and_uuid_with_and_without_slash(
    world: World, endpoint: Endpoint, id_style: str, slash: bool
) -> None:
    path, body = endpoint.render(values_for(world, id_style), slash=slash)
    response = send(endpoint.method, path, body, headers=token(world.owner.key))
    assert response.status_code not in (301, 302, 307, 308)
    assert_success(response, endpoint.ok)
    data = response.data
    # The body arrived intact (no redirect dropped it) and the right object was addressed.
    if body and "name" in body:
        assert data["name"] == body["name"]
    if endpoint.method == "PATCH" and "project" in endpoint.template and "members" not in path:
        assert data["pluto_id"] == world.project.pluto_id
    if body and "email" in body:
        assert data["user"]["email"] == world.newcomer.email
    if body and body.get("role") == "editor":
        assert data == {"user": schemas.user_json(world.viewer.user), "role": "editor"}
    if endpoint.template.endswith("{project}/") and endpoint.method == "GET":
        assert data["uuid"] == str(world.project.uuid)
    if endpoint.template.endswith("{experiment}/") and endpoint.method == "GET":
        assert data["uuid"] == str(world.experiment.uuid)


# Full-width digits look like digits to a careless regular expression.
BAD_IDS = {
    "project": [
        "PLXP123",
        "PLXP0028x",
        "PLX140206",
        "0000286",
        "not-a-uuid",
        "PLXP\uff10\uff10\uff12\uff18\uff16",
        "12345678-1234-1234-1234-1234567890zz",
    ],
    "experiment": [
        "PLX12345",
        "PLXP00286",
        "PLXABCDEF",
        "140206",
        "not-a-uuid",
        "PLX\uff11\uff14\uff10\uff12\uff10\uff16",
        "6f1c2a52-0c39-4c1e-9d43-3c5b0d2f5e7",
    ],
}


def malformed_cases() -> list[Any]:
    return [
        pytest.param(endpoint, bad, id=f"{endpoint}-{bad}")
        for endpoint in OBJECT_ENDPOINTS
        for bad in BAD_IDS[endpoint.object_kind or ""]
    ]


@pytest.mark.parametrize(("endpoint", "bad_id"), malformed_cases())
def test_malformed_ids_are_400_invalid_object_id(
    world: World, endpoint: Endpoint, bad_id: str
) -> None:
    kind = endpoint.object_kind or ""
    path, body = endpoint.render(values_for(world, **{kind: bad_id}))
    before = snapshot()
    response = send(endpoint.method, path, body, headers=token(world.owner.key))
    assert_error(response, 400, "invalid_object_id")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.names_user], ids=str)
def test_malformed_member_ids_are_400_invalid_object_id(world: World, endpoint: Endpoint) -> None:
    path, body = endpoint.render(values_for(world, user="PLX140206"))
    assert_error(
        send(endpoint.method, path, body, headers=token(world.owner.key)), 400, "invalid_object_id"
    )


MISSING = {"pluto_id": {"project": "PLXP99999", "experiment": "PLX999999"}}


@pytest.mark.parametrize("id_style", ["pluto_id", "uuid"])
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_another_users_private_object_is_404_like_a_missing_one(
    world: World, endpoint: Endpoint, id_style: str
) -> None:
    """The stranger cannot tell a hidden object from one that does not exist."""
    hidden = values_for(world, id_style)
    if id_style == "pluto_id":
        missing = values_for(world, id_style, **MISSING["pluto_id"])
    else:
        missing = values_for(
            world, id_style, project=str(uuid.uuid4()), experiment=str(uuid.uuid4())
        )
    before = snapshot()
    answers = []
    for values in (hidden, missing):
        path, body = endpoint.render(values)
        response = send(endpoint.method, path, body, headers=token(world.stranger.key))
        error = assert_error(response, 404, "not_found")
        message = error["message"]
        for kind in ("project", "experiment"):
            message = message.replace(values[kind], "<id>")
        answers.append((message, error["details"]))
    assert answers[0] == answers[1]
    assert world.project.name not in answers[0][0]
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", OBJECT_WRITES, ids=str)
def test_a_viewer_writing_is_403_and_changes_nothing(world: World, endpoint: Endpoint) -> None:
    # The member addressed is the owner: a viewer may leave, but not remove or demote others.
    path, body = endpoint.render(values_for(world, user=str(world.owner.user.uuid)))
    before = snapshot()
    response = send(endpoint.method, path, body, headers=token(world.viewer.key))
    assert_error(response, 403, "permission_denied")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in OBJECT_ENDPOINTS if e.method == "GET"], ids=str)
def test_a_viewer_can_read(world: World, endpoint: Endpoint) -> None:
    path, _ = endpoint.render(values_for(world))
    assert_success(send("GET", path, headers=token(world.viewer.key)), 200)


# --------------------------------------------------------------------------------------------
# Pagination over every list endpoint
# --------------------------------------------------------------------------------------------


@pytest.fixture
def paged(world: World) -> World:
    """Three of everything each list endpoint lists, for Ada."""
    make_project(world.owner.user, "Second project")
    make_project(world.owner.user, "Third project")
    make_experiment(world.owner.user, world.project, "Second experiment")
    make_experiment(world.owner.user, world.project, "Third experiment")
    ProjectMember.objects.create(project=world.project, user=world.newcomer, role="editor")
    ExperimentMember.objects.create(experiment=world.experiment, user=world.newcomer, role="editor")
    return world


def row_key(item: dict[str, Any]) -> str:
    return str(item["user"]["uuid"] if "user" in item else item["uuid"])


def list_path(world: World, endpoint: Endpoint, query: str = "") -> str:
    path, _ = endpoint.render(values_for(world))
    return f"{path}?{query}" if query else path


WINDOWS = [(1, 0), (1, 1), (1, 2), (2, 1), (2, 2), (3, 0), (5, 0), (0, 0), (1, 3), (2, 50)]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=str)
def test_pages_are_windows_of_one_stable_order_with_the_total_count(
    paged: World, endpoint: Endpoint
) -> None:
    headers = token(paged.owner.key)
    full = send("GET", list_path(paged, endpoint), headers=headers).data
    assert full["count"] == 3 and len(full["items"]) == 3
    assert set(full) == {"count", "items"}
    everything = [row_key(item) for item in full["items"]]
    for limit, offset in WINDOWS:
        path = list_path(paged, endpoint, f"limit={limit}&offset={offset}")
        first = send("GET", path, headers=headers)
        second = send("GET", path, headers=headers)
        assert first.status_code == 200, first.content
        assert first.data == second.data
        assert first.data["count"] == 3
        assert [row_key(i) for i in first.data["items"]] == everything[offset : offset + limit]
    only_offset = send("GET", list_path(paged, endpoint, "offset=2"), headers=headers).data
    assert [row_key(i) for i in only_offset["items"]] == everything[2:]


BAD_PAGE_VALUES = [
    ("limit", "-1"),
    ("offset", "-1"),
    ("limit", "abc"),
    ("limit", "1.5"),
    ("limit", "1e3"),
    ("offset", "two"),
    ("offset", "0.5"),
    ("limit", "1_0"),
    ("offset", "\uff11"),
    ("offset", ""),
]


@pytest.mark.parametrize(("param", "value"), BAD_PAGE_VALUES)
@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=str)
def test_negative_or_non_integer_page_values_are_400_invalid_naming_the_field(
    world: World, endpoint: Endpoint, param: str, value: str
) -> None:
    response = send(
        "GET", list_path(world, endpoint, f"{param}={value}"), headers=token(world.owner.key)
    )
    error = assert_error(response, 400, "invalid")
    assert error["details"]["field"] == param
    assert param in error["message"]


@pytest.mark.parametrize("limit", [OBJECT_LIST_MAX_LIMIT + 1, 10**30])
@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=str)
def test_a_limit_over_the_maximum_is_400_limit_too_large_naming_it(
    world: World, endpoint: Endpoint, limit: int
) -> None:
    response = send(
        "GET", list_path(world, endpoint, f"limit={limit}"), headers=token(world.owner.key)
    )
    error = assert_error(response, 400, "limit_too_large")
    assert error["details"]["maximum"] == OBJECT_LIST_MAX_LIMIT
    assert str(OBJECT_LIST_MAX_LIMIT) in error["message"]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=str)
def test_the_maximum_limit_and_huge_offsets_are_fine(paged: World, endpoint: Endpoint) -> None:
    headers = token(paged.owner.key)
    at_max = send(
        "GET", list_path(paged, endpoint, f"limit={OBJECT_LIST_MAX_LIMIT}"), headers=headers
    )
    assert at_max.status_code == 200 and len(at_max.data["items"]) == 3
    for offset in (3, 10**6, 2**63, 10**20):
        response = send("GET", list_path(paged, endpoint, f"offset={offset}"), headers=headers)
        assert response.status_code == 200, response.content
        assert response.data == {"count": 3, "items": []}


# --------------------------------------------------------------------------------------------
# Routes, methods, crashes, bodies on GET, the schema, lab/me/
# --------------------------------------------------------------------------------------------

UNKNOWN_ROUTES = [
    "/lab/",
    "/lab",
    "/lab/nothing-here/",
    "/lab/nothing-here",
    "/lab/projects/PLXP00001/nothing-here/",
    "/lab/experiments/PLX100001/members/extra/segments/",
]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", UNKNOWN_ROUTES)
def test_unknown_routes_under_lab_are_404_json(world: World, path: str, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = send("GET", path, headers=token(world.owner.key))
    body = assert_error(response, 404, "not_found")
    assert "Traceback" not in json.dumps(body)


def test_unknown_routes_without_a_token_are_404_json(db: None) -> None:
    assert_error(send("POST", "/lab/nothing-here", {"a": 1}), 404, "not_found")


WRONG_METHODS = [
    ("DELETE", "/lab/projects/"),
    ("PUT", "/lab/projects/{project}/"),
    ("POST", "/lab/projects/{project}/"),
    ("POST", "/lab/projects/{project}/experiments/"),
    ("PUT", "/lab/experiments/"),
    ("DELETE", "/lab/experiments/{experiment}/"),
    ("POST", "/lab/me/"),
    ("PUT", "/lab/projects/{project}/members/"),
    ("GET", "/lab/experiments/{experiment}/members/{user}/"),
    ("POST", "/lab/experiments/{experiment}/members/{user}"),
]


@pytest.mark.parametrize(("method", "template"), WRONG_METHODS)
def test_wrong_methods_are_405_json_with_allow(world: World, method: str, template: str) -> None:
    path = template.format(**values_for(world))
    before = snapshot()
    response = send(method, path, {"name": "x"}, headers=token(world.owner.key))
    assert_error(response, 405, "method_not_allowed")
    assert response.has_header("Allow") and method not in response["Allow"]
    assert snapshot() == before


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_outside_the_api_handlers_becomes_a_500_json_body(
    world: World, debug: bool
) -> None:
    """A plain view that raises: Django's HTML error page is replaced by the JSON body."""
    with override_settings(ROOT_URLCONF="tests.crash_urls", DEBUG=debug):
        response = send("GET", crash_urls.CRASH_PATH, headers=token(world.owner.key))
        still_routed = send("GET", "/lab/me/", headers=token(world.owner.key))
    body = assert_error(response, 500, "server_error")
    text = response.content.decode()
    assert "Traceback" not in text and crash_urls.SECRET_DETAIL not in text
    assert "RuntimeError" not in text
    assert body["details"] == {}
    assert still_routed.status_code == 200


def test_a_crash_inside_an_endpoint_is_a_500_json_body_and_logged(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A real endpoint whose code fails unexpectedly (here its JSON shape): the caller gets the
    plain JSON body, the operator gets the traceback in the log."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(crash_urls.SECRET_DETAIL)

    monkeypatch.setattr(schemas, "project_json", broken)
    with caplog.at_level(logging.ERROR):
        response = send(
            "GET", f"/lab/projects/{world.project.pluto_id}", headers=token(world.owner.key)
        )
    assert_error(response, 500, "server_error")
    assert crash_urls.SECRET_DETAIL not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records)


def test_a_get_with_a_json_body_works(world: World) -> None:
    headers = token(world.owner.key)
    plain = send("GET", "/lab/experiments/", headers=headers)
    with_body = send("GET", "/lab/experiments/", {"data_type": "attachment"}, headers=headers)
    assert with_body.status_code == 200
    assert with_body.data == plain.data
    one = send("GET", f"/lab/projects/{world.project.pluto_id}/", {"x": 1}, headers=headers)
    assert one.status_code == 200 and one.data["pluto_id"] == world.project.pluto_id


def test_malformed_json_bodies_are_400_invalid(world: World) -> None:
    client = Client(raise_request_exception=False)
    for raw in (b"{not json", b"[1, 2]", b'"text"'):
        response = client.post(
            "/lab/projects/",
            raw,
            content_type="application/json",
            headers=token(world.owner.key),
        )
        response.data = json.loads(response.content)
        assert_error(response, 400, "invalid")


EXPECTED_OPERATIONS = {
    "/lab/me/": {"get"},
    "/lab/projects/": {"get", "post"},
    "/lab/projects/{project_id}/": {"get", "patch"},
    "/lab/projects/{project_id}/experiments/": {"get"},
    "/lab/experiments/": {"get", "post"},
    "/lab/experiments/{experiment_id}/": {"get", "patch"},
    "/lab/projects/{object_id}/members/": {"get", "post"},
    "/lab/projects/{object_id}/members/{user_id}/": {"patch", "delete"},
    "/lab/experiments/{object_id}/members/": {"get", "post"},
    "/lab/experiments/{object_id}/members/{user_id}/": {"patch", "delete"},
}


@pytest.mark.parametrize("path", ["/lab/openapi.json", "/lab/openapi.json/"])
def test_openapi_schema_lists_the_endpoints(world: World, path: str) -> None:
    response = send("GET", path, headers=token(world.owner.key))
    assert response.status_code == 200
    schema = response.data
    assert str(schema["openapi"]).startswith("3.")
    for route, methods in EXPECTED_OPERATIONS.items():
        assert route in schema["paths"], route
        assert methods <= set(schema["paths"][route]), (route, schema["paths"][route].keys())
    create = schema["paths"]["/lab/experiments/"]["post"]["requestBody"]["content"]
    required = create["application/json"]["schema"]["required"]
    assert {"project", "name", "type", "organism", "assay_data_units"} <= set(required)
    patch = schema["paths"]["/lab/experiments/{experiment_id}/"]["patch"]["requestBody"]
    assert not patch["content"]["application/json"]["schema"].get("required")


def test_lab_me_returns_the_caller(world: World) -> None:
    for caller in (world.owner, world.stranger):
        response = send("GET", "/lab/me", headers=token(caller.key))
        assert_success(response, 200)
        assert response.data == {
            "uuid": str(caller.user.uuid),
            "first_name": caller.user.first_name,
            "last_name": "Tester",
            "email": caller.user.email,
        }


def openapi(world: World) -> dict[str, Any]:
    schema: dict[str, Any] = send("GET", "/lab/openapi.json", headers=token(world.owner.key)).data
    return schema


def operations_of(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_documents_its_error_answers_with_the_error_body(world: World) -> None:
    schema = openapi(world)
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "details"]
    for method, path, operation in operations_of(schema):
        statuses = {int(status) for status in operation["responses"]}
        expected = {400, 401, 414, 429, 431}
        expected |= {403} if method != "get" else set()
        expected |= {404} if "{" in path else set()
        expected |= {413} if "requestBody" in operation else set()
        assert expected <= statuses, (method, path, statuses)
        for status in expected:
            content = operation["responses"][str(status)]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_paging_parameters_are_documented_as_bounded_integers(world: World) -> None:
    schema = openapi(world)
    paged = 0
    for method, path, operation in operations_of(schema):
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        if "limit" not in parameters:
            continue
        paged += 1
        limit, offset = parameters["limit"]["schema"], parameters["offset"]["schema"]
        assert limit["type"] == offset["type"] == "integer", (method, path)
        assert limit["minimum"] == offset["minimum"] == 0
        assert limit["maximum"] in (OBJECT_LIST_MAX_LIMIT, 100_000)
    assert paged >= 11


def test_path_ids_are_documented_with_their_patterns(world: World) -> None:
    schema = openapi(world)
    for _, path, operation in operations_of(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "path" or parameter["schema"].get("type") != "string":
                continue
            if "enum" in parameter["schema"]:
                continue
            pattern = re.compile(parameter["schema"]["pattern"])
            name = parameter["name"]
            if name == "project_id" or (name == "object_id" and "/projects/" in path):
                assert pattern.fullmatch(world.project.pluto_id), path
            elif name in ("experiment_id", "object_id"):
                assert pattern.fullmatch(world.experiment.pluto_id), path
                assert not pattern.fullmatch(world.project.pluto_id), path
            assert pattern.fullmatch(str(uuid.uuid4())), (path, name)
            assert not pattern.fullmatch("not-an-id"), (path, name)


@pytest.mark.parametrize("kind", ["projects", "experiments"])
def test_an_empty_patch_is_allowed_by_the_schema_and_changes_nothing(
    world: World, kind: str
) -> None:
    schema = openapi(world)
    path_id = "project_id" if kind == "projects" else "experiment_id"
    body = schema["paths"][f"/lab/{kind}/{{{path_id}}}/"]["patch"]["requestBody"]
    target = world.project if kind == "projects" else world.experiment
    before = send("GET", f"/lab/{kind}/{target.pluto_id}/", headers=token(world.owner.key)).data
    empties: list[dict[str, Any] | None] = [None, {}]
    for empty in empties:
        answer = send(
            "PATCH", f"/lab/{kind}/{target.pluto_id}/", empty, headers=token(world.owner.key)
        )
        assert answer.status_code == 200, answer.content
        assert {k: v for k, v in answer.data.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }
    assert body["required"] is False
    assert body["content"]["application/json"]["schema"]["additionalProperties"] is False
