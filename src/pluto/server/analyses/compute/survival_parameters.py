"""The parameters of a survival analysis: the only validation of what a scientist asks for.

The event column is read as follows (the same at creation and in the worker):

- without ``event_values``: 1/0 or true/false (any letter case; numbers 1.0 and 0.0 too),
  1 or true meaning the event was observed and 0 or false that the sample was censored;
- with ``event_values`` and ``censored_values`` (both, without a value in common): each
  sample's value must be one of them; a value in neither list is refused, naming the sample.

R's other coding, 1 = censored and 2 = event, is refused as ambiguous unless it is spelled
out with ``event_values=["2"]`` and ``censored_values=["1"]``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from pluto.server.analyses.compute.parameters import (
    Number,
    Parameters,
    Text,
    TextList,
    choices,
    problem,
)

DEFAULT_QUANTILE = 0.5


def one_gene(value: Any) -> Any:
    """One gene symbol; a list of exactly one (as a gene box posts it) counts as that one."""
    if isinstance(value, list | tuple) and len(value) == 1:
        return value[0]
    if isinstance(value, list | tuple):
        raise problem(f"'gene' takes one gene symbol (got {len(value)})")
    return value


Gene = Annotated[Text, BeforeValidator(one_gene)]


class SurvivalParameters(Parameters):
    """Which columns hold the follow-up, how samples are grouped, and what the Cox model
    adjusts for."""

    time_column: Text = Field(
        description="The sample-table column with each sample's follow-up time: a number "
        "of at least 0, all in one unit (days, months...).",
        json_schema_extra=choices("sample_columns"),
    )
    event_column: Text = Field(
        description="The sample-table column saying whether the event (death, relapse...) "
        "was observed by that time: 1/0 or true/false, or the values named in event_values "
        "and censored_values.",
        json_schema_extra=choices("sample_columns"),
    )
    event_values: TextList = Field(
        default=(),
        description="Values of event_column meaning the event was observed (for example "
        "dead); give censored_values too.",
        json_schema_extra=choices("sample_values", of="event_column"),
    )
    censored_values: TextList = Field(
        default=(),
        validate_default=True,
        description="Values of event_column meaning the sample was followed up to its time "
        "without the event (for example alive).",
        json_schema_extra=choices("sample_values", of="event_column"),
    )
    group_column: Text | None = Field(
        default=None,
        description="The sample-table column whose values are the groups compared, one "
        "curve each. Leave it and gene empty for one curve of all samples.",
        json_schema_extra=choices("sample_columns"),
    )
    group_values: TextList = Field(
        default=(),
        description="The values of group_column to compare, the first the reference of the "
        "hazard ratios; every value (in sorted order) when empty.",
        json_schema_extra=choices("sample_values", of="group_column"),
    )
    gene: Gene | None = Field(
        default=None,
        description="Compare samples of high and low expression of this gene (log2 CPM) "
        "instead of the groups of a column.",
        json_schema_extra=choices("genes"),
    )
    expression_quantile: Number = Field(
        default=DEFAULT_QUANTILE,
        gt=0,
        lt=1,
        description="Samples whose expression of gene is above this quantile are high, the "
        "others low (0.5 splits at the median).",
    )
    covariates: TextList = Field(
        default=(),
        description="Sample-table columns the Cox model adjusts for: numbers (hazard ratio "
        "per unit) or categories (each value against the first in sorted order).",
        json_schema_extra=choices("sample_columns"),
    )

    @field_validator("censored_values")
    @classmethod
    def both_value_lists(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Named event values come with named censored values, and none is in both."""
        events = info.data.get("event_values") or ()
        if events and not value:
            raise problem(
                "'censored_values' is needed with event_values: the values meaning the sample "
                "was censored (alive...)"
            )
        if value and not events:
            raise problem(
                "'event_values' is needed with censored_values: the values meaning the event "
                "was observed (dead...)"
            )
        common = [v for v in value if v in events]
        if common:
            raise problem(
                f"{common[0]!r} is both an event and a censored value; a sample is one or the other"
            )
        return value

    @field_validator("group_values")
    @classmethod
    def values_of_a_group_column(
        cls, value: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        """Group values are values of the group column, so they need one; and comparing
        needs two of them."""
        if value and not info.data.get("group_column"):
            raise problem("'group_values' needs group_column: the column these values are of")
        if len(value) == 1:
            raise problem("'group_values' needs at least two values to compare")
        return value

    @field_validator("gene")
    @classmethod
    def gene_or_group_column(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Samples are grouped by a column or by a gene, not both."""
        if value is not None and info.data.get("group_column"):
            raise problem(
                "'gene' and 'group_column' cannot both be given: group the samples by a "
                "sample-table column or by a gene's expression"
            )
        return value

    @field_validator("expression_quantile")
    @classmethod
    def quantile_of_a_gene(cls, value: float, info: ValidationInfo) -> float:
        """A split quantile other than the default only means something for a gene (the
        default passes: stored parameters list every field and are read again)."""
        if value != DEFAULT_QUANTILE and not info.data.get("gene"):
            raise problem(
                "'expression_quantile' applies only with gene: the gene whose expression "
                "splits the samples"
            )
        return value

    @field_validator("covariates")
    @classmethod
    def covariates_are_other_columns(
        cls, value: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        """A covariate is not the time, the event or the grouping itself."""
        roles = {
            "time_column": info.data.get("time_column"),
            "event_column": info.data.get("event_column"),
            "group_column": info.data.get("group_column"),
        }
        for column in value:
            for role, used in roles.items():
                if column == used:
                    raise problem(f"{column!r} is the {role}; it cannot also be a covariate")
        return value
