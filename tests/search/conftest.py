"""Fixtures of the search tests."""

from tests.tables.conftest import experiment

__all__ = ["experiment"]
