"""Biomarker sets (lists of genes, proteins, metabolites) and biomodel sets (reference tables)."""
