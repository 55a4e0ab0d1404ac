"""Pluto's benchmarks: ``make bench`` runs them and prints each figure beside its comparison."""
