"""Downloading an experiment's file from its page: a redirect to a signed, expiring URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from pluto.server.errors import InvalidObjectId, NotFound
from pluto.server.files.services import find_file
from pluto.server.signed_urls import signed_download_url
from pluto.server.web.access import experiment_or_404


@login_required
@require_GET
def file_download(request: HttpRequest, experiment_id: str, file_id: str) -> HttpResponse:
    """Send the browser to the file's signed download URL."""
    experiment, _ = experiment_or_404(request, experiment_id)
    try:
        file = find_file(experiment, file_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(exc.message) from exc
    url = signed_download_url(request, file.storage_key, file.display_name, file.content_type)
    return redirect(url)
