"""Default cluster colours: twenty distinct hues, repeated when a set has more clusters."""

from __future__ import annotations

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)


def colour_of(position: int) -> str:
    """The default colour of the cluster at ``position`` (0 for the lowest number)."""
    return PALETTE[position % len(PALETTE)]
