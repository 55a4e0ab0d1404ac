"""Processing pipelines, their runs, and workflows a scientist reviews and accepts."""
