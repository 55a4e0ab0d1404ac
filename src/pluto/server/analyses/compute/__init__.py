"""The computations of Pluto's built-in analyses, free of Django and HTTP.

Each analysis module (``differential_expression``, ``principal_components``,
``umap_embedding``, ``gene_set_enrichment``) offers a frozen parameters dataclass,
``parse_parameters(raw)``, ``check_inputs(...)`` to refuse bad parameters before any work,
and ``run(...)`` returning an :class:`AnalysisResult`. Every expected failure raises
:class:`AnalysisInputError` naming the field to fix.
"""

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress

__all__ = ["AnalysisInputError", "AnalysisResult", "Progress"]
