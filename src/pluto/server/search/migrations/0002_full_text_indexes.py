"""Full-text (GIN) indexes on PostgreSQL, and the search text of sample tables stored so far.

The indexes use the same expressions as the search queries of
:mod:`pluto.server.search.services`; other databases (SQLite) get no index and search with
their portable fallback.
"""

from typing import Any

from django.db import migrations

CONFIG = "'english'::regconfig"


def weighted(table: str, column: str, weight: str) -> str:
    """The weighted document of one column, as Django's ``SearchVector`` writes it."""
    text = f'COALESCE("{table}"."{column}", \'\')'
    return f"setweight(to_tsvector({CONFIG}, {text}), '{weight}')"


def document(table: str) -> str:
    """The document of a project or experiment: ids and names ``A``, descriptions ``B``."""
    parts = [weighted(table, "pluto_id", "A"), weighted(table, "name", "A")]
    return " || ".join([*parts, weighted(table, "description", "B")])


INDEXES = {
    "search_project_document": ("lab_project", document("lab_project")),
    "search_experiment_document": ("lab_experiment", document("lab_experiment")),
    "search_sample_text": ("search_searchtext", weighted("search_searchtext", "text", "C")),
}


def create_indexes(apps: Any, schema_editor: Any) -> None:
    """Create the GIN indexes (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (({expression}))'
        )


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    """Remove the GIN indexes (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def fill_sample_texts(apps: Any, schema_editor: Any) -> None:
    """Give every experiment with a sample table its search text."""
    from pluto.server.search.indexing import refresh_sample_text
    from pluto.server.tables.models import CurrentDataset

    pointers = CurrentDataset.objects.using(schema_editor.connection.alias).filter(kind="sample")
    for pointer in pointers.select_related("dataset"):
        try:
            refresh_sample_text(pointer.dataset)
        except OSError:
            continue  # a missing file: the text comes with the next sample table


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("tables", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_sample_texts, migrations.RunPython.noop),
    ]
