"""How ``pluto serve`` runs uvicorn: which proxies it believes, logs without secrets, and room
for request heads up to the size Pluto answers with its own JSON error."""

from __future__ import annotations

from typing import Any

import uvicorn.config
from django.conf import settings

from pluto.server.limits import uvicorn_options as request_head_limits
from pluto.server.log_redaction import FILTERS


def uvicorn_proxy_options() -> dict[str, Any]:
    """Rewrite the client's address and scheme only for requests from a trusted proxy
    (``PLUTO_TRUSTED_PROXIES``); uvicorn's own default would trust 127.0.0.1."""
    proxies = [str(network) for network in settings.TRUSTED_PROXIES]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with the redacting filter on each of its handlers."""
    handlers = uvicorn.config.LOGGING_CONFIG["handlers"]
    return {
        **uvicorn.config.LOGGING_CONFIG,
        "filters": FILTERS,
        "handlers": {name: {**h, "filters": ["redact_secrets"]} for name, h in handlers.items()},
    }


def uvicorn_options() -> dict[str, Any]:
    """The keyword arguments every web process of ``pluto serve`` gives uvicorn."""
    return {
        **uvicorn_proxy_options(),
        "log_config": uvicorn_log_config(),
        **request_head_limits(),
    }
