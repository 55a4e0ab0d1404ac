"""Versions of the libraries an analysis ran with, for its methods text."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTIONS = {
    "pydeseq2": "pydeseq2",
    "scikit-learn": "scikit-learn",
    "umap-learn": "umap-learn",
    "gseapy": "gseapy",
    "numpy": "numpy",
    "pandas": "pandas",
}


@cache
def package_version(name: str) -> str:
    """The installed version of one distribution, or ``"unknown"`` if it is not installed."""
    try:
        return version(DISTRIBUTIONS.get(name, name))
    except PackageNotFoundError:
        return "unknown"


def cited(*names: str) -> str:
    """Libraries with versions as a methods text lists them: ``numpy 2.1.0, pandas 2.2.3``."""
    return ", ".join(f"{name} {package_version(name)}" for name in names)
