"""Annotation sets: cell clusters of single-cell experiments and cells' assignments."""
