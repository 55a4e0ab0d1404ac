"""Display options of a plot from the plot page's form, made from the display type's options
model like the analysis forms are made from parameter models.

The page's script sends the same names with PUT; the display service validates them.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from pluto.server.analyses.displays import options_model
from pluto.server.analyses.models import Display
from pluto.server.web.analysis_forms import (
    BoundField,
    FormField,
    SampleChoices,
    bound_fields,
    field_value,
    form_values,
    model_fields,
)


def option_fields(display: Display, choices: SampleChoices | None) -> list[FormField]:
    """The options a display of this type takes, as form fields."""
    return model_fields(options_model(display.display_type), display.plot.experiment, choices)


def bound_options(
    display: Display,
    shown: dict[str, Any],
    errors: dict[str, str],
    choices: SampleChoices | None,
) -> list[BoundField]:
    """The options form, filled with ``shown`` (the saved options over their defaults)."""
    return bound_fields(option_fields(display, choices), form_values(shown), errors, choices)


def from_form(form: QueryDict, display: Display) -> dict[str, Any]:
    """The ``PUT displays/<display>/`` body the form describes (other options are kept)."""
    fields = option_fields(display, None)
    known = options_model(display.display_type).model_fields
    options = {name: value for name, value in display.options.items() if name in known}
    for field in fields:
        value = field_value(form, field)
        if value in (None, []) and field.widget != "checkbox":
            options.pop(field.name, None)
        else:
            options[field.name] = value
    return {"plot_title": form.get("plot_title", display.plot_title), "options": options}
