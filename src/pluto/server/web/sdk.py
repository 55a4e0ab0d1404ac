"""The R client, served at ``/sdk/pluto.R`` with this server's URL filled in as its default.

Users load it with ``source(url("<server>/sdk/pluto.R"))`` or ``devtools::source_url(...)``,
as Pluto's help page shows, and it talks to the server it came from without more set-up.
"""

from __future__ import annotations

import functools
from importlib import resources

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from pluto.server.web.context import server_url

SERVER_URL_PLACEHOLDER = "__PLUTO_SERVER_URL__"


R_CORE, R_END = "pluto.R", "end.R"


def r_source_names() -> list[str]:
    """The R client's files in the order they are served: the core, each family, the end."""
    names = [item.name for item in resources.files("pluto").joinpath("r").iterdir()]
    families = sorted(name for name in names if name.endswith(".R") and name not in (R_CORE, R_END))
    return [R_CORE, *families, R_END]


@functools.cache
def r_client_source() -> str:
    """The R client as one file: ``pluto/r/pluto.R``, each family's file, then ``end.R``."""
    folder = resources.files("pluto").joinpath("r")
    parts = [folder.joinpath(name).read_text(encoding="utf-8") for name in r_source_names()]
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


def r_string_content(text: str) -> str:
    """``text`` made safe to sit inside an R double-quoted string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


# Exempt from CSRF so that a POST is answered 405 (GET and HEAD only), not a CSRF failure.
@csrf_exempt
@require_safe
def r_client(request: HttpRequest) -> HttpResponse:
    """The R client as plain text, defaulting to this server's public URL."""
    source = r_client_source().replace(
        SERVER_URL_PLACEHOLDER, r_string_content(server_url(request))
    )
    response = HttpResponse(source, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pluto.R"'
    return response
