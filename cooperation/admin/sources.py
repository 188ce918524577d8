"""Provenance: the sources we read and the citations that tie each fact to its words in them."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from cooperation import extraction, reading, services
from cooperation.filtering.fields import cited_models
from cooperation.models import Citation, Source
from cooperation.models.sources import cited_querysets, normalise_space
from cooperation.natural_keys import NaturalKeyError, natural_key

from .base import NOTHING, TrackedAdmin, count_of
from .filters import resource_filters


class SourceForm(forms.ModelForm):
    """A source, whose text may come from a file: a saved web page, a PDF or a text file. (The admin makes its
    model form from it, with the fields its fieldsets show.)"""

    upload = forms.FileField(
        label="Take the text from a file",
        required=False,
        help_text=f"{extraction.KINDS.capitalize()}: its main text replaces the full text below.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            try:
                cleaned["text"] = extraction.text_of(upload.name, upload.read(extraction.MAX_BYTES + 1))
            except ValidationError as error:
                self.add_error("upload", error)
            else:
                self.instance.text = cleaned["text"]
        return cleaned


def cited_kinds() -> list[tuple[str, str]]:
    """The kinds of record a passage can be cited for: (model name, its name to read)."""
    return [(model._meta.model_name, capfirst(model._meta.verbose_name)) for model in cited_models()]


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    form = SourceForm
    change_form_template = "admin/cooperation/source/change_form.html"
    list_display = ("title", "kind", "publisher_display", "published", "language", "citation_count")
    list_select_related = ("publisher",)
    list_filter = (*resource_filters(Source, "publisher"), "language")
    search_fields = ("title", "url", "authors", "publisher_name", "publisher__name", "publisher__acronym")
    autocomplete_fields = ("publisher",)
    fieldsets = (
        (None, {"fields": ("title", "kind", "url", ("publisher", "publisher_name"), "authors", "language")}),
        ("Retrieved", {"fields": ("retrieved",)}),
        ("Text", {"fields": ("upload", "text", "note")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":  # long: citations are checked against it, and quotes copied from it
            kwargs["widget"] = forms.Textarea(attrs={"rows": 12, "cols": 100})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=count_of(Citation.objects.all(), "source"))

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None and obj.text:
            citations = Citation.objects.filter(source=obj).select_related("content_type")
            citations = citations.prefetch_related(GenericPrefetch("record", cited_querysets()))
            context["reading"] = reading.paragraphs(obj, citations)
            context["cited_kinds"] = cited_kinds()
            context["may_cite"] = request.user.has_perm("cooperation.add_citation")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        cite = self.admin_site.admin_view(require_POST(self.cite_view))
        return [path("<int:pk>/cite/", cite, name="cooperation_source_cite"), *super().get_urls()]

    def cite_view(self, request: HttpRequest, pk: int):
        """A passage selected on the source's page, cited for a record on record (its id or natural key), or
        for a new one (its add page, the citation filled in)."""
        source = get_object_or_404(Source, pk=pk)
        here = reverse("admin:cooperation_source_change", args=[pk])
        kinds = dict(cited_kinds())
        kind = request.POST.get("record_type", "")
        if kind not in kinds:
            self.message_user(request, "Choose the kind of record the passage supports.", messages.ERROR)
            return HttpResponseRedirect(here)
        model = ContentType.objects.get_by_natural_key("cooperation", kind).model_class()
        quote, position = request.POST.get("quote", "").strip(), request.POST.get("position", "")
        cited = {"cite_source": source.pk, "cite_quote": quote, "cite_position": position}
        if "new" in request.POST:
            add = reverse(f"admin:cooperation_{kind}_add")
            return HttpResponseRedirect(f"{add}?{urlencode(cited)}")
        if not (request.user.has_perm("cooperation.add_citation") and self._may_change(request, model)):
            raise PermissionDenied
        try:
            record = natural_key(model).resolve_reference(request.POST.get("record", "").strip())
            citation = Citation(
                source=source, record=record, quote=quote, position=int(position) if position.isdigit() else None
            )
            services.record_save(citation, user=request.user)
        except (NaturalKeyError, ValidationError) as error:
            said = error.messages if isinstance(error, ValidationError) else [str(error)]
            self.message_user(request, "Not cited: " + " ".join(said), messages.ERROR)
            return HttpResponseRedirect(here)
        record_url = reverse(f"admin:cooperation_{kind}_change", args=[record.pk])
        self.message_user(
            request,
            format_html('Cited for {} <a href="{}">{}</a>.', kinds[kind].lower(), record_url, record),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(here)

    def _may_change(self, request: HttpRequest, model) -> bool:
        model_admin = self.admin_site._registry.get(model)
        return model_admin is not None and model_admin.has_change_permission(request)

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
