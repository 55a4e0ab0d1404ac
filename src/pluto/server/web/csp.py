"""Security headers of the web pages: a Content-Security-Policy, and Secure cookies on HTTPS.

Pages run only the server's own script files (no inline scripts, no other origins) and may
not be framed. Styles allow ``'unsafe-inline'`` because plotly.js sets inline styles on the
figures it draws. A response that sets its own policy (the sandboxed frame of an external
plot) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADER = "Content-Security-Policy"

Handler = Callable[[HttpRequest], HttpResponse]


def is_page(response: HttpResponse) -> bool:
    """Whether the response is an HTML document (JSON and files need no page policy)."""
    return response.get("Content-Type", "").startswith("text/html")


def secure_cookies(response: HttpResponse) -> None:
    """Mark every cookie Secure: over HTTPS a cookie must never travel in clear text later."""
    for morsel in response.cookies.values():
        morsel["secure"] = True


class ContentSecurityPolicyMiddleware:
    """Adds the page policy to HTML responses, and Secure to cookies set over HTTPS.

    ``PLUTO_PUBLIC_URL`` already makes cookies Secure when it is https; this also covers a
    server reached over HTTPS through a proxy without that setting.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_page(response) and not response.has_header(HEADER):
            response[HEADER] = POLICY
        if request.is_secure():
            secure_cookies(response)
        return response
