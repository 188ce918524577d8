"""Background jobs in the admin, read only, for whoever has the jobs app's view permission (superusers): every
import job with its owner, progress and outcome. Analysts follow their own from the import page instead."""

from django.contrib import admin

from cooperation.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "resource", "user", "status", "rows_done", "rows_total", "attempts", "message")
    list_filter = ("status", "resource")
    list_select_related = ("user",)
    search_fields = ("id", "resource", "user__username", "message")
    exclude = ("options",)
    readonly_fields = [field.name for field in Job._meta.fields if field.name != "options"] + ["dry_run"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
