"""Reference tables (experiment types, organisms, assay units) and the id counters' start."""

from __future__ import annotations

from typing import Any

from django.apps import apps

EXPERIMENT_TYPES = [
    ("rnaseq", "RNA-seq"),
    ("scrnaseq", "Single-cell RNA-seq"),
    ("atacseq", "ATAC-seq"),
    ("cutandrun", "CUT&RUN"),
    ("cutandtag", "CUT&Tag"),
    ("chipseq", "ChIP-seq"),
    ("proteomics", "Proteomics"),
    ("microarray", "Microarray"),
    ("other", "Other"),
]
ORGANISMS = [
    ("human", "Human"),
    ("mouse", "Mouse"),
    ("rat", "Rat"),
    ("zebrafish", "Zebrafish"),
    ("fly", "Fruit fly"),
    ("worm", "C. elegans"),
    ("yeast", "Yeast"),
    ("arabidopsis", "Arabidopsis"),
    ("other", "Other"),
]
ASSAY_UNITS = [
    ("raw_counts", "Raw counts"),
    ("expected_counts", "Expected counts"),
    ("normalized_counts", "Normalized counts"),
    ("cpm", "CPM"),
    ("tpm", "TPM"),
    ("rpkm", "RPKM"),
    ("fpkm", "FPKM"),
    ("intensity", "Intensity"),
    ("other", "Other"),
]
# Numbering starts here; ids given explicitly (the demo's) are skipped when allocating.
COUNTERS = [("PLXP", 0), ("PLX", 100000)]


def seed_reference_data(**kwargs: Any) -> None:
    """Create or refresh the reference rows and id counters (after every migrate and flush)."""
    for model_name, rows in (
        ("ExperimentType", EXPERIMENT_TYPES),
        ("Organism", ORGANISMS),
        ("AssayUnits", ASSAY_UNITS),
    ):
        model = apps.get_model("lab", model_name)
        for shortname, display_name in rows:
            model.objects.update_or_create(
                shortname=shortname, defaults={"display_name": display_name}
            )
    counter = apps.get_model("lab", "IdCounter")
    for name, value in COUNTERS:
        counter.objects.get_or_create(name=name, defaults={"value": value})
