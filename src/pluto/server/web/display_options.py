"""Display options of a plot from the plot page's form: title, thresholds, colours, labels.

The same names the page's script sends with PUT; the display service validates them.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict

from pluto.server.analyses.displays import options_model
from pluto.server.analyses.models import Display
from pluto.server.errors import InvalidInput

FIELDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "volcano_plot_v2": (
        "fold_change_threshold",
        "p_value_threshold",
        "use_adjusted_p_value",
        "label_top",
        "label_genes",
        "x_label",
        "y_label",
    ),
    "sample_scatter_plot": ("color_by", "x_label", "y_label"),
    "score_bar_plot": ("top_n", "p_value_threshold", "x_label"),
}
DECIMALS = {"fold_change_threshold", "p_value_threshold"}
WHOLE_NUMBERS = {"label_top", "top_n"}
CHECKBOXES = {"use_adjusted_p_value"}
GENE_SEPARATORS = re.compile(r"[\s,;]+")


def option_value(form: QueryDict, name: str) -> Any:
    """One option from the form, typed; None when left empty."""
    if name in CHECKBOXES:
        return form.get(name) == "on"
    raw = form.get(name, "").strip()
    if name == "label_genes":
        return [gene for gene in GENE_SEPARATORS.split(raw) if gene]
    if not raw:
        return None
    if name in DECIMALS or name in WHOLE_NUMBERS:
        return number(raw, name)
    return raw


def number(raw: str, name: str) -> int | float:
    """A number from a form field, or ``400 invalid`` naming it."""
    try:
        return int(raw) if name in WHOLE_NUMBERS else float(raw)
    except ValueError as exc:
        raise InvalidInput(f"'{name}' must be a number.", details={"field": name}) from exc


def from_form(form: QueryDict, display: Display) -> dict[str, Any]:
    """The ``PUT displays/<display>/`` body the form describes (other options are kept)."""
    names = FIELDS_BY_TYPE.get(display.display_type, ())
    known = options_model(display.display_type).model_fields
    options = {name: value for name, value in display.options.items() if name in known}
    for name in names:
        value = option_value(form, name)
        if value is None:
            options.pop(name, None)
        else:
            options[name] = value
    return {"plot_title": form.get("plot_title", display.plot_title), "options": options}
