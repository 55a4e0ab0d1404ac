"""Pluto: an open, self-hostable lab data platform.

Importing this package loads only the SDK (never Django); the server lives in
``pluto.server``.

Example:
    >>> import pluto
    >>> samples = pluto.read("PLX140206", "sample")
    >>> client = pluto.Client()
    >>> client.list_projects()
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from pluto.client import LAZY_NAMES
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
    "__version__",
    "read",
]


def __getattr__(name: str) -> Any:
    """Load ``read``, ``Client`` and the model classes (pandas, pyarrow) on first use."""
    import pluto.client

    if name not in LAZY_NAMES:
        raise AttributeError(f"module 'pluto' has no attribute {name!r}")
    value = getattr(pluto.client, name)
    globals()[name] = value
    return value
