"""Deleted records: the tombstones, and a way back for each (the record, its parts and citations)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from cooperation import services
from cooperation.models import Deletion


def record_type(content_type: ContentType) -> str:
    """What a deleted record was, as analysts call it ("Agreement", not "cooperation | agreement")."""
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model is not None else content_type.model


class RecordTypeFilter(admin.SimpleListFilter):
    """The kinds of record that have been deleted, by their names: only those some deletion has."""

    title = "record type"
    parameter_name = "record_type"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        deleted = ContentType.objects.filter(pk__in=Deletion.objects.order_by().values("content_type"))
        return sorted(((str(kind.pk), record_type(kind)) for kind in deleted), key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset):
        value = self.value()
        return queryset.filter(content_type=value) if value and value.isdigit() else queryset


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    list_display = ("deleted_at", "kind", "record_id", "display", "deleted_by", "restored_at", "merged", "history")
    list_filter = (RecordTypeFilter, ("restored_at", admin.EmptyFieldListFilter), "deleted_at")
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

    @admin.display(description="record type", ordering="content_type")
    def kind(self, deletion: Deletion) -> str:
        return record_type(deletion.content_type)

    @admin.display(description="merged into", ordering="merged_into")
    def merged(self, deletion: Deletion) -> str:
        """A duplicate merged into another record: a link to that record."""
        if deletion.merged_into is None:
            return ""
        model = deletion.content_type
        try:
            url = reverse(f"admin:{model.app_label}_{model.model}_change", args=[deletion.merged_into])
        except NoReverseMatch:
            return str(deletion.merged_into)
        return format_html('<a href="{}">{}</a>', url, deletion.merged_into)

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
            restored += self.restored(request, deletion) is not None
        if restored:
            self.message_user(request, f"Restored {restored} record{'s' if restored != 1 else ''}.", messages.SUCCESS)

    def restored(self, request: HttpRequest, deletion: Deletion):
        """The record ``deletion`` brings back, or None with the reason told to the user."""
        model = deletion.content_type.model_class()
        if not may_restore(request, deletion):
            self.message_user(request, f"You may not add {model._meta.verbose_name_plural}.", messages.ERROR)
            return None
        try:
            return services.record_restore(deletion, user=request.user)
        except ValidationError as error:
            self.message_user(request, f"{deletion}: {' '.join(error.messages)}", messages.ERROR)
            return None

    def get_urls(self):
        restore = self.admin_site.admin_view(require_POST(self.restore_view))
        return [path("<int:pk>/restore/", restore, name="cooperation_deletion_restore"), *super().get_urls()]

    def restore_view(self, request: HttpRequest, pk: int):
        """The button on a deletion's page: the record back, then its own page (or the deletion's, if not)."""
        deletion = get_object_or_404(Deletion.objects.select_related("content_type"), pk=pk)
        if not self.has_view_permission(request, deletion):
            raise PermissionDenied
        record = self.restored(request, deletion) if deletion.restored_at is None else None
        if record is None:
            return HttpResponseRedirect(reverse("admin:cooperation_deletion_change", args=[pk]))
        self.message_user(request, f"Restored {record._meta.verbose_name} “{record}”.", messages.SUCCESS)
        meta = record._meta
        return HttpResponseRedirect(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]))

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["restorable"] = obj.restored_at is None and may_restore(request, obj)
            context["record_kind"] = record_type(obj.content_type).lower()
        return super().render_change_form(request, context, add, change, form_url, obj)


def may_restore(request: HttpRequest, deletion: Deletion) -> bool:
    """Restoring adds the record again: it takes the permission to add one of its kind."""
    meta = deletion.content_type.model_class()._meta
    return request.user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
