"""Tombstones: what was deleted, when and by whom, so that syncing clients see deletions and analysts can
bring a record back (its history keeps every field). A duplicate merged into another record leaves one too,
saying which record it was merged into (``cooperation.merging``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Deletion(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="record type")
    record_id = models.PositiveBigIntegerField("record id")
    display = models.CharField("record", max_length=300)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    operation = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Shared by the records deleted together (a record and its parts), and by their history entries.",
    )
    restored_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.PositiveBigIntegerField(
        "merged into",
        null=True,
        blank=True,
        help_text="The id of the record of the same kind this one was merged into (a duplicate of it): the "
        "deleted record's id and key lead there.",
    )

    class Meta:
        ordering = ["-deleted_at", "-id"]
        indexes = [models.Index(fields=["content_type", "record_id"], name="deletion_record_idx")]

    def __str__(self) -> str:
        return f"{self.content_type.name} {self.record_id}: {self.display}"
