"""The Python SDK served by the server: its wheel and a package index that finds it.

``/sdk/python/<wheel>`` is the wheel, for ``pip install <server>/sdk/python/<wheel>``.
``/sdk/python/simple/`` is a PEP 503 index for ``pip install --index-url
<server>/sdk/python/simple/ pluto``: the page of ``pluto`` is this server's own, so the
unrelated ``pluto`` on PyPI is never a candidate, and every other project (the SDK's
dependencies) is sent on to the upstream index (``PLUTO_SDK_UPSTREAM_INDEX``).
"""

from __future__ import annotations

import re
import threading
from html import escape

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from pluto.server.errors import NotFound, render_pluto_error
from pluto.server.web.wheel import DISTRIBUTION, Wheel, sdk_wheel

INDEX_CONTENT_TYPE = "text/html; charset=utf-8"
_built: dict[str, Wheel] = {}
_lock = threading.Lock()


def canonical_name(name: str) -> str:
    """A project name as PEP 503 normalises it: ``Py_Arrow`` -> ``py-arrow``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def served_wheel() -> Wheel:
    """The SDK's wheel, built on first use and kept for the process while its file exists."""
    cache_dir = settings.DATA_DIR / "cache" / "sdk"
    key = str(cache_dir)
    with _lock:
        wheel = _built.get(key)
        if wheel is None or not wheel.path.is_file():
            wheel = _built[key] = sdk_wheel(cache_dir)
    return wheel


def anchor(href: str, text: str, requires_python: str = "") -> str:
    """One link of an index page, with the Python versions it needs when there is a limit."""
    needs = f' data-requires-python="{escape(requires_python)}"' if requires_python else ""
    return f'<a href="{escape(href)}"{needs}>{escape(text)}</a><br>'


def index_page(title: str, anchors: list[str]) -> HttpResponse:
    """A simple-index HTML page (PEP 503) of the given links."""
    links = "\n".join(anchors)
    body = (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
        f"<title>{escape(title)}</title></head>\n<body>\n<h1>{escape(title)}</h1>\n"
        f"{links}\n</body></html>\n"
    )
    return HttpResponse(body, content_type=INDEX_CONTENT_TYPE)


# Exempt from CSRF so that a POST is answered 405 (GET and HEAD only), not a CSRF failure.
@csrf_exempt
@require_safe
def simple_index(request: HttpRequest) -> HttpResponse:
    """The index's root: the one project this server holds."""
    return index_page("Simple index", [anchor(f"{DISTRIBUTION}/", DISTRIBUTION)])


@csrf_exempt
@require_safe
def simple_project(request: HttpRequest, project: str) -> HttpResponse:
    """``pluto``'s page, linking the wheel with its hash; any other project goes upstream."""
    name = canonical_name(project)
    if name != DISTRIBUTION:
        return upstream_project(name)
    if project != name:
        return HttpResponseRedirect(f"../{name}/")
    wheel = served_wheel()
    href = f"../../{wheel.filename}#sha256={wheel.sha256}"
    link = anchor(href, wheel.filename, wheel.requires_python)
    return index_page(f"Links for {DISTRIBUTION}", [link])


def upstream_project(name: str) -> HttpResponse:
    """A redirect to the project's page on the upstream index, or 404 with none set."""
    upstream = settings.SDK_UPSTREAM_INDEX
    if not upstream:
        return render_pluto_error(
            NotFound(
                f"This server's package index holds only {DISTRIBUTION}, and no upstream "
                "index is set (PLUTO_SDK_UPSTREAM_INDEX) for the others."
            )
        )
    return HttpResponseRedirect(f"{upstream}{name}/")


@csrf_exempt
@require_safe
def wheel_file(request: HttpRequest, filename: str) -> HttpResponse:
    """The wheel itself; ``no-cache`` with its hash as ETag, since a rebuild keeps its name."""
    wheel = served_wheel()
    if filename != wheel.filename:
        return render_pluto_error(
            NotFound(f"There is no {filename} here; the SDK's wheel is {wheel.filename}.")
        )
    etag = f'"{wheel.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = FileResponse(wheel.path.open("rb"), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{wheel.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
