"""Analyses: jobs, runners, plots, displays and methods text."""
