"""Django's CSRF check, answering a form body it cannot read with a 4xx instead of a crash.

The check reads ``request.POST`` of every form POST before the view runs; a multipart body
without a boundary, a truncated one, or one over the size limit raises there, outside any
view's error handling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware import csrf

from pluto.server.request_errors import REQUEST_ERRORS
from pluto.server.web.errors import request_error_page


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """:class:`django.middleware.csrf.CsrfViewMiddleware` with unreadable bodies refused."""

    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any] | None,
        callback_args: tuple[Any, ...],
        callback_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        try:
            return super().process_view(request, callback, callback_args, callback_kwargs)
        except REQUEST_ERRORS as exc:
            return request_error_page(request, exc)
