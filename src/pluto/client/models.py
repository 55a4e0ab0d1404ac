"""Typed objects the SDK returns: frozen dataclasses built from the API's JSON.

Each keeps the whole JSON object in ``raw`` (left out of ``repr`` and comparisons), so fields
a newer server adds are still at hand and a missing optional field never breaks a script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FINISHED_STATUSES = frozenset({"complete", "failed", "cancelled"})


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 moment from the API, or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def text(data: dict[str, Any], key: str) -> str:
    """A string field, empty when missing or null."""
    value = data.get(key)
    return "" if value is None else str(value)


def nested(data: dict[str, Any], key: str) -> dict[str, Any]:
    """An object field, empty when missing or null."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def shortname(value: Any) -> str:
    """The ``shortname`` of ``{"shortname": …}`` fields, or the value itself if it is a string."""
    if isinstance(value, dict):
        return text(value, "shortname")
    return "" if value is None else str(value)


def integer(data: dict[str, Any], key: str) -> int:
    """An integer field, 0 when missing or not a number."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class User:
    """A Pluto user."""

    uuid: str
    email: str
    first_name: str = ""
    last_name: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        """First and last name, or the email when both are empty."""
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        """A user from the API's user object."""
        return cls(
            uuid=text(data, "uuid"),
            email=text(data, "email"),
            first_name=text(data, "first_name"),
            last_name=text(data, "last_name"),
            raw=data,
        )


def optional_user(value: Any) -> User | None:
    """A user, or None when the field is null."""
    return User.from_json(value) if isinstance(value, dict) else None


@dataclass(frozen=True)
class Project:
    """A project: a group of experiments with shared members."""

    pluto_id: str
    uuid: str
    name: str
    description: str = ""
    share_level: str = "private"
    owner: User | None = None
    experiments_count: int = 0
    is_archived: bool = False
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Project:
        """A project from the API's project object."""
        return cls(
            pluto_id=text(data, "pluto_id"),
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            description=text(data, "description"),
            share_level=text(data, "share_level") or "private",
            owner=optional_user(data.get("owner")),
            experiments_count=integer(data, "experiments_count"),
            is_archived=bool(data.get("is_archived")),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Experiment:
    """An experiment: sample data, assay data, files, analyses and plots."""

    pluto_id: str
    uuid: str
    name: str
    description: str = ""
    project_id: str = ""
    project_name: str = ""
    organism: str = ""
    type: str = ""
    assay_data_units: str = ""
    share_level: str = "private"
    status: str = ""
    plot_count: int = 0
    owner: User | None = None
    created_by: User | None = None
    is_archived: bool = False
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Experiment:
        """An experiment from the API's experiment object."""
        project = nested(data, "project")
        return cls(
            pluto_id=text(data, "pluto_id"),
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            description=text(data, "description"),
            project_id=text(project, "pluto_id"),
            project_name=text(project, "name"),
            organism=shortname(data.get("organism")),
            type=shortname(data.get("type")),
            assay_data_units=shortname(nested(data, "assay_data_units").get("units")),
            share_level=text(data, "share_level") or "private",
            status=text(data, "status"),
            plot_count=integer(data, "plot_count"),
            owner=optional_user(data.get("experiment_owner")),
            created_by=optional_user(data.get("created_by")),
            is_archived=bool(data.get("is_archived")),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Plot:
    """A plot of an experiment; its results table is read with ``Client.plot_data``."""

    uuid: str
    name: str = ""
    analysis_type: str = ""
    status: str = ""
    share_level: str = "private"
    display_type: str = ""
    plot_title: str = ""
    analysis_id: str = ""
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def title(self) -> str:
        """The display's title, else the plot's or its analysis's name."""
        analysis_name = text(nested(self.raw, "analysis"), "name")
        return self.plot_title or self.name or analysis_name

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plot:
        """A plot from the API's plot object (``analysis`` and ``display`` may be null)."""
        display = nested(data, "display")
        return cls(
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            analysis_type=text(data, "analysis_type"),
            status=text(data, "status"),
            share_level=text(data, "share_level") or "private",
            display_type=text(display, "display_type"),
            plot_title=text(display, "plot_title"),
            analysis_id=text(nested(data, "analysis"), "uuid"),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Analysis:
    """A run of a built-in analysis; ``status`` moves pending → running → complete or failed."""

    uuid: str
    experiment_id: str
    analysis_type: str
    status: str
    name: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    # The Pluto API's word for the state: pending, in_progress, completed, failed,
    # unprocessable (the data cannot be analysed with these parameters) or canceled.
    pipeline_status: str = ""
    progress: float = 0.0
    message: str = ""
    methods: str = ""
    plot_id: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_finished(self) -> bool:
        """Whether the analysis has stopped (complete, failed or cancelled)."""
        return self.status in FINISHED_STATUSES

    @property
    def succeeded(self) -> bool:
        """Whether the analysis completed and its results can be read."""
        return self.status == "complete"

    @classmethod
    def from_json(cls, data: dict[str, Any], experiment_id: str) -> Analysis:
        """An analysis from the API's analysis object, remembering its experiment."""
        progress = data.get("progress")
        return cls(
            uuid=text(data, "uuid"),
            experiment_id=experiment_id,
            analysis_type=text(data, "analysis_type"),
            status=text(data, "status"),
            name=text(data, "name"),
            parameters=nested(data, "parameters"),
            pipeline_status=text(data, "pipeline_status"),
            progress=float(progress) if isinstance(progress, int | float) else 0.0,
            message=text(data, "message"),
            methods=text(data, "methods"),
            plot_id=text(nested(data, "plot"), "uuid"),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            finished_at=parse_time(data.get("finished_at")),
            raw=data,
        )


@dataclass(frozen=True)
class ResultsPage:
    """A page of an analysis's results: ``count`` rows match, ``rows`` are this page's."""

    count: int
    headers: list[str]
    rows: list[dict[str, Any]]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResultsPage:
        """A page from the API's ``{"headers", "count", "items"}``."""
        items = data.get("items")
        return cls(
            count=int(data.get("count") or 0),
            headers=[str(h) for h in data.get("headers") or []],
            rows=items if isinstance(items, list) else [],
        )


@dataclass(frozen=True)
class AnalysisParameter:
    """One parameter of an analysis type, as the server describes it."""

    name: str
    type: str
    required: bool
    default: Any = None
    description: str = ""

    @property
    def is_list(self) -> bool:
        """Whether the parameter takes several values."""
        return self.type == "array"


@dataclass(frozen=True)
class AnalysisType:
    """An analysis the server can run: its name, short names and parameters."""

    analysis_type: str
    title: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    parameters: tuple[AnalysisParameter, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def names(self) -> tuple[str, ...]:
        """Every name this type answers to."""
        return (self.analysis_type, *self.aliases)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalysisType:
        """An analysis type from ``GET lab/analysis-types/``."""
        schema = nested(data, "parameters")
        return cls(
            analysis_type=text(data, "analysis_type"),
            title=text(data, "title"),
            summary=text(data, "summary"),
            aliases=tuple(str(a) for a in data.get("aliases") or ()),
            parameters=parameters_of(schema),
            raw=data,
        )


def parameters_of(schema: dict[str, Any]) -> tuple[AnalysisParameter, ...]:
    """The parameters a JSON schema of an object describes, in their order."""
    required = set(schema.get("required") or ())
    properties = schema.get("properties") or {}
    return tuple(
        AnalysisParameter(
            name=str(name),
            type=json_type(spec),
            required=name in required,
            default=spec.get("default"),
            description=str(spec.get("description") or ""),
        )
        for name, spec in properties.items()
    )


def json_type(spec: dict[str, Any]) -> str:
    """The JSON type of a property (the non-null one of an ``anyOf``; ``string`` for enums)."""
    if "type" in spec:
        return str(spec["type"])
    for option in spec.get("anyOf") or ():
        if option.get("type") not in (None, "null"):
            return str(option["type"])
    return "string"


@dataclass(frozen=True)
class FileInfo:
    """A file attached to an experiment."""

    uuid: str
    filename: str
    display_name: str = ""
    data_type: str = ""
    file_size: int = 0
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileInfo:
        """A file from the API's file object."""
        return cls(
            uuid=text(data, "uuid"),
            filename=text(data, "filename"),
            display_name=text(data, "display_name") or text(data, "filename"),
            data_type=text(data, "data_type"),
            file_size=integer(data, "file_size"),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class TableVersion:
    """The answer to a sample or assay upload: the new version, its rows and its columns."""

    version: int
    count: int
    headers: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableVersion:
        """A version from the upload answer ``{"version", "count", "headers"}``."""
        headers = data.get("headers")
        return cls(
            version=integer(data, "version"),
            count=integer(data, "count"),
            headers=tuple(str(h) for h in headers) if isinstance(headers, list) else (),
            raw=data,
        )
