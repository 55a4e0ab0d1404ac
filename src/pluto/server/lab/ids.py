"""Public ids (``PLXP00286``, ``PLX140206``): parsing path ids and allocating new ones."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import models, transaction

from pluto.server.errors import InvalidObjectId
from pluto.server.lab.models import IdCounter


@dataclass(frozen=True)
class IdKind:
    """One kind of public id: its letters, how many digits, and where numbering starts."""

    prefix: str
    digits: int
    pattern: re.Pattern[str]
    noun: str


# ASCII digits only: ``\d`` would also take full-width or other scripts' digits.
PROJECT_IDS = IdKind("PLXP", 5, re.compile(r"PLXP[0-9]{5,}"), "project")
EXPERIMENT_IDS = IdKind("PLX", 6, re.compile(r"PLX[0-9]{6,}"), "experiment")


@dataclass(frozen=True)
class ObjectRef:
    """A path id resolved to the field to look it up by."""

    field: str
    value: str | uuid.UUID

    def as_filter(self) -> dict[str, str | uuid.UUID]:
        """Keyword arguments for a queryset filter."""
        return {self.field: self.value}


def parse_object_id(raw: str, kind: IdKind) -> ObjectRef:
    """A public id or a UUID; anything else is ``400 invalid_object_id``."""
    text = (raw or "").strip()
    if kind.pattern.fullmatch(text.upper()):
        return ObjectRef("pluto_id", text.upper())
    try:
        return ObjectRef("uuid", uuid.UUID(text))
    except ValueError:
        pass
    raise InvalidObjectId(
        f"{raw!r} is not a valid {kind.noun} id: use its {kind.prefix} id "
        f"(like {kind.prefix}{'0' * (kind.digits - 3)}123) or its UUID.",
        details={"id": raw},
    )


def parse_uuid(raw: str, noun: str) -> uuid.UUID:
    """A UUID path id; anything else is ``400 invalid_object_id``."""
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError as exc:
        raise InvalidObjectId(f"{raw!r} is not a valid {noun} id (a UUID).") from exc


def allocate_id(kind: IdKind, model: type[models.Model]) -> str:
    """The next free public id of this kind, unique even beside ids given explicitly."""
    with transaction.atomic():
        IdCounter.objects.get_or_create(name=kind.prefix)
        counter = IdCounter.objects.select_for_update().get(name=kind.prefix)
        while True:
            counter.value += 1
            candidate = f"{kind.prefix}{counter.value:0{kind.digits}d}"
            if not model.objects.filter(pluto_id=candidate).exists():
                break
        counter.save(update_fields=["value"])
    return candidate
