"""Pages that belong to no single app: the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users go to their projects; visitors see what Pluto is and how to sign in."""
    if request.user.is_authenticated:
        return redirect("project_list")
    return render(request, "web/home.html")
