"""The analysis kinds of this server: every module of :mod:`pluto.server.analyses.kinds` that
declares ``KIND``, found when first asked for. Nothing else in Pluto names a kind."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from pluto.server.analyses import kinds
from pluto.server.analyses.kind import Display, Kind
from pluto.server.errors import InvalidInput

REGISTERED: dict[str, Kind] = {}


@functools.cache
def discovered() -> tuple[Kind, ...]:
    """The kinds the ``kinds`` package declares, in the order of their module names."""
    found = []
    for module in pkgutil.iter_modules(kinds.__path__):
        declared = getattr(importlib.import_module(f"{kinds.__name__}.{module.name}"), "KIND", None)
        if isinstance(declared, Kind):
            found.append(declared)
    check_displays(found)
    return tuple(found)


def all_kinds() -> dict[str, Kind]:
    """Every kind by its analysis type: the package's, then any registered at run time."""
    return {**{kind.analysis_type: kind for kind in discovered()}, **REGISTERED}


def check_displays(kinds: list[Kind]) -> None:
    """A display type is one display: kinds that show the same type must share its object
    (its options and figure), since a plot's figure is found by its display type."""
    seen: dict[str, Display] = {}
    for kind in kinds:
        for display in kind.displays:
            known = seen.setdefault(display.display_type, display)
            if known is not display:
                raise ValueError(
                    f"Analysis kind {kind.analysis_type!r} declares its own "
                    f"{display.display_type!r} display; share the one other kinds use."
                )


def register(kind: Kind) -> None:
    """Add a kind declared elsewhere (a plug-in, or a test)."""
    check_displays([*all_kinds().values(), kind])
    REGISTERED[kind.analysis_type] = kind


def unregister(analysis_type: str) -> None:
    """Remove a kind added with :func:`register`."""
    REGISTERED.pop(analysis_type, None)


def find_kind(name: str) -> Kind | None:
    """The kind with this analysis type or alias (aliases are case-insensitive)."""
    known = all_kinds()
    if name in known:
        return known[name]
    wanted = name.strip().lower()
    return next((k for k in known.values() if wanted in k.aliases), None)


def kind_of(analysis_type: object) -> Kind:
    """The kind an analysis type (or alias) names, or an error listing the ones there are."""
    kind = find_kind(analysis_type) if isinstance(analysis_type, str) else None
    if kind is None:
        allowed = list(all_kinds())
        raise InvalidInput(
            f"'analysis_type' must be one of {', '.join(allowed)} (got {analysis_type!r}).",
            details={"field": "analysis_type", "allowed": allowed},
        )
    return kind


def display_of(display_type: str) -> Display | None:
    """The display of this type that some kind declares (None for external plots)."""
    for kind in all_kinds().values():
        for display in kind.displays:
            if display.display_type == display_type:
                return display
    return None
