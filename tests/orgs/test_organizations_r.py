"""The R client's organization, member, team and team-share functions against a live server."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Caller
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
lab <- pluto_create_organization("Tumour biology lab")
pluto_add_organization_member(lab$uuid, "bob@example.org", role = "guest")
members <- pluto_get_organization_members(lab$uuid)
bob <- members$uuid[members$email == "bob@example.org"]
pluto_update_organization_member(lab$uuid, bob, "member")
team <- pluto_create_team(lab$uuid, "Imaging")
pluto_add_team_member(lab$uuid, team$uuid, "bob@example.org")
teams <- pluto_get_teams(lab$uuid)
seated <- pluto_get_team_members(lab$uuid, team$uuid)
pluto_use_organization(lab$uuid)
project <- pluto_send_object("POST", "projects/", list(name = "Lab atlas"))
pluto_use_organization(NULL)
shared <- pluto_share_project_with_team(project$pluto_id, team$uuid, "editor")
pluto_remove_team_member(lab$uuid, team$uuid, bob)
after <- pluto_get_team_members(lab$uuid, team$uuid)
pluto_remove_organization_member(lab$uuid, bob)
refused <- tryCatch({
  pluto_add_organization_member(lab$uuid, "nobody@example.org", role = "owner"); "no error" },
  error = conditionMessage)
cat(jsonlite::toJSON(list(
  role = lab$role, members = members$email, roles = members$role,
  new_role = pluto_get_organization_members(lab$uuid)$role,
  teams = teams$name, counts = teams$member_count, seated = seated$email,
  shared = shared$role, after = nrow(after), refused = refused,
  organizations = sapply(pluto_list_organizations(), function(o) o$name)
), auto_unbox = TRUE))
"""


def test_the_r_client_manages_members_and_teams(
    live_server: Any, ada: Caller, bob: Caller, tmp_path: Path
) -> None:
    script = tmp_path / "organizations.R"
    script.write_text(R_SCRIPT.replace("%URL%", live_server.url))
    env = {**os.environ, "PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    env.pop("PLUTO_ORGANIZATION", None)

    done = subprocess.run(
        [rscript(), str(script)], env=env, capture_output=True, text=True, timeout=180
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["role"] == "admin"
    assert seen["members"] == ["ada@example.org", "bob@example.org"]
    assert seen["roles"] == ["admin", "guest"]
    assert seen["new_role"] == "admin"
    assert (seen["teams"], seen["counts"], seen["seated"]) == ("Imaging", 1, "bob@example.org")
    assert seen["shared"] == "editor" and seen["after"] == 0
    assert "'role' must be one of admin, member, guest" in seen["refused"]
    assert seen["organizations"] == ["Ada Tester (personal)", "Tumour biology lab"]
