"""The kinds of program and the framework templates a program can start from (code-defined)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProgramType:
    """A kind of translational research program."""

    key: str
    name: str
    description: str

    def as_json(self) -> dict[str, Any]:
        """The type as the API answers it."""
        return {"key": self.key, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class TemplateDimension:
    """A dimension a template starts a framework with."""

    key: str
    name: str
    description: str

    def as_json(self) -> dict[str, str]:
        """The dimension as the API answers it."""
        return {"key": self.key, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class FrameworkTemplate:
    """A ready-made framework: its name, the program type it suits, and its dimensions."""

    key: str
    name: str
    description: str
    program_type: str
    dimensions: tuple[TemplateDimension, ...]

    def as_json(self) -> dict[str, Any]:
        """The template as the API answers it."""
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "program_type": self.program_type,
            "dimensions": [d.as_json() for d in self.dimensions],
        }


PROGRAM_TYPES: tuple[ProgramType, ...] = (
    ProgramType(
        "target_discovery",
        "Target discovery and validation",
        "Is this target causally involved in the disease, and can it be drugged safely?",
    ),
    ProgramType(
        "biomarker",
        "Biomarker development",
        "Does this marker measure what it should, reproducibly, in the patients who matter?",
    ),
    ProgramType(
        "mechanism_of_action",
        "Mechanism of action",
        "How does a compound or perturbation change the cells it acts on?",
    ),
    ProgramType(
        "indication_expansion",
        "Indication expansion",
        "Which further diseases or patient groups could a treatment serve?",
    ),
    ProgramType("other", "Other research program", "Any other research goal."),
)

TEMPLATES: tuple[FrameworkTemplate, ...] = (
    FrameworkTemplate(
        "target_validation",
        "Target validation",
        "Evidence that a target drives disease and is worth pursuing.",
        "target_discovery",
        (
            TemplateDimension(
                "genetic_evidence", "Genetic evidence", "Human genetics links the target."
            ),
            TemplateDimension(
                "disease_expression",
                "Expression in disease",
                "The target is expressed where and when the disease is.",
            ),
            TemplateDimension(
                "functional_validation",
                "Functional validation",
                "Perturbing the target changes the disease phenotype.",
            ),
            TemplateDimension(
                "safety", "Safety", "Expression in healthy tissues and known liabilities."
            ),
            TemplateDimension(
                "tractability", "Tractability", "The target can be reached by a modality."
            ),
        ),
    ),
    FrameworkTemplate(
        "biomarker_development",
        "Biomarker development",
        "From a candidate marker to one a clinic can use.",
        "biomarker",
        (
            TemplateDimension(
                "discovery", "Discovery", "The marker separates the groups it should."
            ),
            TemplateDimension(
                "analytical_validation",
                "Analytical validation",
                "The assay measures the marker accurately and reproducibly.",
            ),
            TemplateDimension(
                "clinical_validation",
                "Clinical validation",
                "The marker holds in independent patient cohorts.",
            ),
            TemplateDimension(
                "clinical_utility", "Clinical utility", "Using the marker changes decisions."
            ),
        ),
    ),
    FrameworkTemplate(
        "mechanism_of_action",
        "Mechanism of action",
        "What a compound does to cells, from first response to pathway.",
        "mechanism_of_action",
        (
            TemplateDimension(
                "target_engagement", "Target engagement", "The compound reaches its target."
            ),
            TemplateDimension(
                "pathway_response",
                "Pathway response",
                "Downstream pathways change as expected.",
            ),
            TemplateDimension(
                "dose_response", "Dose response", "Effects scale with dose and time."
            ),
            TemplateDimension(
                "off_target", "Off-target effects", "What else changes, and whether it matters."
            ),
        ),
    ),
)


def program_type_keys() -> list[str]:
    """Every program type's key."""
    return [t.key for t in PROGRAM_TYPES]


def program_type_name(key: str) -> str:
    """The readable name of a program type (its key when unknown)."""
    return next((t.name for t in PROGRAM_TYPES if t.key == key), key)


def template_keys() -> list[str]:
    """Every framework template's key."""
    return [t.key for t in TEMPLATES]


def template_named(key: str) -> FrameworkTemplate | None:
    """The framework template of ``key``, if there is one."""
    return next((t for t in TEMPLATES if t.key == key), None)
