"""The change feed's log: a row per create, update, delete and merge of a record of any resource, written in
the same transaction as the change itself (by database triggers, so that no way of writing escapes it: the
services, the admin, bulk imports, queryset updates, raw SQL). ``cooperation.changes`` installs the triggers and
marks merges; ``cooperation.api.changes`` serves the log as ``/api/v1/changes/``."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class CurrentTransaction(models.Func):
    """The id of the transaction writing the row (PostgreSQL's ``pg_current_xact_id()``, as a bigint): the feed
    tells from it whether the transaction had committed when a reader's snapshot was taken. NULL on SQLite, where
    writes are serialised and the row's id is the commit order."""

    output_field = models.BigIntegerField()
    template = "NULL"

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class Op(models.TextChoices):
    CREATE = "create", "created"
    UPDATE = "update", "updated"
    DELETE = "delete", "deleted"
    MERGE = "merge", "merged into another record"


class Change(models.Model):
    id = models.BigAutoField(primary_key=True)
    xact_id = models.BigIntegerField(
        "transaction",
        null=True,
        editable=False,
        db_default=CurrentTransaction(),
        help_text="The writing transaction's id (PostgreSQL); the feed's cursor is made of snapshots of them.",
    )
    resource = models.CharField("resource", max_length=40, help_text="The resource's name, e.g. agreements.")
    record_id = models.PositiveBigIntegerField("record id")
    op = models.CharField("change", max_length=6, choices=Op.choices)
    merged_into = models.PositiveBigIntegerField(
        "merged into", null=True, blank=True, help_text="For a merge: the record of the same resource it went into."
    )
    changed_at = models.DateTimeField("changed at", db_default=Now(), editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["xact_id", "id"], name="change_xact_idx"),
            models.Index(fields=["resource", "record_id"], name="change_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.record_id} {self.get_op_display()}"
