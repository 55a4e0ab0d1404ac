"""Rules for an experiment's tables: store a new version, list versions, restore one.

Storing is: check and convert the file into Parquet (outside any transaction), write it to
the object store as a new immutable object, then in ONE transaction re-check that the
sample table and the assay matrix name the same samples, number the version and point the
experiment at it. A failure anywhere leaves the previous version current and readable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from pluto.server.accounts.models import User
from pluto.server.errors import InvalidInput, NotFound
from pluto.server.files.services import record_cpm_file
from pluto.server.history.services import record
from pluto.server.lab import permissions
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import require
from pluto.server.scratch import UPLOAD_PREFIX, scratch_folder
from pluto.server.search.indexing import refresh_sample_text
from pluto.server.storage import StoredObject, get_storage
from pluto.server.tables.cpm import CpmFile, makes_cpm, store_cpm
from pluto.server.tables.headers import SAMPLE_ID, feature_column
from pluto.server.tables.models import ASSAY, SAMPLE, CurrentDataset, Dataset
from pluto.server.tables.parsing import ParsedTable, TableRules, parse_table
from pluto.server.tables.reading import open_parquet
from pluto.server.tables.samples import SampleDifference, compare_samples, parquet_ids

FORMAT_VERSION = 1
KINDS = (SAMPLE, ASSAY)


def check_kind(kind: str) -> str:
    """``sample`` or ``assay``."""
    if kind not in KINDS:
        raise InvalidInput(f"The table kind must be 'sample' or 'assay' (got {kind!r}).")
    return kind


def table_rules(experiment: Experiment, kind: str) -> TableRules:
    """What an uploaded table of this kind must look like for this experiment."""
    if check_kind(kind) == SAMPLE:
        return TableRules("sample", SAMPLE_ID)
    id_column = feature_column(experiment.type.shortname)
    return TableRules("assay", id_column, experiment.assay_units.shortname)


def current_dataset(experiment: Experiment, kind: str) -> Dataset | None:
    """The version of the table readers get now, or None before the first upload."""
    pointer = (
        CurrentDataset.objects.select_related("dataset", "dataset__created_by")
        .filter(experiment=experiment, kind=check_kind(kind))
        .first()
    )
    return pointer.dataset if pointer else None


def store_table(
    user: User,
    experiment: Experiment,
    kind: str,
    path: Path,
    filename: str,
    *,
    content_type: str = "",
    sheet: str | None = None,
) -> Dataset:
    """Validate the file at ``path``, store it as the next version and make it current.

    ``user`` must be an editor of the experiment. Problems are ``400 invalid`` naming the
    rows, columns and values; nothing changes unless everything succeeds.
    """
    require(permissions.experiment_role(user, experiment), EDITOR, f"upload {kind} data")
    rules = table_rules(experiment, kind)
    with scratch_folder(UPLOAD_PREFIX) as folder:
        parsed = parse_table(
            path,
            rules,
            folder,
            filename,
            content_type,
            sheet,
            max_unpacked=int(settings.MAX_UNPACKED_BYTES),
        )
        check_samples_match(experiment, kind, parsed)
        # Still inside the folder: publishing checks the samples again, from the file.
        return stored_and_published(user, experiment, kind, parsed, filename)


def stored_and_published(
    user: User, experiment: Experiment, kind: str, parsed: ParsedTable, filename: str
) -> Dataset:
    """Put the checked file (and, for raw counts, its counts per million) in the object store
    and make it the current version."""
    dataset_uuid = uuid.uuid4()
    key = f"datasets/{experiment.uuid}/{kind}/{dataset_uuid}.parquet"
    stored = get_storage().put(key, parsed.path)
    written = [stored.key]
    try:
        cpm = None
        if makes_cpm(experiment, kind):
            cpm = store_cpm(experiment, dataset_uuid, parsed.path, parsed.path.parent)
            written.append(cpm.stored.key)
        return publish(user, experiment, kind, dataset_uuid, parsed, stored, filename, cpm)
    except BaseException:
        # Nothing points at the new objects yet; removing them leaves no trace of the attempt.
        for written_key in written:
            get_storage().delete(written_key)
        raise


@transaction.atomic
def publish(
    user: User,
    experiment: Experiment,
    kind: str,
    dataset_uuid: uuid.UUID,
    parsed: ParsedTable,
    stored: StoredObject,
    filename: str,
    cpm: CpmFile | None = None,
) -> Dataset:
    """Record the stored file as the next version and make it current, in one transaction
    with the file row of its counts per million (when there is one)."""
    lock_experiment(experiment)
    check_samples_match(experiment, kind, parsed)
    dataset = Dataset.objects.create(
        uuid=dataset_uuid,
        experiment=experiment,
        kind=kind,
        version=next_version(experiment, kind),
        storage_key=stored.key,
        format_version=FORMAT_VERSION,
        row_count=parsed.row_count,
        columns=parsed.columns,
        column_types=parsed.column_types,
        sha256=stored.sha256,
        size=stored.size,
        source_filename=filename[:255],
        source_format=parsed.source_format,
        created_by=user,
    )
    if cpm is not None:
        record_cpm_file(user, dataset, cpm.file_uuid, cpm.stored)
    make_current(dataset)
    record(
        experiment,
        user,
        "table_uploaded",
        f"Uploaded {filename[:255]} as version {dataset.version} of the {kind} data.",
        kind=kind,
        version=dataset.version,
        dataset=str(dataset.uuid),
        filename=filename[:255],
        rows=parsed.row_count,
    )
    return dataset


def lock_experiment(experiment: Experiment) -> None:
    """Serialise table changes of one experiment (a row lock; SQLite locks the database)."""
    Experiment.objects.select_for_update().filter(pk=experiment.pk).exists()


def next_version(experiment: Experiment, kind: str) -> int:
    """One more than the highest version so far."""
    highest = Dataset.objects.filter(experiment=experiment, kind=kind).aggregate(Max("version"))
    return int(highest["version__max"] or 0) + 1


def make_current(dataset: Dataset) -> None:
    """Point the experiment's table at ``dataset``."""
    CurrentDataset.objects.update_or_create(
        experiment=dataset.experiment, kind=dataset.kind, defaults={"dataset": dataset}
    )
    refresh_sample_text(dataset)


def check_samples_match(experiment: Experiment, kind: str, table: ParsedTable | Dataset) -> None:
    """The sample ids and the assay's sample columns must be the same set, if both exist."""
    other = current_dataset(experiment, ASSAY if kind == SAMPLE else SAMPLE)
    if other is None:
        return
    samples, assay = (table, other) if kind == SAMPLE else (other, table)
    with sample_id_blocks(samples) as ids:
        difference = compare_samples(ids, list(assay.columns[1:]))
    if difference:
        raise mismatch_error(difference, kind)


@contextmanager
def sample_id_blocks(table: ParsedTable | Dataset) -> Iterator[Iterator[pa.Array]]:
    """The sample ids of a new or a stored sample table, one row group at a time."""
    if isinstance(table, Dataset):
        with open_parquet(table.storage_key) as parquet:
            yield parquet_ids(parquet)
        return
    with pq.ParquetFile(str(table.path)) as parquet:
        yield parquet_ids(parquet)


def listed(names: list[str], count: int) -> str:
    """The first ten names, and an ellipsis when there are more."""
    return ", ".join(names[:10]) + (", …" if count > 10 else "")


def mismatch_error(difference: SampleDifference, kind: str) -> InvalidInput:
    """The error naming samples missing on each side."""
    parts = []
    if difference.no_row_count:
        parts.append(
            f"{difference.no_row_count} assay column(s) have no sample_id in the sample table "
            f"({listed(difference.no_row, difference.no_row_count)})"
        )
    if difference.no_column_count:
        parts.append(
            f"{difference.no_column_count} sample_id(s) have no column in the assay table "
            f"({listed(difference.no_column, difference.no_column_count)})"
        )
    other = "assay table" if kind == SAMPLE else "sample table"
    return InvalidInput(
        f"The samples do not match the current {other}: {'; '.join(parts)}. The assay's "
        "sample columns must be exactly the sample table's sample_id values.",
        details={
            "reason": "sample_mismatch",
            "missing_from_sample_data": difference.no_row,
            "missing_from_assay_data": difference.no_column,
            "counts": {
                "missing_from_sample_data": difference.no_row_count,
                "missing_from_assay_data": difference.no_column_count,
            },
        },
    )


def dataset_versions(experiment: Experiment, kind: str) -> list[tuple[Dataset, bool]]:
    """Every version of a table, oldest first, each with whether it is current."""
    current = current_dataset(experiment, kind)
    versions = Dataset.objects.filter(experiment=experiment, kind=check_kind(kind))
    rows = versions.select_related("created_by").order_by("version")
    return [(dataset, current is not None and dataset.pk == current.pk) for dataset in rows]


def restore_version(user: User, experiment: Experiment, kind: str, version: int) -> Dataset:
    """Make an earlier version current again (the samples must still match)."""
    require(permissions.experiment_role(user, experiment), EDITOR, f"restore {kind} data")
    with transaction.atomic():
        lock_experiment(experiment)
        dataset = Dataset.objects.filter(
            experiment=experiment, kind=check_kind(kind), version=version
        ).first()
        if dataset is None:
            raise NotFound(f"There is no version {version} of this experiment's {kind} data.")
        check_samples_match(experiment, kind, dataset)
        make_current(dataset)
        record(
            experiment,
            user,
            "table_restored",
            f"Restored version {version} of the {kind} data.",
            kind=kind,
            version=version,
            dataset=str(dataset.uuid),
        )
    return dataset
