"""Experiment files (attachments and other kinds) and the resumable upload sessions behind them.

A file row exists from the moment its upload session is created, so clients learn its uuid at
once, but it stays hidden (``completed_at`` is null) until every byte has arrived and the bytes
sit in the object store.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.lab.models import Experiment


class FileKind(models.TextChoices):
    ATTACHMENT = "attachment", "Attachment"
    EXTERNAL = "external", "External analysis file"
    BAM = "bam", "BAM alignment"
    SEURAT = "seurat", "Seurat object"
    QC_REPORT = "qc_report", "QC report"
    BIGWIG = "bigwig", "BigWig coverage track"
    CONSENSUS_BED = "consensus_bed", "Consensus peaks (BED)"
    ASSAY_DATA_CPM = "assay_data_cpm", "Assay data in counts per million"
    TPM_GENE = "tpm_gene", "TPM by gene"
    TPM_TRANSCRIPT = "tpm_transcript", "TPM by transcript"
    FASTQ = "fastq", "FASTQ reads"
    QC_TABLE = "qc_table", "Per-sample QC table"


class ExperimentFileQuerySet(models.QuerySet["ExperimentFile"]):
    def completed(self) -> ExperimentFileQuerySet:
        """Files whose bytes have all arrived (the only ones anybody may see)."""
        return self.filter(completed_at__isnull=False)


class ExperimentFile(models.Model):
    """A file kept with an experiment; its bytes live in the object store under ``storage_key``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255)
    data_type = models.CharField(max_length=20, choices=FileKind.choices)
    file_type = models.CharField(max_length=50, blank=True, default="")
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    file_size = models.PositiveBigIntegerField(default=0)
    storage_key = models.CharField(max_length=300, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    origin = models.CharField(max_length=50, blank=True, default="")
    analysis_type = models.CharField(max_length=50, blank=True, default="")
    # The assay version a file was made from (its counts per million); it goes with it.
    dataset = models.ForeignKey(
        "tables.Dataset", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiment_files",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ExperimentFileQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["experiment", "data_type", "created_at"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.data_type})"

    @property
    def is_complete(self) -> bool:
        """Whether all bytes have arrived and are stored."""
        return self.completed_at is not None


class SessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    EXPIRED = "expired", "Expired"


class UploadSession(models.Model):
    """A resumable upload: bytes collect in a staging file until the declared size is reached.

    The staging file's length, not ``received_bytes``, is the truth about what has arrived:
    it survives a restart and cannot disagree with the bytes themselves.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="upload_sessions"
    )
    file = models.OneToOneField(
        ExperimentFile, on_delete=models.CASCADE, related_name="upload_session"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upload_sessions",
    )
    filename = models.CharField(max_length=255)
    data_type = models.CharField(max_length=20, choices=FileKind.choices)
    file_type = models.CharField(max_length=50, blank=True, default="")
    file_size = models.PositiveBigIntegerField()
    analysis_type = models.CharField(max_length=50, blank=True, default="")
    origin = models.CharField(max_length=50, blank=True, default="")
    received_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    staging_name = models.CharField(max_length=100)
    # A short lease taken with one atomic UPDATE while a chunk is written, so two PUTs to the
    # same session cannot interleave without holding a database transaction during the copy.
    # It is renewed while the copy runs, and names the process holding it: a lease whose
    # process is gone (killed mid-chunk) does not make the next writer wait.
    writing_until = models.DateTimeField(null=True, blank=True)
    writer = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"upload of {self.filename} ({self.status})"
