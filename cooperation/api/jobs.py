"""``/api/v1/jobs/<id>/``: a background import's status, progress and outcome, for the user who started it
(and superusers). Anyone else gets a 404, as if the job did not exist."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from cooperation.api import schema
from cooperation.api.permissions import may_view
from cooperation.jobs.models import Job
from cooperation.jobs.progress import live_progress
from cooperation.resources import RESOURCES

JOB_RESULT = inline_serializer("JobResult", fields=schema.IMPORT_COUNTS, allow_null=True)


class JobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:job-detail")
    dry_run = serializers.BooleanField(read_only=True, help_text="Whether the job only checks the file.")
    rows_done = serializers.SerializerMethodField(help_text="Data rows read so far.")
    errors = serializers.SerializerMethodField(
        help_text="Every problem by row and column, as a synchronous import answers them; empty until the job "
        "has finished. One error means nothing was written."
    )
    result = serializers.SerializerMethodField(
        help_text="Once finished: what a synchronous import of the file would have answered, without its errors."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "resource",
            "dry_run",
            "status",
            "rows_done",
            "rows_total",
            "attempts",
            "message",
            "errors",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_rows_done(self, job: Job) -> int:
        return live_progress(job)[0]

    @extend_schema_field(schema.import_errors())
    def get_errors(self, job: Job) -> list[dict]:
        return (job.result or {}).get("errors", [])

    @extend_schema_field(JOB_RESULT)
    def get_result(self, job: Job) -> dict | None:
        if job.result is None:
            return None
        return {key: value for key, value in job.result.items() if key != "errors"}


def accepted(request, job: Job) -> Response:
    """The answer to an import that became a job: 202, the job, and its address in ``Location``."""
    data = JobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(data["url"])})


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A background import: ``status`` (queued, running, succeeded, failed), ``rows_done`` of ``rows_total``,
    and once finished its ``errors`` (by row and column) and ``result`` (created, updated, ...). Poll it until
    ``status`` is succeeded or failed."""

    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        jobs = Job.objects.all()
        if self.request.user.is_superuser:
            return jobs
        # A job tells about records of its resource (its errors quote them): only while the user may view them.
        viewable = [name for name, resource in RESOURCES.items() if may_view(self.request.user, resource.model)]
        return jobs.filter(user=self.request.user, resource__in=viewable)

    @extend_schema(responses={200: JobSerializer, 401: schema.ERROR, 404: schema.ERROR})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
