"""Deleted records: the tombstones, and a way back for each (the record, its parts and citations)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from cooperation import services
from cooperation.models import Deletion


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    list_display = ("deleted_at", "content_type", "record_id", "display", "deleted_by", "restored_at", "history")
    list_filter = ("content_type", ("restored_at", admin.EmptyFieldListFilter), "deleted_at")
    search_fields = ("display", "record_id", "operation")
    list_select_related = ("content_type", "deleted_by")
    date_hierarchy = "deleted_at"
    actions = ["restore"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tombstones are left by deletions, never written by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="history")
    def history(self, deletion: Deletion) -> str:
        model = deletion.content_type
        try:
            url = reverse(f"admin:{model.app_label}_{model.model}_history", args=[deletion.record_id])
        except NoReverseMatch:
            return ""
        return format_html('<a href="{}">what it was</a>', url)

    @admin.action(description="Restore the selected records (with their parts and citations)")
    def restore(self, request: HttpRequest, queryset) -> None:
        restored = 0
        for deletion in queryset.filter(restored_at__isnull=True).select_related("content_type"):
            model = deletion.content_type.model_class()
            if not request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
                self.message_user(request, f"You may not add {model._meta.verbose_name_plural}.", messages.ERROR)
                continue
            try:
                services.record_restore(deletion, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{deletion}: {' '.join(error.messages)}", messages.ERROR)
            else:
                restored += 1
        if restored:
            self.message_user(request, f"Restored {restored} record{'s' if restored != 1 else ''}.", messages.SUCCESS)

    def get_actions(self, request: HttpRequest):
        # Restoring is an action on tombstones, which nobody may change: offer it to those who view them.
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("restore", None)
        return actions
