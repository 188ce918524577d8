"""CSV in the admin, with the same column spec and code as the API: an action exporting the selected rows,
a changelist button exporting the filtered ones, and an import page (dry run first, all rows or none)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import path, reverse

from cooperation.api.jobs import JobSerializer
from cooperation.jobs import services as jobs
from cooperation.jobs.models import Job
from cooperation.resources import Resource, resource_or_none
from cooperation.tabular.exports import ExportOptions, file_name, stream_csv
from cooperation.tabular.imports import ImportConflict, import_csv


def csv_response(resource: Resource, queryset, filtered: bool) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream_csv(resource, queryset, ExportOptions()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{file_name(resource, filtered)}"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="The columns of this list's export; UTF-8.")
    dry_run = forms.BooleanField(
        label="Only check (dry run)", required=False, initial=True, help_text="Report every problem; write nothing."
    )


class CSVAdminMixin:
    """Adds export and import to a ModelAdmin whose model has a CSV resource."""

    change_list_template = "admin/cooperation/change_list.html"

    @admin.action(description="Export selected %(verbose_name_plural)s to CSV")
    def export_selected_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        return csv_response(resource_or_none(self.model), queryset, filtered=True)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if resource_or_none(self.model) is None or not self.has_view_permission(request):
            actions.pop("export_selected_csv", None)
        return actions

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        extra = [
            path("export-csv/", self.admin_site.admin_view(self.export_csv_view), name=f"{prefix}_export_csv"),
            path("import-csv/", self.admin_site.admin_view(self.import_csv_view), name=f"{prefix}_import_csv"),
            path(
                "import-csv/<uuid:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{prefix}_import_job",
            ),
            path(
                "import-csv/<uuid:job_id>/status/",
                self.admin_site.admin_view(self.import_job_status_view),
                name=f"{prefix}_import_job_status",
            ),
        ]
        return extra + super().get_urls()

    def can_import(self, request: HttpRequest) -> bool:
        return (
            resource_or_none(self.model) is not None
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "csv_exportable": resource_or_none(self.model) is not None,
            "csv_importable": self.can_import(request),
        }
        return super().changelist_view(request, extra_context)

    def export_csv_view(self, request: HttpRequest) -> HttpResponse:
        """The rows the changelist shows with its current filters and search (every page), as CSV."""
        resource = resource_or_none(self.model)
        if resource is None or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        filtered = bool(changelist.get_filters_params() or changelist.query)
        return csv_response(resource, changelist.get_queryset(request), filtered)

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_import(request):
            raise PermissionDenied
        opts = self.model._meta
        result = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload, options = form.cleaned_data["file"], {"dry_run": form.cleaned_data["dry_run"]}
            if upload.size > settings.CSV_IMPORT_BACKGROUND_BYTES:  # the same job as the API's for large files
                result, upload = jobs.check_header(resource_or_none(self.model), upload)
                if result.ok:
                    job = jobs.start_import(resource_or_none(self.model), upload, user=request.user, options=options)
                    return HttpResponseRedirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk])
                    )
            else:
                try:
                    result = import_csv(resource_or_none(self.model), upload, user=request.user, **options)
                except ImportConflict as conflict:  # other writers kept deadlocking it: nothing was written
                    form.add_error(None, str(conflict))
            if result is not None and result.ok and not result.dry_run:
                self.message_user(
                    request,
                    f"Imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.import_context(request),
            "form": form,
            "background_bytes": settings.CSV_IMPORT_BACKGROUND_BYTES,
            "result": result and result.as_dict(),
            "columns": resource_or_none(self.model).columns,
        }
        return render(request, "admin/cooperation/import_csv.html", context)

    def import_context(self, request: HttpRequest) -> dict:
        opts = self.model._meta
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural} from CSV",
        }

    def import_job(self, request: HttpRequest, job_id) -> Job:
        """The job, if it imports into this list and is the user's (any job, for a superuser)."""
        if not self.can_import(request):
            raise PermissionDenied
        jobs_seen = Job.objects.all() if request.user.is_superuser else Job.objects.filter(user=request.user)
        job = jobs_seen.filter(pk=job_id, resource=resource_or_none(self.model).name).first()
        if job is None:
            raise Http404("No such import job.")
        return job

    def import_job_view(self, request: HttpRequest, job_id) -> HttpResponse:
        """A background import: a progress bar while it runs (static/cooperation/job-progress.js polls the job's
        status), then its result or every error, as the import page shows them."""
        job = self.import_job(request, job_id)
        opts = self.model._meta
        status_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job_status", args=[job.pk])
        context = {
            **self.import_context(request),
            "job": JobSerializer(job, context={"request": request}).data,
            "created_at": job.created_at,
            "result": job.result,
            "status_url": status_url,
            "upload_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import_csv"),
        }
        return render(request, "admin/cooperation/import_job.html", context)

    def import_job_status_view(self, request: HttpRequest, job_id) -> JsonResponse:
        """The job as the API shows it, for the progress bar. (An admin address, not the API's: no rate limit
        writing to the database on every poll, which SQLite would make wait for the import.)"""
        job = self.import_job(request, job_id)
        return JsonResponse(JobSerializer(job, context={"request": request}).data)
