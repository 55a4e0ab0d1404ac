"""The Python SDK: read and write a Pluto server's data from scripts.

The public names are re-exported by the top-level ``pluto`` package; the heavy ones (pandas,
pyarrow) load on first use, so importing ``pluto`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pluto.client.errors import (
    AnalysisFailed,
    AnalysisUnprocessable,
    AuthenticationError,
    ConnectionFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlutoError,
    RateLimited,
    ServerError,
    WaitTimedOut,
)

if TYPE_CHECKING:
    from pluto.client.client import Client
    from pluto.client.models import (
        Analysis,
        AnalysisType,
        Experiment,
        FileInfo,
        Plot,
        Project,
        TableVersion,
        User,
    )
    from pluto.client.reading import read
    from pluto.client.uploads import UploadSession

LAZY_NAMES = {
    "Client": "pluto.client.client",
    "read": "pluto.client.reading",
    "UploadSession": "pluto.client.uploads",
    **{
        name: "pluto.client.models"
        for name in (
            "Analysis",
            "AnalysisType",
            "Experiment",
            "FileInfo",
            "Plot",
            "Project",
            "TableVersion",
            "User",
        )
    },
}

__all__ = [
    "Analysis",
    "AnalysisFailed",
    "AnalysisType",
    "AnalysisUnprocessable",
    "AuthenticationError",
    "Client",
    "ConnectionFailed",
    "Experiment",
    "FileInfo",
    "InvalidRequest",
    "NotFound",
    "PermissionDenied",
    "Plot",
    "PlutoError",
    "Project",
    "RateLimited",
    "ServerError",
    "TableVersion",
    "UploadSession",
    "User",
    "WaitTimedOut",
    "read",
]


def __getattr__(name: str) -> Any:
    """Load ``Client``, ``read`` and the model classes on first use."""
    if name not in LAZY_NAMES:
        raise AttributeError(f"module 'pluto.client' has no attribute {name!r}")
    value = getattr(importlib.import_module(LAZY_NAMES[name]), name)
    globals()[name] = value
    return value
