"""Template helpers of the web pages: links that keep the current query, readable sizes."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """``?…`` with the current query string changed by ``changes`` (None or "" removes one).

    Paging, sorting and filtering links keep the other choices (tab, filter, search) intact.
    """
    params: QueryDict = context["request"].GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def filesize(size: int | None) -> str:
    """Bytes as a short size people read: 5.0 KB, 1.2 MB."""
    value = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """``mapping[key]`` (or None) in a template."""
    return mapping.get(key) if isinstance(mapping, dict) else None
