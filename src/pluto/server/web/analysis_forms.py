"""The New analysis and Re-run forms, made from each kind's parameter model.

A field's widget follows from its JSON schema (a number, a yes/no, a list, one of a few
values) and from where its choices come (``json_schema_extra``: the sample table's columns
or a column's values, the experiment's completed analyses, the gene set collections, pasted
genes). The form posts plain fields; this module turns them into the parameters of API.md and
hands them to the analyses service, whose model validates them again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from pydantic import BaseModel

from pluto.server.analyses.kind import Kind
from pluto.server.analyses.models import Analysis, AnalysisStatus, GeneSetCollection
from pluto.server.analyses.registry import all_kinds, find_kind
from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.sets.gene_sets import biomarker_gene_set_options
from pluto.server.tables.models import Dataset
from pluto.server.tables.services import current_dataset
from pluto.server.web.table_view import read_whole

MAX_VALUES = 200
GENE_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class SampleChoices:
    """The sample table's annotation columns and the values each one holds."""

    columns: list[str]
    values: dict[str, list[str]]
    sample_count: int

    def grouping_columns(self) -> list[str]:
        """Columns with at least two values: the ones that can split samples into groups."""
        return [name for name in self.columns if len(self.values[name]) >= 2]


@dataclass(frozen=True)
class FormField:
    """One parameter as the form shows it."""

    name: str
    label: str
    help: str
    widget: str  # select, checks, number, text, genes or checkbox
    required: bool
    default: Any = None
    options: tuple[tuple[str, str], ...] = ()
    of: str = ""  # checks whose values are those of the column this field names
    minimum: str = ""
    maximum: str = ""
    step: str = ""
    distinct_from: str = ""
    placeholder: str = ""

    @property
    def dom_id(self) -> str:
        """The element id of the field's input."""
        return self.name.replace("_", "-")

    @property
    def is_list(self) -> bool:
        """Whether the field posts several values."""
        return self.widget in ("checks", "genes")

    @property
    def advanced(self) -> bool:
        """Whether the field sits in the form's folded "More settings" (numbers with a
        default, yes/no switches)."""
        return not self.required and self.widget in ("number", "checkbox")

    def shown_default(self) -> str:
        """The default as a form shows it (a switch that is off by default shows empty)."""
        if self.default is None or self.default is False:
            return ""
        return "true" if self.default is True else str(self.default)


def distinct_values(dataset: Dataset) -> dict[str, list[str]]:
    """Each annotation column's distinct values, as text, in sorted order."""
    table = read_whole(dataset)
    values: dict[str, list[str]] = {}
    for name in table.column_names[1:]:
        seen = {str(v) for v in table.column(name).to_pylist() if v not in (None, "")}
        values[name] = sorted(seen)[:MAX_VALUES]
    return values


def sample_choices(experiment: Experiment) -> SampleChoices | None:
    """What the forms offer from the current sample table (None before one is uploaded)."""
    dataset = current_dataset(experiment, "sample")
    if dataset is None:
        return None
    values = distinct_values(dataset)
    return SampleChoices(list(values), values, int(dataset.row_count))


def form_kinds() -> list[Kind]:
    """The kinds a scientist can start from the page."""
    return list(all_kinds().values())


def kind_label(analysis_type: str) -> str:
    """What a plot's kind is called on the pages."""
    if analysis_type == "external":
        return "External plot"
    kind = find_kind(analysis_type)
    return kind.title if kind is not None else analysis_type


def chosen_kind(name: str) -> Kind | None:
    """The kind a form names."""
    return find_kind(name) if name else None


def completed_analyses(experiment: Experiment, analysis_type: str) -> list[Analysis]:
    """Finished analyses of one type, newest first (inputs of analyses that build on them)."""
    return list(
        Analysis.objects.filter(
            experiment=experiment, analysis_type=analysis_type, status=AnalysisStatus.COMPLETE
        ).order_by("-created_at", "-id")
    )


def property_type(spec: dict[str, Any]) -> str:
    """The JSON type of a property (the non-null one of an ``anyOf``)."""
    if "type" in spec:
        return str(spec["type"])
    for option in spec.get("anyOf") or ():
        if option.get("type") not in (None, "null"):
            return str(option["type"])
    return "string"


BOUND_NAMES = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def bounds(spec: dict[str, Any]) -> dict[str, Any]:
    """A number property's limits (from the non-null branch of an ``anyOf`` too, and under
    pydantic's own names where it could not place them in the schema)."""
    merged = {BOUND_NAMES.get(k, k): v for k, v in spec.items()}
    for option in spec.get("anyOf") or ():
        merged.update({k: v for k, v in option.items() if k != "type"})
    return merged


def number_field(name: str, spec: dict[str, Any], common: dict[str, Any]) -> FormField:
    """A number input with the property's limits."""
    limits = bounds(spec)
    low = limits.get("minimum", limits.get("exclusiveMinimum", ""))
    high = limits.get("maximum", limits.get("exclusiveMaximum", ""))
    step = "1" if property_type(spec) == "integer" else "any"
    return FormField(**common, widget="number", minimum=str(low), maximum=str(high), step=step)


def options_for(
    source: str, spec: dict[str, Any], experiment: Experiment, choices: SampleChoices | None
) -> tuple[tuple[str, str], ...]:
    """The (value, label) pairs a select or checks offer."""
    if source == "sample_columns":
        return tuple((name, name) for name in (choices.columns if choices else []))
    if source == "analyses":
        found = completed_analyses(experiment, str(spec.get("analysis_type", "")))
        return tuple((str(a.uuid), f"{a.name} ({a.created_at:%Y-%m-%d %H:%M})") for a in found)
    if source == "gene_set_collections":
        collections = GeneSetCollection.objects.order_by("shortname")
        listed = tuple((c.shortname, f"{c.name} ({c.set_count} sets)") for c in collections)
        return listed + biomarker_gene_set_options(experiment)
    return ()


def choice_field(
    name: str,
    spec: dict[str, Any],
    common: dict[str, Any],
    experiment: Experiment,
    choices: SampleChoices | None,
) -> FormField:
    """A field whose values come from the experiment or the instance."""
    source = str(spec["choices"])
    listed = property_type(spec) == "array"
    if source == "genes":
        return FormField(**common, widget="genes")
    if source == "sample_values":
        return FormField(**common, widget="checks", of=str(spec.get("of", "")))
    options = options_for(source, spec, experiment, choices)
    if source == "sample_columns" and common["required"] and not listed and choices:
        # A column that must split the samples needs two values at least.
        grouping = set(choices.grouping_columns())
        options = tuple(option for option in options if option[0] in grouping)
    return FormField(**common, widget="checks" if listed else "select", options=options)


def enum_options(spec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The values of a property that is one of a few."""
    values: list[Any] = spec.get("enum") or next(
        (o.get("enum") for o in spec.get("anyOf") or () if o.get("enum")), []
    )
    return tuple((str(v), str(v).replace("_", " ")) for v in values)


def item_type(spec: dict[str, Any]) -> str:
    """The JSON type of a list property's items (of its non-null form)."""
    for option in (spec, *(spec.get("anyOf") or ())):
        if isinstance(option.get("items"), dict):
            return property_type(option["items"])
    return ""


def list_placeholder(spec: dict[str, Any]) -> str:
    """What an empty list field shows as an example of what to type."""
    if spec.get("examples"):
        return "e.g. " + ", ".join(str(example) for example in spec["examples"])
    if spec.get("choices") == "genes":
        return "e.g. TP53, MYC"
    if item_type(spec) in ("integer", "number"):
        return "e.g. 12, 24, 36"
    return "Values separated by commas"


def form_field(
    name: str,
    spec: dict[str, Any],
    required: bool,
    experiment: Experiment,
    choices: SampleChoices | None,
) -> FormField:
    """How one parameter appears in the form."""
    common: dict[str, Any] = {
        "name": name,
        "label": str(spec.get("title") or name.replace("_", " ").capitalize()),
        "help": str(spec.get("description") or ""),
        "required": required,
        "default": spec.get("default"),
        "distinct_from": str(spec.get("distinct_from", "")),
        "placeholder": list_placeholder(spec) if property_type(spec) == "array" else "",
    }
    kind = property_type(spec)
    if "choices" in spec:
        return choice_field(name, spec, common, experiment, choices)
    if enum_options(spec):
        # A choice with a default needs no empty entry: leaving the default is the choice.
        common["required"] = required or spec.get("default") is not None
        return FormField(**common, widget="select", options=enum_options(spec))
    if kind in ("integer", "number"):
        return number_field(name, spec, common)
    if kind == "boolean":
        return FormField(**common, widget="checkbox")
    return FormField(**common, widget="genes" if kind == "array" else "text")


def form_fields(
    kind: Kind, experiment: Experiment, choices: SampleChoices | None
) -> list[FormField]:
    """Every parameter of ``kind`` as the form shows it, in the model's order."""
    return model_fields(kind.parameters, experiment, choices)


def model_fields(
    model: type[BaseModel], experiment: Experiment, choices: SampleChoices | None
) -> list[FormField]:
    """Every field of a parameters or display options model as a form shows it."""
    schema = model.model_json_schema()
    required = set(schema.get("required") or ())
    properties = schema.get("properties") or {}
    return [
        form_field(name, spec, name in required, experiment, choices)
        for name, spec in properties.items()
    ]


def number_or_text(raw: str, integer: bool) -> Any:
    """A typed number from a form field; text that is not one goes on for the model to name."""
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        return raw


def field_value(form: QueryDict, field: FormField) -> Any:
    """One parameter from the form; None when left empty (its default applies)."""
    if field.widget == "checks":
        return [value for value in form.getlist(field.name) if value.strip()]
    if field.widget == "checkbox":
        return field.name in form and form.get(field.name) not in ("", "off", "false")
    raw = form.get(field.name, "").strip()
    if field.widget == "genes":
        return [gene for gene in GENE_SEPARATORS.split(raw) if gene]
    if not raw:
        return None
    if field.widget == "number":
        return number_or_text(raw, field.step == "1")
    return raw


def sent_parameters(
    form: QueryDict, fields: list[FormField], only_sent: bool = False
) -> dict[str, Any]:
    """The parameters the form describes (with ``only_sent``, only fields it carried)."""
    values = {
        field.name: field_value(form, field)
        for field in fields
        if not only_sent or field.name in form or field.widget == "checkbox"
    }
    return {name: value for name, value in values.items() if value not in (None, [])}


def analysis_request(form: QueryDict, experiment: Experiment) -> dict[str, Any]:
    """The body of ``POST analyses/`` that the submitted form describes."""
    kind = chosen_kind(form.get("analysis_type", ""))
    if kind is None:
        raise InvalidInput("Choose an analysis type.", details={"field": "analysis_type"})
    fields = form_fields(kind, experiment, None)
    body: dict[str, Any] = {
        "analysis_type": kind.analysis_type,
        "parameters": sent_parameters(form, fields),
    }
    if form.get("name", "").strip():
        body["name"] = form["name"].strip()
    return body


def rerun_request(form: QueryDict, analysis: Analysis) -> dict[str, Any]:
    """The body of a re-run: the parameters the form shows, changed or not.

    Only fields the form sent are changes; one left empty takes its default, and a parameter
    the form does not show keeps the earlier run's value.
    """
    kind = chosen_kind(analysis.analysis_type)
    if kind is None:
        raise InvalidInput("Only built-in analyses can be run again with other parameters.")
    fields = form_fields(kind, analysis.experiment, None)
    changes = {
        field.name: field_value(form, field)
        for field in fields
        if field.name in form or field.widget == "checkbox"
    }
    body: dict[str, Any] = {"parameters": changes}
    if form.get("name", "").strip():
        body["name"] = form["name"].strip()
    return body


def form_values(parameters: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters as a form shows them (numbers as text, so zero is not blank)."""
    shown: dict[str, Any] = {}
    for name, value in parameters.items():
        if value is None:
            shown[name] = ""
        elif isinstance(value, list | tuple):
            shown[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            shown[name] = "true" if value else ""
        else:
            shown[name] = str(value)
    return shown


def posted_values(form: QueryDict, fields: list[FormField]) -> dict[str, Any]:
    """What a form sent back after an error, as the form shows it again."""
    shown: dict[str, Any] = {"name": form.get("name", "")}
    for field in fields:
        shown[field.name] = form.getlist(field.name) if field.is_list else form.get(field.name, "")
    return shown


@dataclass(frozen=True)
class BoundField:
    """A field with what the form shows in it now: its value, its options, its error."""

    field: FormField
    value: Any
    options: tuple[tuple[str, str], ...]
    error: str = ""

    @property
    def selected(self) -> set[str]:
        """The values shown as chosen."""
        if isinstance(self.value, list | tuple):
            return {str(v) for v in self.value}
        return {str(self.value)} if self.value not in (None, "") else set()

    @property
    def text(self) -> str:
        """The value of a text box (pasted genes one per line)."""
        if isinstance(self.value, list | tuple):
            return "\n".join(str(v) for v in self.value)
        return "" if self.value is None else str(self.value)


def column_values(
    field: FormField, shown: dict[str, Any], fields: list[FormField], choices: SampleChoices | None
) -> tuple[tuple[str, str], ...]:
    """The values of the column that the field ``field.of`` currently names."""
    if choices is None:
        return ()
    column = shown.get(field.of) or first_option(fields, field.of)
    return tuple((value, value) for value in choices.values.get(str(column), []))


def first_option(fields: list[FormField], name: str) -> str:
    """The first value a select offers (what the browser shows chosen by default)."""
    owner = next((f for f in fields if f.name == name), None)
    return owner.options[0][0] if owner is not None and owner.options else ""


def bound_fields(
    fields: list[FormField],
    shown: dict[str, Any],
    errors: dict[str, str],
    choices: SampleChoices | None,
) -> list[BoundField]:
    """Each field with its shown value (or its default), options and error."""
    bound = []
    for field in fields:
        value = shown.get(field.name, field.shown_default() if field.widget != "checks" else [])
        options = column_values(field, shown, fields, choices) if field.of else field.options
        if field.widget == "select" and field.required and not value and options:
            value = options[0][0]  # what the browser shows chosen anyway
        bound.append(BoundField(field, value, options, errors.get(field.name, "")))
    return bound


def form_context(
    fields: list[FormField],
    shown: dict[str, Any],
    errors: dict[str, str],
    choices: SampleChoices | None,
) -> dict[str, Any]:
    """The bound fields of a kind's form, and whether some are folded away."""
    return {
        "fields": bound_fields(fields, shown, errors, choices),
        "has_advanced": any(field.advanced for field in fields),
        "values": shown,
    }
