"""Provenance: the sources we read and the citations that tie each fact to its words in them."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from cooperation.models import Citation, Source
from cooperation.models.sources import cited_querysets, normalise_space

from .base import NOTHING, TrackedAdmin, count_of
from .filters import resource_filters


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ("title", "kind", "publisher_display", "published", "language", "citation_count")
    list_select_related = ("publisher",)
    list_filter = (*resource_filters(Source, "publisher"), "language")
    search_fields = ("title", "url", "authors", "publisher_name", "publisher__name", "publisher__acronym")
    autocomplete_fields = ("publisher",)
    fieldsets = (
        (None, {"fields": ("title", "kind", "url", ("publisher", "publisher_name"), "authors", "language")}),
        ("Retrieved", {"fields": ("retrieved",)}),
        ("Text", {"fields": ("text", "note")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":  # long: citations are checked against it, and quotes copied from it
            kwargs["widget"] = forms.Textarea(attrs={"rows": 12, "cols": 100})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=count_of(Citation.objects.all(), "source"))

    @admin.display(description="publisher", ordering="publisher__name")
    def publisher_display(self, source: Source) -> str:
        return str(source.publisher or source.publisher_name or NOTHING)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, source: Source) -> int:
        return source.citation_count


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    list_display = ("short_quote", "kind", "record_link", "source_title", "locator", "confidence", "modality")
    list_select_related = ("source", "content_type")
    list_filter = resource_filters(Citation, "source", record_type="record type")
    search_fields = ("quote", "locator", "note", "source__title")
    autocomplete_fields = ("source",)
    readonly_fields = ("record_link",)
    fieldsets = (
        (None, {"fields": ("source", ("quote", "kind"), "locator", ("confidence", "modality"), "note")}),
        ("Cited by", {"fields": (("content_type", "object_id"), "record_link")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(GenericPrefetch("record", cited_querysets()))

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, citation: Citation) -> str:
        quote = normalise_space(citation.quote)
        return f"\u201c{quote[:90]}\u2026\u201d" if len(quote) > 90 else f"\u201c{quote}\u201d"

    @admin.display(description="source", ordering="source__title")
    def source_title(self, citation: Citation) -> str:
        return str(citation.source)  # a plain column wraps; a foreign key column would not

    @admin.display(description="cited by")
    def record_link(self, citation: Citation) -> str:
        """The cited record, with its kind: "Post: Viktor Ivanov \u2013 Director, ..."; a link to its page."""
        record = citation.record
        if record is None:
            return NOTHING
        kind = capfirst(record._meta.verbose_name)
        try:
            url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
        except NoReverseMatch:
            return f"{kind}: {record}"
        return format_html('{}: <a href="{}">{}</a>', kind, url, record)
