"""``pluto.read``: any table of an experiment in one call, like R's ``pluto_read``."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from pluto.client.client import Client


def read(
    experiment_id: str,
    data_type: str,
    plot_id: str | None = None,
    *,
    columns: Iterable[str] | None = None,
    samples: Iterable[str] | None = None,
    genes: Iterable[str] | None = None,
    url: str | None = None,
    token: str | None = None,
    quiet: bool = False,
    cache: bool | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read a table of an experiment into a pandas DataFrame.

    Args:
        experiment_id: the experiment, such as ``"PLX140206"``.
        data_type: ``"sample"`` (one row per sample), ``"assay"`` (one row per gene, one
            column per sample) or ``"results"`` (a plot's results table; needs ``plot_id``).
        plot_id: the plot whose results to read, for ``"results"``.
        columns: only these columns.
        samples: for ``"assay"``, only these samples' columns.
        genes: for ``"assay"``, only these genes' rows.
        url: the server; default ``PLUTO_API_URL``, else ``http://127.0.0.1:8000``.
        token: the API token; default ``PLUTO_API_TOKEN`` (environment or ``.env``).
        quiet: print nothing on stderr.
        cache: keep tables on disk and re-use them while the server says they are unchanged
            (``True`` for ``~/.cache/pluto``, or a folder; default: ``PLUTO_CACHE_DIR``).

    Raises:
        pluto.AuthenticationError: no token was found, or the server refused it.
        pluto.NotFound: the experiment or plot does not exist or is not visible to you.
        ValueError: ``data_type`` is not one of the three, or ``"results"`` lacks ``plot_id``.

    Example:
        >>> import pluto
        >>> counts = pluto.read("PLX140206", "assay")
        >>> plot_id = "4c1e7a52-0b9d-4e33-8f6a-1d2c3b4a5e6f"
        >>> results = pluto.read("PLX140206", "results", plot_id)
    """
    with Client(url, token, cache=cache) as client:
        return client.read(
            experiment_id,
            data_type,
            plot_id,
            columns=columns,
            samples=samples,
            genes=genes,
            quiet=quiet,
        )
