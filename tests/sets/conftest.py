"""Fixtures of the analysis tests, for running analyses on biomarker sets."""

from tests.analyses.conftest import completed_de, data, experiment

__all__ = ["completed_de", "data", "experiment"]
