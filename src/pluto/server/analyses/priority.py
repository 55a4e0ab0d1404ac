"""How soon a queued job runs (higher first): a person waiting on a figure comes before a
long pipeline run that nobody watches. Free of Django, so kinds can name it."""

from __future__ import annotations


class JobPriority:
    """The priorities a job can have."""

    PIPELINE = 10
    INTERACTIVE = 50
