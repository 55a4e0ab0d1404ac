"""``pluto.Client``: every part of a Pluto server from Python, as typed objects and DataFrames."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import pandas as pd
from urllib3.util.retry import Retry

from pluto.client import analyses, downloads, uploads
from pluto.client.annotations import AnnotationSetMethods
from pluto.client.base import ClientBase
from pluto.client.cache import TableCache, open_cache
from pluto.client.config import resolve_token, resolve_url
from pluto.client.history import HistoryMethods
from pluto.client.http import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Transport, path_part
from pluto.client.models import (
    Analysis,
    AnalysisType,
    Experiment,
    FileInfo,
    Plot,
    Project,
    ResultsPage,
    TableVersion,
    User,
)
from pluto.client.organizations import OrganizationMethods
from pluto.client.pipelines import PipelineMethods
from pluto.client.programs import ProgramMethods
from pluto.client.search import SearchMethods
from pluto.client.sets import SetMethods
from pluto.client.tables import PAGE_SIZE, TableReader, TableRequest
from pluto.client.uploads import UploadSession

DATA_TYPES = ("sample", "assay", "results")
TableSource: TypeAlias = str | os.PathLike[str] | pd.DataFrame


class HasId(Protocol):
    """Any SDK object with a ``uuid`` (projects and experiments also have a ``pluto_id``)."""

    @property
    def uuid(self) -> str:
        """The object's UUID."""
        ...


ObjectRef: TypeAlias = str | HasId


def ref(thing: ObjectRef) -> str:
    """The id to put in a path: an object's ``pluto_id`` (or ``uuid``), or the string given."""
    if isinstance(thing, str):
        return thing.strip()
    return str(getattr(thing, "pluto_id", "") or thing.uuid)


def joined(values: str | Iterable[str] | None) -> str | None:
    """A list filter as the API takes it: comma-separated."""
    if values is None or isinstance(values, str):
        return values
    return ",".join(str(value) for value in values)


def experiment_path(experiment: ObjectRef, rest: str = "") -> str:
    """``experiments/<id>/<rest>``."""
    return f"experiments/{path_part(ref(experiment))}/{rest}"


class Client(
    OrganizationMethods,
    HistoryMethods,
    PipelineMethods,
    AnnotationSetMethods,
    SetMethods,
    SearchMethods,
    ProgramMethods,
    ClientBase,
):
    """A connection to one Pluto server, acting as the owner of one API token.

    The URL and token come from the arguments, else ``PLUTO_API_URL`` and ``PLUTO_API_TOKEN``
    (environment or a ``.env`` file in the working directory), else ``pluto login``.

    Args:
        url: the server, such as ``https://pluto.example.org`` (default ``http://127.0.0.1:8000``).
        token: an API token (Account page → "+ API token").
        timeout: seconds to wait for each answer.
        retries: how often a GET is retried on connection errors, 429 and 502/503/504
            (or a ``urllib3.util.Retry`` for full control).
        cache: cache tables on disk (``True`` for ``~/.cache/pluto``, or a folder); by default
            only when ``PLUTO_CACHE_DIR`` is set.
        arrow: ask for tables in the Arrow format (JSON pages are the fallback either way).
        organization: the uuid of the organization to work in (sent as the ``Organization``
            header), else ``PLUTO_ORGANIZATION``; without either, every organization of yours.

    Tables are read in pages of ``client.page_size`` rows (10,000, as the R client does),
    four pages at a time.

    Example:
        >>> client = pluto.Client()
        >>> experiment = client.get_experiment("PLX140206")
        >>> samples = client.sample_data(experiment)
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int | Retry = DEFAULT_RETRIES,
        cache: bool | str | os.PathLike[str] | None = None,
        arrow: bool = True,
        organization: str | None = None,
    ) -> None:
        self.url = resolve_url(url)
        self.organization = organization or os.environ.get("PLUTO_ORGANIZATION") or None
        self.transport = Transport(
            self.url,
            resolve_token(token, self.url),
            timeout=timeout,
            retries=retries,
            organization=self.organization,
        )
        self.cache: TableCache | None = open_cache(cache)
        self.arrow = arrow
        self.page_size = PAGE_SIZE

    def __repr__(self) -> str:
        return f"Client(url={self.url!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the client's network connections."""
        self.transport.close()

    def read_table(
        self, path: str, noun: str, params: dict[str, str | None], quiet: bool
    ) -> pd.DataFrame:
        """A whole table, paged in parallel (see :mod:`pluto.client.tables`)."""
        filters = {key: value for key, value in params.items() if value}
        request = TableRequest(path=path, noun=noun, params=filters)
        reader = TableReader(
            self.transport, request, cache=self.cache, arrow=self.arrow, page_size=self.page_size
        )
        return reader.read(quiet=quiet)

    # Who am I.

    def me(self) -> User:
        """The user this client acts as (the token's owner)."""
        return User.from_json(self.get("me/"))

    # Projects.

    def list_projects(self, *, archived: bool | None = None) -> list[Project]:
        """The projects you can see; ``archived`` narrows to archived or current ones."""
        return [Project.from_json(p) for p in self.list_items("projects/", is_archived=archived)]

    def get_project(self, project: ObjectRef) -> Project:
        """One project by ``PLXP…`` id or UUID."""
        return Project.from_json(self.get(f"projects/{path_part(ref(project))}/"))

    def create_project(
        self, name: str, *, description: str = "", share_level: str | None = None
    ) -> Project:
        """A new project owned by you."""
        body: dict[str, Any] = {"name": name, "description": description}
        if share_level is not None:
            body["share_level"] = share_level
        return Project.from_json(self.send("POST", "projects/", body))

    # Experiments.

    def list_experiments(
        self, project: ObjectRef | None = None, *, archived: bool | None = None
    ) -> list[Experiment]:
        """The experiments you can see, optionally only those of one project."""
        path = (
            "experiments/"
            if project is None
            else f"projects/{path_part(ref(project))}/experiments/"
        )
        return [Experiment.from_json(e) for e in self.list_items(path, is_archived=archived)]

    def get_experiment(self, experiment: ObjectRef) -> Experiment:
        """One experiment by ``PLX…`` id or UUID."""
        return Experiment.from_json(self.get(experiment_path(experiment)))

    def create_experiment(
        self,
        project: ObjectRef,
        name: str,
        *,
        type: str = "rnaseq",
        organism: str = "human",
        assay_data_units: str = "raw_counts",
        description: str = "",
        share_level: str | None = None,
    ) -> Experiment:
        """A new experiment in ``project``."""
        body: dict[str, Any] = {
            "project": ref(project),
            "name": name,
            "description": description,
            "type": type,
            "organism": organism,
            "assay_data_units": assay_data_units,
        }
        if share_level is not None:
            body["share_level"] = share_level
        return Experiment.from_json(self.send("POST", "experiments/", body))

    # Tables.

    def sample_data(
        self,
        experiment: ObjectRef,
        *,
        columns: Iterable[str] | None = None,
        quiet: bool = False,
    ) -> pd.DataFrame:
        """The sample table: one row per sample, first column ``sample_id``."""
        params = {"columns": joined(columns)}
        return self.read_table(
            experiment_path(experiment, "sample-data/"), "sample data", params, quiet
        )

    def assay_data(
        self,
        experiment: ObjectRef,
        *,
        columns: Iterable[str] | None = None,
        samples: Iterable[str] | None = None,
        genes: Iterable[str] | None = None,
        quiet: bool = False,
    ) -> pd.DataFrame:
        """The assay matrix: one row per gene (or peak), one column per sample."""
        params = {"columns": joined(columns), "samples": joined(samples), "genes": joined(genes)}
        return self.read_table(
            experiment_path(experiment, "assay-data/"), "assay data", params, quiet
        )

    def plot_data(
        self,
        experiment: ObjectRef,
        plot: ObjectRef,
        *,
        columns: Iterable[str] | None = None,
        quiet: bool = False,
    ) -> pd.DataFrame:
        """A plot's results table (such as a differential expression table)."""
        path = experiment_path(experiment, f"plots/{path_part(ref(plot))}/data/")
        return self.read_table(path, "results", {"columns": joined(columns)}, quiet)

    def read(
        self,
        experiment: ObjectRef,
        data_type: str,
        plot_id: ObjectRef | None = None,
        *,
        columns: Iterable[str] | None = None,
        samples: Iterable[str] | None = None,
        genes: Iterable[str] | None = None,
        quiet: bool = False,
    ) -> pd.DataFrame:
        """A table by name, like R's ``pluto_read``: ``"sample"``, ``"assay"`` or ``"results"``.

        ``"results"`` needs ``plot_id``.
        """
        kind = data_type.strip().lower().removesuffix("_data")
        if kind not in DATA_TYPES:
            raise ValueError(
                f"data_type must be 'sample', 'assay' or 'results' (got {data_type!r})."
            )
        if kind == "sample":
            return self.sample_data(experiment, columns=columns, quiet=quiet)
        if kind == "assay":
            return self.assay_data(
                experiment, columns=columns, samples=samples, genes=genes, quiet=quiet
            )
        if plot_id is None:
            raise ValueError(
                "Reading 'results' needs plot_id: the plot whose results table to read "
                "(list them with Client.list_plots(experiment))."
            )
        return self.plot_data(experiment, plot_id, columns=columns, quiet=quiet)

    def upload_sample_data(self, experiment: ObjectRef, source: TableSource) -> TableVersion:
        """Replace the sample table with a file (CSV, TSV, Parquet, Excel) or a DataFrame."""
        return self.upload_table(experiment, "sample", source)

    def upload_assay_data(self, experiment: ObjectRef, source: TableSource) -> TableVersion:
        """Replace the assay matrix with a file (CSV, TSV, Parquet, Excel) or a DataFrame."""
        return self.upload_table(experiment, "assay", source)

    def upload_table(self, experiment: ObjectRef, kind: str, source: TableSource) -> TableVersion:
        """Upload a ``sample`` or ``assay`` table; the new version the server stored."""
        if kind not in ("sample", "assay"):
            raise ValueError(f"kind must be 'sample' or 'assay' (got {kind!r}).")
        table = source if isinstance(source, pd.DataFrame) else Path(source)
        answer = uploads.upload_table(self.transport, ref(experiment), kind, table)
        return TableVersion.from_json(answer)

    # Plots.

    def list_plots(self, experiment: ObjectRef) -> list[Plot]:
        """The experiment's plots, including those of running analyses."""
        return [Plot.from_json(p) for p in self.list_items(experiment_path(experiment, "plots/"))]

    def get_plot(self, experiment: ObjectRef, plot: ObjectRef) -> Plot:
        """One plot."""
        return Plot.from_json(
            self.get(experiment_path(experiment, f"plots/{path_part(ref(plot))}/"))
        )

    # Analyses.

    def analysis_types(self) -> list[AnalysisType]:
        """The analyses this server can run, with their parameters and defaults."""
        return [AnalysisType.from_json(item) for item in self.list_items("analysis-types/")]

    def create_analysis(
        self,
        experiment: ObjectRef,
        analysis_type: str,
        parameters: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        **keywords: Any,
    ) -> Analysis:
        """Start an analysis; it runs on the server (see :meth:`wait`).

        ``analysis_type`` is one of :meth:`analysis_types` (``differential_expression``,
        ``principal_components``, ...) or a short name (``pca``, ``de``, ...). Parameters go in
        ``parameters`` or as keywords: ``create_analysis("PLX140206", "pca",
        group_column="condition")``. The server names every parameter that is wrong.
        """
        body: dict[str, Any] = {
            "analysis_type": analysis_type,
            "parameters": {**(parameters or {}), **keywords},
        }
        if name:
            body["name"] = name
        answer = self.send("POST", experiment_path(experiment, "analyses/"), body)
        return Analysis.from_json(answer, ref(experiment))

    def get_analysis(self, experiment: ObjectRef, analysis: ObjectRef) -> Analysis:
        """One analysis, with its current status and progress."""
        path = experiment_path(experiment, f"analyses/{path_part(ref(analysis))}/")
        return Analysis.from_json(self.get(path), ref(experiment))

    def list_analyses(self, experiment: ObjectRef) -> list[Analysis]:
        """The experiment's analyses."""
        items = self.list_items(experiment_path(experiment, "analyses/"))
        return [Analysis.from_json(a, ref(experiment)) for a in items]

    def cancel_analysis(self, analysis: Analysis) -> Analysis:
        """Stop a pending or running analysis."""
        path = experiment_path(
            analysis.experiment_id, f"analyses/{path_part(analysis.uuid)}/cancel/"
        )
        return Analysis.from_json(self.send("POST", path), analysis.experiment_id)

    def wait(
        self, analysis: Analysis, *, timeout: float | None = None, progress: bool = True
    ) -> Analysis:
        """Wait until the analysis completes, with a progress bar on a terminal.

        Raises :class:`~pluto.client.errors.AnalysisFailed` when it fails or is cancelled and
        :class:`~pluto.client.errors.WaitTimedOut` after ``timeout`` seconds.
        """
        return analyses.wait_until_finished(
            lambda: self.get_analysis(analysis.experiment_id, analysis.uuid),
            analysis,
            timeout=timeout,
            progress=progress,
        )

    def analysis_results(self, analysis: Analysis, *, quiet: bool = False) -> pd.DataFrame:
        """The results table of a completed analysis."""
        current = (
            analysis
            if analysis.plot_id
            else self.get_analysis(analysis.experiment_id, analysis.uuid)
        )
        if not current.plot_id:
            raise ValueError(f"Analysis {analysis.uuid} has no plot, so no results to read.")
        return self.plot_data(current.experiment_id, current.plot_id, quiet=quiet)

    def analysis_path(self, analysis: Analysis, rest: str = "") -> str:
        """``experiments/<exp>/analyses/<analysis>/<rest>``."""
        return experiment_path(
            analysis.experiment_id, f"analyses/{path_part(analysis.uuid)}/{rest}"
        )

    def analysis_summary(
        self,
        analysis: Analysis,
        *,
        offset: int = 0,
        limit: int = 100,
        search: str | None = None,
        sort_by: str | None = None,
    ) -> ResultsPage:
        """A page of the analysis's results, searched and sorted on the server.

        ``search`` keeps rows whose ids (gene, sample, gene set, peak) contain it; ``sort_by``
        is a results column in snake_case, ``-`` in front for descending and ``abs_`` for the
        absolute value: ``analysis_summary(de, sort_by="-abs_log2_fold_change", limit=20)``
        gives the twenty largest changes either way.
        """
        answer = self.get(
            self.analysis_path(analysis, "summary/"),
            offset=offset,
            limit=limit,
            search=search,
            sort_by=sort_by,
        )
        return ResultsPage.from_json(answer)

    def analysis_stats(self, analysis: Analysis) -> dict[str, Any]:
        """The numbers to read first (for differential expression: genes tested, up and down at
        its alpha; for principal components: the variance explained); empty until complete."""
        answer = self.get(self.analysis_path(analysis, "stats/"))
        return dict(answer) if isinstance(answer, dict) else {}

    def analysis_link(self, analysis: Analysis, kind: str = "spreadsheet") -> str:
        """A signed link (no token needed; it expires) to the results as a CSV spreadsheet
        (``kind="spreadsheet"``) or to the figure as a PNG (``kind="image"``)."""
        if kind not in ("spreadsheet", "image"):
            raise ValueError(f"kind must be 'spreadsheet' or 'image' (got {kind!r}).")
        return str(self.get(self.analysis_path(analysis, f"{kind}-analysis-signed-url/"))["url"])

    def download_analysis(
        self,
        analysis: Analysis,
        path: str | os.PathLike[str] | None = None,
        *,
        kind: str = "spreadsheet",
        progress: bool = True,
    ) -> Path:
        """Save the analysis's results (CSV) or figure (``kind="image"``: PNG); its path."""
        url = self.analysis_link(analysis, kind)
        suffix = "png" if kind == "image" else "csv"
        return downloads.download(
            self.transport,
            url,
            Path(path) if path is not None else None,
            fallback_name=f"{analysis.uuid}.{suffix}",
            progress=progress,
        )

    # Files.

    def list_files(self, experiment: ObjectRef, data_type: str | None = None) -> list[FileInfo]:
        """The experiment's files of every kind, or of one (``attachment``, ``external``, …)."""
        groups = self.get(experiment_path(experiment, "files/"), data_type=data_type)
        return [
            FileInfo.from_json(item)
            for group in (groups or {}).values()
            if isinstance(group, dict)
            for item in group.get("items") or []
        ]

    def start_upload(
        self,
        experiment: ObjectRef,
        path: str | os.PathLike[str],
        *,
        data_type: str = "attachment",
        file_type: str | None = None,
    ) -> UploadSession:
        """Open a resumable upload for a local file (see :meth:`resume_upload`)."""
        return uploads.start_session(
            self.transport, ref(experiment), Path(path), data_type, file_type
        )

    def resume_upload(
        self,
        session: UploadSession,
        path: str | os.PathLike[str],
        *,
        progress: bool = True,
        chunk_size: int = uploads.CHUNK_SIZE,
    ) -> FileInfo:
        """Send the rest of a file, from where the server's stored bytes end."""
        answer = uploads.send_file(
            self.transport, session, Path(path), progress=progress, chunk_size=chunk_size
        )
        if answer is None:
            answer = uploads.complete_session(self.transport, session)
        return FileInfo.from_json(answer)

    def upload_file(
        self,
        experiment: ObjectRef,
        path: str | os.PathLike[str],
        *,
        data_type: str = "attachment",
        file_type: str | None = None,
        progress: bool = True,
        chunk_size: int = uploads.CHUNK_SIZE,
    ) -> FileInfo:
        """Attach a local file to the experiment, in resumable chunks with a progress bar.

        ``data_type`` is the kind of file (``attachment``, ``external``, …); ``chunk_size``
        is how many bytes go in each request.
        """
        session = self.start_upload(experiment, path, data_type=data_type, file_type=file_type)
        return self.resume_upload(session, path, progress=progress, chunk_size=chunk_size)

    def download_file(
        self,
        experiment: ObjectRef,
        file: ObjectRef,
        path: str | os.PathLike[str] | None = None,
        *,
        progress: bool = True,
    ) -> Path:
        """Save a file of the experiment; ``path`` may be a file or a folder. Its local path."""
        file_id = ref(file)
        link = self.get(experiment_path(experiment, f"files/{path_part(file_id)}/download/"))
        target = Path(path) if path is not None else None
        return downloads.download(
            self.transport, link["url"], target, fallback_name=file_id, progress=progress
        )
