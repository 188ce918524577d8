"""A background job and the file it works on, both in the database: a job outlives the web process that
started it and the worker that ran it (see ``cooperation.jobs``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    """A CSV import run by the worker: what to import, how far it got and how it ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resource = models.CharField(max_length=50, help_text="The CSV resource imported, e.g. agreements.")
    options = models.JSONField(default=dict, blank=True, help_text="The import's options, e.g. dry_run.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="Data rows in the file.")
    rows_done = models.PositiveIntegerField(default=0, help_text="Data rows read so far.")
    #: Runs started. Also the fencing token: only the run whose number is still ``attempts`` may write.
    attempts = models.PositiveSmallIntegerField(default=0)
    #: The id of the task (django-tasks) that runs the job now; a new one when the job is queued again.
    task_id = models.CharField(max_length=64, blank=True)
    upload_bytes = models.PositiveBigIntegerField(default=0)
    result = models.JSONField(null=True, blank=True, help_text="The import's answer, once finished.")
    message = models.TextField(blank=True, help_text="Why the job stopped or was run again, when not a row's fault.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running worker.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_job_status_heartbeat")]

    def __str__(self) -> str:
        return f"Import of {self.resource} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def dry_run(self) -> bool:
        return bool(self.options.get("dry_run"))


class UploadChunk(models.Model):
    """One piece of a job's file, kept until the job has finished. Pieces keep memory flat both when the web
    process stores a large upload and when the worker reads it back."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="jobs_uploadchunk_unique_number")]

    def __str__(self) -> str:
        return f"Piece {self.number} of job {self.job_id}"
