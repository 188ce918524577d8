"""What every admin of the app shares: history with diffs, partial dates, citations and the record stamps.

``TrackedAdmin`` is the base of every model admin and ``CitedAdmin`` that of every fact-bearing record (a
``CitedModel``); the sub-domain modules declare only columns, filters, search and layout. Shared behaviour
goes here once, e.g. CSV export and import (``tabular.CSVAdminMixin``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from cooperation import duplicates, provenance, services
from cooperation.history import changed_since, record_timeline
from cooperation.merging import mergeable
from cooperation.models import Citation, CitationKind, CitedModel, Source
from cooperation.models.base import StaleRecordError
from cooperation.quantities import EXAMPLES, QuantityTextError, columns_from_text
from cooperation.resources import CITATION_FIELDS, part_fields, part_relations, resource_of, resource_or_none

from .filters import SourcedFilter, date_filters, date_label, resource_filters
from .merging import may_merge, merge_url
from .tabular import CSVAdminMixin

RECORD_FIELDS = ("created_at", "updated_at", "version")

NOTHING = "\u2014"


def date_row(name: str) -> tuple[str, str, str]:
    """One partial date on one line of a form: as written, EDTF, and its bounds (read-only)."""
    return (name, f"{name}_edtf", f"{name}_bounds")


def date_fields(model: type[models.Model]) -> set[str]:
    """Every field a partial date has in a form or a model: the row's, and the stored bounds."""
    names = getattr(model, "partial_dates", ())
    return {field for name in names for field in (*date_row(name), f"{name}_earliest", f"{name}_latest")}


def bounds_display(name: str) -> Callable[[models.Model], str]:
    """A read-only view of a partial date's computed bounds: "2012-10-01 \u2013 2012-10-31" (".." when open)."""

    @admin.display(description="earliest \u2013 latest")
    def bounds(record: models.Model) -> str:
        earliest, latest = getattr(record, f"{name}_earliest"), getattr(record, f"{name}_latest")
        if earliest is None and latest is None:
            return NOTHING
        return f"{earliest or '..'} \u2013 {latest or '..'}"

    return bounds


def dates_description(model: type[models.Model]) -> str:
    """What to type in a date, said once for the section rather than under each of its dates.

    The words are the help texts of the model's first date (every date of a model shares them).
    """
    first = model.partial_dates[0]
    return format_html(
        "<b>As written</b>: {} <b>EDTF</b>: {} <b>Earliest</b> and <b>latest</b>: the first and last day the "
        "date can mean, worked out on save; the date filters use them.",
        model._meta.get_field(first).help_text,
        model._meta.get_field(f"{first}_edtf").help_text,
    )


def in_popup(request: HttpRequest) -> bool:
    """Whether the page is a popup: a record added (or changed) from another record's form, its "+" icon."""
    return IS_POPUP_VAR in request.GET or IS_POPUP_VAR in request.POST


def quiet_related_widget(
    formfield: forms.Field | None, request: HttpRequest, *, keep: tuple[str, ...] = ("add", "change", "view")
):
    """Keep only some of the icons beside a related field: add, change, view (never delete); none in a popup.

    The delete icon beside a country would delete the country, not unlink it: it has no place in a form. In a
    popup, each icon would open a popup from the popup (a source for the citation of an agency added from an
    agreement): there related records are picked by typing, and the citation comes filled in from the form
    the popup was opened from (cite-in-popup.js).
    """
    if in_popup(request):
        keep = ()
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        for action in ("add", "change", "view", "delete"):
            setattr(widget, f"can_{action}_related", getattr(widget, f"can_{action}_related") and action in keep)
    return formfield


def size_partial_date(formfield: forms.Field | None, db_field: models.Field, model: type[models.Model]) -> bool:
    """Give a partial date's inputs their own (short) widths; say whether the field is one of them."""
    dates = getattr(model, "partial_dates", ())
    if formfield is None or db_field.name.removesuffix("_edtf") not in dates:
        return False
    if db_field.name.endswith("_edtf"):
        formfield.widget.attrs["class"] = "partial-date-edtf"
    else:  # read as it is typed (static/cooperation/date-reading.js)
        formfield.widget.attrs.update({"class": "partial-date", "data-reading-url": reverse_lazy("admin:read_date")})
    return True


def partial_date_column(model: type[models.Model], name: str) -> Callable[[models.Model], str]:
    """A changelist column for a partial date: shown as written, sorted by its earliest bound."""

    @admin.display(description=date_label(model, name), ordering=f"{name}_earliest")
    def column(record: models.Model) -> str:
        return getattr(record, name) or getattr(record, f"{name}_edtf") or NOTHING

    column.__name__ = f"{name}_column"
    return column


def quantity_column(model: type[models.Model], name: str) -> Callable[[models.Model], str]:
    """A changelist column for a quantity: as the source gives it ("about 2.5"), sorted by its lower bound."""
    quantity = next(q for q in model.quantities if q.name == name)

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=quantity.min)
    def column(record: models.Model) -> str:
        value = quantity.value(record)
        return str(value) if value is not None else NOTHING

    column.__name__ = f"{name}_column"
    return column


def quantity_columns(model: type[models.Model]) -> set[str]:
    """A model's quantity columns that its one text field stands for in a form (qualifier and high end)."""
    return {column for quantity in getattr(model, "quantities", ()) for column in quantity.columns[1:3]}


class QuantitiesForm(forms.ModelForm):
    """A quantity in one text field, as a person writes it: "41", "about 2.5", "more than 300", "between 3 and
    5" (the model's qualifier and high end follow from it, and its bounds on save)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for quantity in getattr(self._meta.model, "quantities", ()):
            if quantity.name not in self.fields:
                continue
            number = self.fields[quantity.name]
            self.fields[quantity.name] = forms.CharField(
                label=number.label,
                required=False,
                max_length=100,
                help_text=f"As the source gives it, e.g. {EXAMPLES}.",
                widget=forms.TextInput(attrs={"size": 16, "placeholder": "e.g. about 2.5"}),
            )
            value = quantity.value(self.instance)
            self.initial[quantity.name] = str(value) if value is not None else ""

    def clean(self):
        cleaned = super().clean()
        for quantity in getattr(self._meta.model, "quantities", ()):
            if quantity.name not in self.fields or quantity.name not in cleaned:
                continue
            try:
                columns = columns_from_text(quantity, cleaned[quantity.name] or "")
            except QuantityTextError as error:
                self.add_error(quantity.name, str(error))
                continue
            # The qualifier and high end are not fields of the form: set here, validated with the record.
            setattr(self.instance, quantity.qualifier, columns[quantity.qualifier])
            setattr(self.instance, quantity.high, columns[quantity.high])
            cleaned[quantity.name] = columns[quantity.name]
        return cleaned


#: The query parameters of an add page that fill its first citation, by the citation's field: a passage cited
#: from a source's page for a new record, or the citation of the form a related record is added from (its "+"
#: popup, cite-in-popup.js), so that the passage that names the new record is its citation too.
CITE_PARAMETERS = {
    "cite_source": "source",
    "cite_quote": "quote",
    "cite_position": "position",
    "cite_kind": "kind",
    "cite_locator": "locator",
}


def cited_in_address(request: HttpRequest) -> dict[str, Any]:
    """The first citation a new record's page opens with, from its address: none without a source and a quote;
    values that are not of their field's kind are left out (the form validates the rest on save)."""
    given = {field: request.GET.get(parameter, "").strip() for parameter, field in CITE_PARAMETERS.items()}
    if not given["source"].isdigit() or not given["quote"]:
        return {}
    cited = {"source": int(given["source"]), "quote": given["quote"]}
    if given["position"].isdigit():
        cited["position"] = int(given["position"])
    if given["kind"] in CitationKind.values:
        cited["kind"] = given["kind"]
    if given["locator"]:
        cited["locator"] = given["locator"]
    return cited


def joined(values: Sequence[Any], limit: int = 4) -> str:
    """A short list for a changelist cell: "Peru, Russia" or "A, B, C, D (+3 more)"."""
    shown = ", ".join(str(value) for value in values[:limit])
    more = len(values) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown or NOTHING


class ReadableChanges(HistoricalRecordContextHelper):
    """The history's "Changes" column in an analyst's words: choice labels, and a dash for an empty value."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many:
            value = dict(field.flatchoices).get(value, value)
        value = super().prepare_delta_change_value(change, value)
        return NOTHING if value in ("", None, []) else value


class TrackedModelForm(QuantitiesForm):
    """Carries the version the analyst opened, so that saving over someone else's newer change is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        required=False,
        label="Save it as another record",
        help_text="Tick when a like record is on record (same name and country; for an agreement, same title, "
        "parties and signing date) and this is another one all the same.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("loaded_version")
        if self.instance.pk is not None and opened is not None and opened != self.instance.version:
            raise forms.ValidationError(
                f"Someone else changed this record since you opened it (you opened version {opened}). "
                f"{changed_since(self.instance)} Your changes were not saved: open the record again in another "
                "tab and re-apply them.",
                code="stale",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # The service's duplicate check, as a form error on the name (the API's 409): it sets the record's key.
        try:
            duplicates.check(self.instance, parts=None, confirmed=self.cleaned_data.get("confirm_duplicate", False))
        except duplicates.DuplicateRecordError as error:
            message = str(error).replace(
                f"send {duplicates.CONFIRM_PARAMETER}=true", "tick \u201cSave it as another record\u201d"
            )
            self.add_error(error.field if error.field in self.fields else None, message)


class CitedModelForm(TrackedModelForm):
    """A fact's form: its relative dates ("next month") count from the sources typed in its citation inline,
    which are not saved yet when the record is validated (the same rule as the API's, see CitedModel)."""

    #: The prefix of the generic citation inline (Django's default for it).
    citations_prefix = "cooperation-citation-content_type-object_id"

    def _post_clean(self):
        if self.is_bound:
            self.instance.citing = self.sources_typed()
        super()._post_clean()

    def sources_typed(self) -> list | None:
        """The sources of the citation rows posted, in order, without the rows marked for deletion; None when
        the form was posted without its citation inline."""
        prefix, data = self.citations_prefix, self.data
        try:
            rows = min(int(data.get(f"{prefix}-TOTAL_FORMS", "")), 1000)
        except ValueError:
            return None
        ids = [data.get(f"{prefix}-{row}-source") for row in range(rows) if not data.get(f"{prefix}-{row}-DELETE")]
        ids = [int(value) for value in ids if value and str(value).isdigit()]
        found = Source.objects.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class TrackedAdmin(CSVAdminMixin, SimpleHistoryAdmin):
    """Base admin: history with a per-entry diff, and every TrackedModel's own fields laid out the same way.

    - ``created``, ``updated`` and ``version`` are read-only, in a folded "Record" section at the end.
    - Each partial date sits on one line (as written, EDTF, then its earliest and latest days, read-only),
      in a "Dates" section unless ``fieldsets`` place it; the model's ``clean()`` reads the text on save and
      its ValidationError lands on the field.
    - A partial date named in ``list_display`` is shown as written and sorted by its bounds, and every date
      (or period) counts in the resource's date filter (the API's ``date_from``/``date_to``).
    """

    form = TrackedModelForm
    object_history_list_template = "admin/cooperation/object_history_list.html"
    list_per_page = 50
    save_on_top = True
    actions = ["export_selected_csv", "merge_selected"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})},
        models.URLField: {"assume_scheme": "https"},  # a URL typed without a scheme is most likely https
    }

    class Media:
        css = {"all": ["cooperation/admin.css"]}
        js = ["cooperation/date-reading.js"]

    def view_on_site(self, obj) -> str | None:
        """ "View on site": the record's page in the explorer (none for a part, which is shown on its record's)."""
        from cooperation.explorer.pages import explorer_url

        return explorer_url(obj)

    #: Options of the inlines of the record's parts, by relation (``{"parties": {"extra": 2}}``).
    part_options: dict[str, dict] = {}

    def get_search_results(self, request, queryset, search_term):
        """Django's search, best matches first: a name or code typed in full ("RU", "DEA"), then names that
        begin with the words ("Rus": the Russian Federation before Belarus), then names with a word that does.
        The list keeps the order its columns give; an autocomplete shows the best match first."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = " ".join(search_term.split())
        names = [name for name in getattr(self.model, "name_fields", ()) or ("name",) if hasattr(self.model, name)]
        if not term or not names:
            return queryset, may_have_duplicates
        typed_in_full = Q()
        for name in (*names, *(field for field in self.search_fields if field.isidentifier() and "__" not in field)):
            typed_in_full |= Q(**{f"{name}__iexact": term})
        match = Case(
            When(typed_in_full, then=0),
            When(Q(**{f"{names[0]}__istartswith": term}), then=1),
            When(Q(**{f"{names[0]}__icontains": f" {term}"}), then=2),
            default=3,
            output_field=IntegerField(),
        )
        ordering = queryset.query.order_by or self.get_ordering(request) or self.model._meta.ordering or ("pk",)
        return queryset.alias(best_match=match).order_by("best_match", *ordering), may_have_duplicates

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite):
        super().__init__(model, admin_site)
        resource = resource_or_none(model)
        parts = resource.parts if resource is not None else {}
        derived = [part_inline(model._meta.get_field(name), **self.part_options.get(name, {})) for name in parts]
        self.inlines = (*derived, *self.inlines)
        for name in model.partial_dates:  # the read-only "<date>_bounds" that date_row() names
            setattr(self, f"{name}_bounds", bounds_display(name))

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs) -> forms.Field | None:
        formfield = quiet_related_widget(super().formfield_for_dbfield(db_field, request, **kwargs), request)
        if size_partial_date(formfield, db_field, self.model):
            # The Dates section says once what to type, so that each date keeps to one compact line.
            formfield.help_text = ""
            if db_field.name.endswith("_edtf"):
                formfield.label = "EDTF"
        return formfield

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        opened = form.cleaned_data.get("loaded_version")
        if change and opened is not None:
            obj.version = opened  # compare-and-set against the version the analyst opened, not the one just read
        super().save_model(request, obj, form, change)

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        """One history: the record's own entries with its parts' (parties, stops, ...) and its citations'."""
        record = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if record is not None and self.has_view_history_or_change_history_permission(request, record):
            extra["timeline"], extra["timeline_truncated"] = record_timeline(record, part_relations(self.model))
            request.shows_timeline = True
        return super().history_view(request, object_id, extra)

    object_history_form_template = "admin/cooperation/object_history_form.html"

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        revert = self.admin_site.admin_view(require_POST(self.revert_all_view))
        route = path("<path:object_id>/history/<int:history_id>/revert-all/", revert, name=f"{prefix}_revert_all")
        return [route, *super().get_urls()]

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        """A record's entry: its fields then, with its parts and citations then, and the button that reverts the
        whole record to it."""
        extra = dict(extra_context or {})
        record = self.get_object(request, unquote(object_id))
        entry = self.model.history.filter(id=getattr(record, "pk", None), history_id=version_id).first()
        if record is not None and entry is not None:
            extra["parts_then"] = self.parts_then(record, services.version_end(record, entry))
            prefix = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
            extra["revert_all_url"] = reverse(f"{prefix}_revert_all", args=[record.pk, version_id])
            extra["may_revert_all"] = self.has_change_permission(request, record)
        return super().history_form_view(request, object_id, version_id, extra)

    def parts_then(self, record: models.Model, until) -> list[tuple[str, list[str]]]:
        """Each part relation of the record (and its citations) with its rows as they stood before ``until``."""
        shown = []
        for relation in part_relations(self.model):
            field = record._meta.get_field(relation)
            model = field.related_model
            rows = []
            for values in services.parts_as_of(record, relation, until):
                part = model(**values)
                if not isinstance(field, GenericRelation):
                    setattr(part, field.field.name, record)
                rows.append(str(part))
            shown.append((capfirst(model._meta.verbose_name_plural), rows))
        return shown

    def revert_all_view(self, request: HttpRequest, object_id, history_id: int):
        """The record, its parts and its citations made again what they were at one of its history entries."""
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        entry = get_object_or_404(self.model.history, id=record.pk, history_id=history_id)
        change = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[record.pk])
        try:
            changed = services.record_revert(record, entry, user=request.user)
        except ValidationError as error:
            self.message_user(request, "Not reverted: " + " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.META.get("HTTP_REFERER") or change)
        when = f"{entry.history_date:%Y-%m-%d %H:%M:%S} UTC"
        said = f"Reverted to its version of {when}, with its parts and citations." if changed else "Nothing to revert."
        self.message_user(request, said, messages.SUCCESS)
        return HttpResponseRedirect(change)

    def set_history_delta_changes(self, request: HttpRequest, page_obj, **kwargs) -> None:
        # The timeline has its changes; simple_history's would cost a query per entry, to be thrown away.
        if not getattr(request, "shows_timeline", False):
            super().set_history_delta_changes(request, page_obj, **kwargs)

    def get_formset_kwargs(self, request: HttpRequest, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, CitationInline) and request.method == "GET":
            cited = cited_in_address(request)
            if cited:
                kwargs["initial"] = [cited]
        return kwargs

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:  # the record the page shows, already loaded
            context["related_records"] = related_records(request, self.admin_site, obj)
            if isinstance(obj, CitedModel):
                prefetch_related_objects([obj], Prefetch("citations", Citation.objects.select_related("source")))
                context["field_support"] = [row for row in provenance.field_support(obj) if row.has_value]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecordError as error:  # changed between the form's check and the save: nothing was saved
            self.message_user(
                request,
                f"Someone else saved this record while you were saving it. {changed_since(error.record)} "
                "Your changes were not saved: re-apply them.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if formsets:  # the parts a record's duplicate key reads (an agreement's parties) are saved by now
            duplicates.rekey(form.instance)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        # Through the service: parts deleted with the record can be restored with it (Deletions).
        services.record_delete(obj, user=request.user)

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # a rule refused it (the last citation of a fact): nothing was deleted
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            try:
                services.record_delete(obj, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if resource_or_none(self.model) is None or not mergeable(self.model) or not may_merge(request, self.model):
            actions.pop("merge_selected", None)
        return actions

    @admin.action(description="Merge the two selected records (one is kept, the other merged into it)")
    def merge_selected(self, request: HttpRequest, queryset):
        chosen = sorted(queryset.values_list("pk", flat=True)[:3])
        if len(chosen) != 2:
            self.message_user(request, "Select exactly two records to merge.", messages.WARNING)
            return None
        return HttpResponseRedirect(merge_url(self.model, *chosen))

    def get_historical_record_context_helper(self, request, historical_record) -> HistoricalRecordContextHelper:
        return ReadableChanges(self.model, historical_record)

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list[str]:
        bounds = [f"{name}_bounds" for name in self.model.partial_dates]
        return [*super().get_readonly_fields(request, obj), *bounds, *RECORD_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list[tuple[str | None, dict]]:
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        placed = set(admin.utils.flatten_fieldsets(fieldsets)) if self.fieldsets else set()
        if not self.fieldsets:
            # Django's single default section: keep its order, minus what gets a section of its own below.
            apart = date_fields(self.model) | set(RECORD_FIELDS) | quantity_columns(self.model)
            fieldsets[0][1]["fields"] = [f for f in fieldsets[0][1]["fields"] if f not in apart]
        missing_dates = [date_row(name) for name in self.model.partial_dates if name not in placed]
        if missing_dates:  # right after the main section: when something happened matters as much as what
            dates = {
                "fields": missing_dates,
                "description": dates_description(self.model),
                "classes": ["partial-dates"],
            }
            fieldsets.insert(1, ("Dates", dates))
        rule = duplicates.rule_for(self.model)
        if rule is not None and rule.confirmable:
            fieldsets.append(("Duplicates", {"fields": ["confirm_duplicate"]}))
        if not placed.intersection(RECORD_FIELDS):
            fieldsets.append(("Record", {"fields": [RECORD_FIELDS], "classes": ["collapse"]}))
        return fieldsets

    def get_list_display(self, request: HttpRequest) -> list:
        quantities = {quantity.name for quantity in self.model.quantities}
        return [
            partial_date_column(self.model, item)
            if item in self.model.partial_dates
            else quantity_column(self.model, item)
            if item in quantities
            else item
            for item in super().get_list_display(request)
        ]

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), *date_filters(self.model)]


class PartsFormSet(forms.BaseInlineFormSet):
    """The rows of one whole may not clash on a conditional unique constraint either.

    Django checks a model's unconditional unique constraints across the rows of an inline formset, but not
    conditional ones ("a country is a party once per role, when the party is a country"): two such rows
    would pass validation and fail in the database. The conditions of this app all read "when this field
    is given", so rows with an empty field in the constraint are not compared.
    """

    def clean(self) -> None:
        super().clean()
        constraints = [
            constraint
            for constraint in self.model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and constraint.condition is not None
        ]
        for constraint in constraints:
            fields = [name for name in constraint.fields if name != self.fk.name]
            seen = set()
            for form in self.forms:
                if not form.is_valid() or self._should_delete_form(form):
                    continue
                values = tuple(form.cleaned_data.get(name) for name in fields)
                if any(value in (None, "") for value in values):
                    continue
                if values in seen:
                    form.add_error(None, constraint.violation_error_message)
                seen.add(values)
        self.check_parts()

    def check_parts(self) -> None:
        """The rules between the record and these parts as they are to be (a status and its milestones): the
        same ``check_parts`` the services call, with the record as the form has it."""
        relation = self.fk.remote_field.get_accessor_name()
        if relation not in getattr(self.instance, "checked_parts", ()):
            return  # another inline holds the parts the rule reads, as posted
        if any(not form.is_valid() for form in self.forms if not self._should_delete_form(form)):
            return
        kept = [
            form.instance
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk is not None or form.has_changed())
        ]
        try:
            self.instance.check_parts({relation: kept})
        except ValidationError as error:
            messages_ = [message for messages in error.message_dict.values() for message in messages]
            raise ValidationError(messages_) from None


class FittingTabular(metaclass=forms.MediaDefiningClass):
    """A tabular inline that never scrolls sideways: too wide for its room, its rows wrap into labelled cells.
    (A media-defining mixin: an inline that has media of its own gets these too.)"""

    template = "admin/cooperation/edit_inline/tabular.html"

    class Media:
        js = ["cooperation/inline-fit.js"]


class PartInline(FittingTabular, admin.TabularInline):
    """A part entered with its whole (a party of an agreement, a stop of a route): one compact row each.

    A new record opens with ``extra`` empty rows; an existing one with none ("Add another" adds more).
    ``part_inline`` derives one from the part's model.
    """

    formset = PartsFormSet
    form = QuantitiesForm
    extra = 1
    #: Related records shown in each row, fetched with it.
    related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related(*self.related)

    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def get_extra(self, request: HttpRequest, obj: models.Model | None = None, **kwargs) -> int:
        return self.extra if obj is None else 0

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs) -> forms.Field | None:
        # A row has room for the field and its "add" icon only.
        formfield = quiet_related_widget(
            super().formfield_for_dbfield(db_field, request, **kwargs), request, keep=("add",)
        )
        size_partial_date(formfield, db_field, self.model)
        return formfield


def part_inline(relation, **options) -> type[PartInline]:
    """The inline of a record's part (``Agreement.parties``): the fields the API and the CSV enter it with, related
    records by autocomplete and fetched with the rows. ``options`` set the inline's own (``extra=2``)."""
    inner = quantity_columns(relation.related_model)
    entered = [f for f in part_fields(relation) if f.name not in inner]
    related = tuple(f.name for f in entered if f.is_relation)
    attrs = {
        "model": relation.related_model,
        "fk_name": relation.field.name,  # a part may refer to another record of its record's kind too
        "fields": tuple(f.name for f in entered),
        "autocomplete_fields": related,
        "related": related,
        "__module__": __name__,
        **options,
    }
    return type(f"{relation.related_model.__name__}Inline", (PartInline,), attrs)


class SupportedFieldsFormField(forms.MultipleChoiceField):
    """A citation's ``supports`` as a choice of its record's facts (stored as their names, separated by spaces)."""

    def prepare_value(self, value):
        return value.split() if isinstance(value, str) else value

    def clean(self, value) -> str:
        return " ".join(super().clean(value))

    def has_changed(self, initial, data) -> bool:
        return (initial or "").split() != list(data or [])


class CitationFormSet(BaseGenericInlineFormSet):
    default_error_messages = {"too_few_forms": "Cite at least one source: every fact is sourced."}


class CitationInline(FittingTabular, GenericTabularInline):
    """The sources of a fact: at least one citation, each with the words that support it (a verbatim quote, a
    paraphrase or a translation)."""

    model = Citation
    formset = CitationFormSet
    fields = (*CITATION_FIELDS, "support")
    readonly_fields = ("support",)
    autocomplete_fields = ("source",)
    extra = 0
    min_num = 1  # every fact is sourced
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})}}

    class Media:
        js = ["cooperation/cite-in-popup.js"]  # the record's citation, for the records added from its form

    @admin.display(description="source and check")
    def support(self, citation: Citation) -> str:
        """The source in full, linked to its page and its address, and whether the quote was checked."""
        if citation.pk is None or citation.source_id is None:
            return ""
        source = citation.source
        if citation.kind != CitationKind.VERBATIM:
            check = f"{citation.get_kind_display()}: not checked against the text"
        elif source.text:  # checked on save; the text may have been edited since
            found = source.contains_quote(citation.quote)
            check = "\u2713 found in the source's stored text" if found else "\u2717 not in the source's stored text"
        else:
            check = "not checked: the source's text is not stored"
        return format_html(
            '<a href="{}">{}</a><br><a href="{}" rel="noopener noreferrer">{}</a><br><span class="citation-check">{}'
            "</span>",
            reverse("admin:cooperation_source_change", args=[source.pk]),
            source.title,
            source.url,
            source.url,
            check,
        )

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("source")

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs) -> forms.Field | None:
        if db_field.name == "supports":  # the facts of the record this inline is on
            facts = resource_of(self.parent_model).supportable
            return SupportedFieldsFormField(
                choices=[(name, provenance.label(self.parent_model, name)) for name in facts],
                required=False,
                label=db_field.verbose_name,
                help_text="The facts its words support (Ctrl/\u2318-click for several); none: the record as a whole.",
                widget=forms.SelectMultiple(attrs={"size": 4}),
            )
        return quiet_related_widget(super().formfield_for_dbfield(db_field, request, **kwargs), request, keep=("add",))

    def get_formset(self, request: HttpRequest, obj: models.Model | None = None, **kwargs):
        # Refuse to remove the last citation, not only to add a record without one.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


def related_records(request: HttpRequest, site: admin.AdminSite, record: models.Model) -> list[tuple[str, int, str]]:
    """What points at ``record``, by kind: (label, how many, the list of them in the admin), for every relation
    to it whose records the user may see: a country's agreement parties and route stops, an official's posts
    and events, a source's citations. A query per relation, whatever the number of rows."""
    found = []
    relations = record._meta.related_objects
    by_model = Counter(relation.related_model for relation in relations)
    for relation in relations:
        model = relation.related_model
        model_admin = site._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            continue
        name = relation.field.name
        count = model._default_manager.filter(**{name: record}).order_by().count()
        if count:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            label = str(model._meta.verbose_name_plural).capitalize()
            if by_model[model] > 1:  # a centre's host country and sponsor country
                label = f"{label} (as {relation.field.verbose_name})"
            found.append((label, count, f"{url}?{name}__{record._meta.pk.name}__exact={record.pk}"))
    return sorted(found)


def count_of(rows: models.QuerySet, column: str) -> Coalesce:
    """An annotation counting ``rows`` whose ``column`` is the record's key, e.g. the countries of a region.

    A subquery rather than ``Count()`` over a join: the changelist keeps no GROUP BY, so the model's ordering
    still applies (pagination and autocomplete need it) and other annotations are not multiplied.
    """
    counted = rows.filter(**{column: OuterRef("pk")}).order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def citation_count(model: type[models.Model]) -> Coalesce:
    """How many citations each record of ``model`` has."""
    return count_of(Citation.objects.filter(content_type=ContentType.objects.get_for_model(model)), "object_id")


class CitedAdmin(TrackedAdmin):
    """Base admin of a fact-bearing record: its citations inline, a citation count column and filter."""

    citation_inline = CitationInline
    form = CitedModelForm

    def get_inlines(self, request: HttpRequest, obj: models.Model | None) -> list:
        return [*super().get_inlines(request, obj), self.citation_inline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(citation_count=citation_count(self.model))

    def get_list_display(self, request: HttpRequest) -> list:
        return [*super().get_list_display(request), "citations"]

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), SourcedFilter]

    @admin.display(description="citations", ordering="citation_count")
    def citations(self, record: CitedModel) -> int:
        return record.citation_count


def default_admin(resource) -> type[TrackedAdmin]:
    """The admin of a resource that needs no layout of its own (a vocabulary): its short fields as columns, its
    filterset's choice and place filters in the sidebar, its search, related records by autocomplete, its parts
    inline."""
    model = resource.model
    fields = [model._meta.get_field(name) for name in resource.fields if name not in resource.parts]
    shown = [f.name for f in fields if not f.many_to_many and not isinstance(f, models.TextField)]
    attrs = {
        "list_display": shown[:7],
        "list_filter": resource_filters(model),
        "search_fields": resource.search,
        "autocomplete_fields": [f.name for f in fields if f.is_relation],
        "__module__": __name__,
    }
    if {"code", "name"} <= {f.name for f in fields} and isinstance(model._meta.get_field("code"), models.SlugField):
        attrs["prepopulated_fields"] = {"code": ("name",)}
    return type(f"{model.__name__}Admin", (CitedAdmin if resource.cited else TrackedAdmin,), attrs)
