"""The options each display type takes, validated like every other body: unknown options and
values out of range are ``400 invalid`` naming ``options.<name>``.

One model per display type; the same models make the OpenAPI schema of ``PUT displays/``.
Also here: the displays several kinds share (volcano plots, sample scatter plots, score bars).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from pluto.server.analyses import figures
from pluto.server.analyses.kind import Display
from pluto.server.errors import InvalidInput

Label = Annotated[str, StringConstraints(max_length=200)]
GeneSymbol = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PValue = Annotated[float, Field(ge=0, le=1)]


def axis_label(axis: str) -> Any:
    """The field of an axis title option (empty: the figure's own)."""
    return Field(default=None, title=f"{axis} axis label")


class Options(BaseModel):
    """Options every display refuses it does not know; values keep their JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True)


class VolcanoOptions(Options):
    """``volcano_plot_v2``: significance thresholds and which genes to label."""

    fold_change_threshold: Annotated[float, Field(ge=0, le=100)] | None = Field(
        default=None, title="Fold change threshold (|log2|)"
    )
    p_value_threshold: PValue | None = Field(default=None, title="P-value threshold")
    use_adjusted_p_value: bool | None = Field(default=None, title="Use adjusted p-values")
    label_top: Annotated[int, Field(ge=0, le=1000)] | None = Field(
        default=None, title="Label the top genes"
    )
    label_genes: Annotated[list[GeneSymbol], Field(max_length=1000)] | None = Field(
        default=None,
        title="Or label these genes",
        json_schema_extra={"choices": "genes"},
    )
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


class ScatterOptions(Options):
    """``sample_scatter_plot``: the sample-table column that colours the points."""

    color_by: Label | None = Field(
        default=None, title="Colour by", json_schema_extra={"choices": "sample_columns"}
    )
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


class BarOptions(Options):
    """``score_bar_plot``: how many gene sets, below which adjusted p-value."""

    top_n: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, title="Gene sets shown"
    )
    p_value_threshold: PValue | None = Field(default=None, title="Adjusted p-value threshold")
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


VOLCANO = Display(
    "volcano_plot_v2",
    VolcanoOptions,
    figures.volcano_figure,
    column_major=True,
    defaults=figures.VOLCANO_DEFAULTS,
)
SAMPLE_SCATTER = Display(
    "sample_scatter_plot", ScatterOptions, figures.scatter_figure, defaults=figures.SCATTER_DEFAULTS
)
SCORE_BAR = Display("score_bar_plot", BarOptions, figures.bar_figure, defaults=figures.BAR_DEFAULTS)


def options_model(display_type: str) -> type[BaseModel]:
    """The options model of a display type (one that takes no options for the others)."""
    from pluto.server.analyses.registry import display_of

    display = display_of(display_type)
    return display.options if display is not None else Options


def problem_field(error: ValidationError) -> tuple[str, str]:
    """The first problem's field (``options.<name>``) and message."""
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    field = ".".join(["options", *location[:1]])
    name = location[0] if location else "options"
    if first.get("type") == "extra_forbidden":
        return field, f"'{name}' is not an option of this display."
    return field, f"'{name}': {first.get('msg', 'invalid value')}."


def clean_options(display_type: str, value: Any) -> dict[str, Any]:
    """The options of a display of ``display_type``, validated; as given, typed."""
    if not isinstance(value, dict):
        raise InvalidInput("'options' must be a JSON object.", details={"field": "options"})
    try:
        model = options_model(display_type).model_validate(value)
    except ValidationError as error:
        field, message = problem_field(error)
        raise InvalidInput(message, details={"field": field}) from error
    return model.model_dump(exclude_unset=True)
