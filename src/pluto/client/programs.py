"""The SDK's methods for research programs (``programs/``, beside ``lab/``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pluto.client.base import ClientBase
from pluto.client.http import path_part
from pluto.client.models import nested, parse_time, text

PROGRAM_PAGE_SIZE = 100


@dataclass(frozen=True)
class Program:
    """A research program: a goal, a framework of dimensions and the evidence for each.

    ``current_version`` is the number of its framework's latest version (None before the
    first); ``labels`` are the names of its labels.
    """

    uuid: str
    name: str
    description: str
    goal: str
    program_type: str
    status: str
    organization: str
    labels: tuple[str, ...]
    current_version: int | None
    created_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Program:
        """A program as the API answers it."""
        framework = nested(data, "framework")
        return cls(
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            description=text(data, "description"),
            goal=text(data, "goal"),
            program_type=text(data, "program_type"),
            status=text(data, "status"),
            organization=text(nested(data, "organization"), "name"),
            labels=tuple(str(label.get("name", "")) for label in data.get("labels") or []),
            current_version=framework.get("current_version"),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


def program_ref(program: Any) -> str:
    """The uuid of a program given as text or as a :class:`Program`."""
    return program.strip() if isinstance(program, str) else str(program.uuid)


def program_path(program: Any, rest: str = "") -> str:
    """``/programs/<uuid>/<rest>`` (from the server root, not under ``lab/``)."""
    return f"/programs/{path_part(program_ref(program))}/{rest}"


def without_none(**fields: Any) -> dict[str, Any]:
    """The fields that were given."""
    return {key: value for key, value in fields.items() if value is not None}


class ProgramMethods(ClientBase):
    """:class:`pluto.Client` methods for research programs."""

    def iter_programs(self, search: str | None = None) -> Iterator[Program]:
        """Every program you can see, newest first, fetched a page at a time.

        ``search`` matches words of a program's name, description, goal or labels.
        """
        offset = 0
        while True:
            page = self.get("/programs/", offset=offset, limit=PROGRAM_PAGE_SIZE, search=search)
            results = page.get("results") or []
            for item in results:
                yield Program.from_json(item)
            offset += len(results)
            if not results or not page.get("next"):
                return

    def programs(self, search: str | None = None) -> list[Program]:
        """Every program you can see, newest first.

        Example::

            for program in client.programs(search="KRAS"):
                print(program.uuid, program.name, program.status)
        """
        return list(self.iter_programs(search))

    def program(self, program: Any) -> Program:
        """One program by uuid."""
        return Program.from_json(self.get(program_path(program)))

    def create_program(
        self,
        name: str,
        *,
        program_type: str | None = None,
        template: str | None = None,
        description: str | None = None,
        goal: str | None = None,
        labels: list[str] | None = None,
    ) -> Program:
        """A new program in your working organization.

        ``template`` (see :meth:`framework_templates`) starts its framework with the
        template's dimensions and gives its program type; without one, ``program_type``
        (see :meth:`program_types`) is required.

        Example::

            program = client.create_program("KRAS G12C", template="target_validation")
        """
        body = without_none(
            name=name,
            program_type=program_type,
            template=template,
            description=description,
            goal=goal,
            labels=labels,
        )
        return Program.from_json(self.send("POST", "/programs/", body))

    def update_program(self, program: Any, **fields: Any) -> Program:
        """Change ``name``, ``description``, ``goal``, ``status`` (``archived``) or ``labels``."""
        return Program.from_json(self.send("PATCH", program_path(program), fields))

    def program_assets(self, program: Any) -> list[dict[str, Any]]:
        """The experiments, analyses and files gathered as the program's evidence."""
        answer: list[dict[str, Any]] = self.get(program_path(program, "assets/"))
        return answer

    def add_program_asset(
        self,
        program: Any,
        kind: str,
        object_id: str,
        *,
        dimension: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """File an experiment (PLX id or uuid), analysis or file (uuid) as evidence.

        ``kind`` is ``experiment``, ``analysis`` or ``file``; ``dimension`` the key of one
        of the framework's dimensions.
        """
        body = without_none(kind=kind, object_id=object_id, dimension=dimension, note=note)
        answer: dict[str, Any] = self.send("POST", program_path(program, "assets/"), body)
        return answer

    def program_analysis_spaces(self, program: Any) -> list[dict[str, Any]]:
        """The program's analysis spaces."""
        answer: list[dict[str, Any]] = self.get(program_path(program, "analysis-spaces/"))
        return answer

    def create_analysis_space(
        self,
        program: Any,
        name: str,
        *,
        description: str | None = None,
        experiments: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new analysis space of the program, over these experiments (PLX ids)."""
        body = without_none(name=name, description=description, experiments=experiments)
        answer: dict[str, Any] = self.send("POST", program_path(program, "analysis-spaces/"), body)
        return answer

    def program_framework(self, program: Any) -> dict[str, Any]:
        """The program's framework and its current dimensions."""
        answer: dict[str, Any] = self.get(program_path(program, "framework/"))
        return answer

    def program_framework_summary(self, program: Any) -> dict[str, Any]:
        """Each current dimension with the evidence under it, and the coverage counts."""
        answer: dict[str, Any] = self.get(program_path(program, "framework/summary/"))
        return answer

    def program_framework_versions(self, program: Any) -> list[dict[str, Any]]:
        """The framework's versions, newest first."""
        answer: list[dict[str, Any]] = self.get(program_path(program, "framework/versions/"))
        return answer

    def create_framework_version(
        self, program: Any, dimensions: list[Any], *, note: str | None = None
    ) -> dict[str, Any]:
        """A new version of the framework: dimension names or ``{key, name, description}``.

        A dimension keeps its evidence from version to version by its ``key``.
        """
        body = without_none(dimensions=dimensions, note=note)
        path = program_path(program, "framework/versions/")
        answer: dict[str, Any] = self.send("POST", path, body)
        return answer

    def program_coverage_gaps(self, program: Any) -> list[dict[str, Any]]:
        """The current dimensions no evidence is filed under yet."""
        answer: list[dict[str, Any]] = self.get(program_path(program, "framework/coverage-gaps/"))
        return answer

    def program_next_steps(self, program: Any) -> list[dict[str, Any]]:
        """The program's next steps."""
        answer: list[dict[str, Any]] = self.get(program_path(program, "framework/next-steps/"))
        return answer

    def add_program_next_step(
        self,
        program: Any,
        text: str,
        *,
        dimension: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """A next step (``open``, ``in_progress`` or ``done``), optionally for a dimension."""
        body = without_none(text=text, dimension=dimension, status=status)
        path = program_path(program, "framework/next-steps/")
        answer: dict[str, Any] = self.send("POST", path, body)
        return answer

    def program_evidence_sources(self, program: Any) -> list[dict[str, Any]]:
        """The experiments the program's evidence comes from."""
        path = program_path(program, "framework/evidence-sources/")
        answer: list[dict[str, Any]] = self.get(path)
        return answer

    def program_types(self) -> list[dict[str, Any]]:
        """The kinds of program: ``{key, name, description}``."""
        answer: list[dict[str, Any]] = self.get("/programs/program-types/")
        return answer

    def framework_templates(self) -> list[dict[str, Any]]:
        """The framework templates a program can start from."""
        answer: list[dict[str, Any]] = self.get("/programs/framework-templates/")
        return answer

    def program_labels(self) -> list[dict[str, Any]]:
        """The labels of your working organization's programs."""
        answer: list[dict[str, Any]] = self.get("/programs/labels/")
        return answer

    def create_program_label(
        self, name: str, *, category: str | None = None, color: str | None = None
    ) -> dict[str, Any]:
        """A new label (``color`` like ``#1f77b4``)."""
        body = without_none(name=name, category=category, color=color)
        answer: dict[str, Any] = self.send("POST", "/programs/labels/", body)
        return answer

    def program_stats(self) -> dict[str, int]:
        """``{total, active}``: how many programs you can see, how many are active."""
        answer: dict[str, int] = self.get("/programs/stats/")
        return answer
