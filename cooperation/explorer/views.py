"""The explorer's pages. Each reads through the API's own definitions (querysets, filtersets, search), so a
page cannot show a record differently from the API, and each costs a constant number of queries."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_safe

from cooperation import models as m
from cooperation.api.caching import revalidated
from cooperation.api.permissions import may_view
from cooperation.api.search import matching, query_words, searched
from cooperation.api.serializers import serializer_for
from cooperation.api.views import viewset_for
from cooperation.explorer import counts, dossier, sources, timeline
from cooperation.explorer.access import login_when_required, require_view
from cooperation.explorer.pages import explorer_url, facts, label, list_url, values_of
from cooperation.models.sources import named_records
from cooperation.resources import RESOURCES, Resource, resource_of

#: Records in the home page's latest changes, and per kind in the search's results.
LATEST = 15
PER_KIND = 20
#: Records per page of a list.
PAGE_SIZE = 50
#: Columns of a list besides the record's name: its first simple fields (no relation, no long text).
LIST_COLUMNS = 4


def viewable(user) -> list[Resource]:
    return [resource for resource in RESOURCES.values() if may_view(user, resource.model)]


def plural(resource: Resource) -> str:
    return capfirst(resource.model._meta.verbose_name_plural)


def api_url(resource: Resource, pk: int | None = None) -> str:
    basename = resource.model._meta.model_name
    if pk is None:
        return reverse(f"api:{basename}-list")
    return reverse(f"api:{basename}-detail", kwargs={"pk": pk})


@require_safe
@login_when_required
@revalidated
def home(request):
    """What there is: a count of each kind of record, the latest changes, and the search box. One query per
    kind for the counts and one per kind for the latest changes."""
    kinds = viewable(request.user)
    counts = [(resource, resource.model._default_manager.count()) for resource in kinds]
    latest = []
    for resource in kinds:
        latest += named_records(resource.model).order_by("-updated_at", "-pk")[:LATEST]
    latest.sort(key=lambda record: record.updated_at, reverse=True)
    return render(
        request,
        "explorer/home.html",
        {
            "counts": [(plural(resource), count, list_url(resource)) for resource, count in counts],
            "latest": [
                (record, explorer_url(record), resource_of(type(record)).model._meta.verbose_name)
                for record in latest[:LATEST]
            ],
        },
    )


@require_safe
@login_when_required
@revalidated
def search(request):
    """Every kind of record the user may view, searched as the API's ``/api/v1/search/`` searches: one query
    per kind, its first PER_KIND matches shown."""
    text = request.GET.get("q", "")
    context = {"q": text, "groups": [], "error": None}
    if not text.strip():
        return render(request, "explorer/search.html", context)
    try:
        words = query_words(text)
    except ValueError as error:
        context["error"] = str(error)
        return render(request, "explorer/search.html", context, status=400)
    # A match on a quote would tell a user who may not read citations what they say.
    quotes = may_view(request.user, m.Citation)
    for model, fields in searched().values():
        if not may_view(request.user, model):
            continue
        found = list(matching(model, fields, words, quotes=quotes).order_by("pk")[: PER_KIND + 1])
        if found:
            resource = resource_of(model)
            context["groups"].append(
                {
                    "label": plural(resource),
                    "list_url": f"{list_url(resource)}?{urlencode({'q': text})}",
                    "records": [(record, explorer_url(record)) for record in found[:PER_KIND]],
                    "more": len(found) > PER_KIND,
                }
            )
    return render(request, "explorer/search.html", context)


@functools.cache
def sources_of(resource: Resource) -> dict[str, str]:
    """The attribute each declared field is read from, as the API's serializer reads it."""
    fields = serializer_for(resource)().fields
    return {name: fields[name].source for name in resource.fields if name in fields and fields[name].source != "*"}


@require_safe
@login_when_required
@revalidated
def record_detail(request, resource: Resource, pk: int):
    """One record: its facts as the resource declares them, each with its support, and its parts as tables.
    Read with the API's queryset (its joins and prefetches), so the page costs the same for any record."""
    require_view(request.user, resource.model)
    record = get_object_or_404(viewset_for(resource).queryset.all(), pk=pk)
    return render_record(request, resource, record)


@require_safe
@login_when_required
@revalidated
def country_by_code(request, code: str):
    """``/countries/RU/``: a country by its ISO 3166 alpha-2 code, the same page as by its id."""
    resource = RESOURCES["countries"]
    require_view(request.user, resource.model)
    record = get_object_or_404(viewset_for(resource).queryset.all(), iso2=code.upper())
    return render_record(request, resource, record)


def render_record(request, resource: Resource, record):
    model = resource.model
    change = f"{model._meta.app_label}.change_{model._meta.model_name}"
    context = {
        "resource": resource,
        "kind": capfirst(model._meta.verbose_name),
        "plural": plural(resource),
        "record": record,
        "facts": facts(resource, record, sources_of(resource)),
        "citations": [citation_row(citation) for citation in record.citations.all()] if resource.cited else [],
        "api_url": api_url(resource, record.pk),
        "list_url": list_url(resource),
        "edit_url": (
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk])
            if request.user.has_perm(change)
            else None
        ),
    }
    if model is m.Source:
        citations = sources.citations_with_records(record, request.user)
        context["facts"] = [fact for fact in context["facts"] if fact.name != "text"]  # shown marked below
        context["paragraphs"] = sources.cited_paragraphs(record, citations)
        context["supported"] = sources.supported_records(citations)
        context["supported_shown"] = True
    if resource.name == "countries":
        # A country's counts, kept as its records are written: its timeline's and its sections' (one query).
        counted = counts.of_country(record)
        drawn = timeline.of_record(request, resource, record, counted)
        totals = {name: counted.total(name) for name in dossier.KINDS}
        context["sections"] = dossier.sections(record, request.user, totals)
        context["partner_kinds"], context["partners"] = dossier.partners(record, request.user)
    else:
        drawn = timeline.of_record(request, resource, record)  # an agency's, an official's
    if drawn is not None:
        context |= drawn
        return render(request, "explorer/record.html", context, status=400 if drawn["timeline"].errors else 200)
    return render(request, "explorer/record.html", context)


def citation_row(citation) -> dict:
    return {
        "citation": citation,
        "supports": citation.supports.split(),
    }


@require_safe
@login_when_required
@revalidated
def record_list(request, resource: Resource):
    """The records of one kind, filtered by the API's own filterset (the same parameters, so the address is a
    permalink and the CSV link exports the same records), PAGE_SIZE a page, in two queries (count and page)."""
    model = resource.model
    require_view(request.user, model)
    params = request.GET.copy()
    page_number = params.pop("page", ["1"])[-1]
    filterset = resource.filterset_class(params, queryset=named_records(model))
    errors = {
        name: ["Unknown filter."] if name not in filterset.base_filters else ["The value contains a NUL character."]
        for name, values in params.lists()
        if name not in filterset.base_filters or any("\x00" in value for value in values)
    }
    if not errors and not filterset.is_valid():
        errors = filterset.errors
    columns = [name for name in resource.fields if listed(model, name)][:LIST_COLUMNS]
    context = {
        "resource": resource,
        "plural": plural(resource),
        "errors": errors,
        "filters": [(name, ", ".join(values)) for name, values in params.lists()],
        "q": params.get("q", "") if "q" in filterset.base_filters else None,
        "searchable": "q" in filterset.base_filters,
        "csv_url": f"{api_url(resource)}?{export_query(params)}",
        "headers": [label(model, name) for name in columns],
    }
    if errors:
        return render(request, "explorer/list.html", context, status=400)
    ordering = [*(model._meta.ordering or ()), "pk"]
    page = Paginator(filterset.qs.order_by(*ordering), PAGE_SIZE).get_page(page_number)
    context["page"] = page
    context["rows"] = [
        (record, explorer_url(record), [values_of(record, name) for name in columns]) for record in page.object_list
    ]
    context["page_query"] = params.urlencode()
    return render(request, "explorer/list.html", context)


def export_query(params) -> str:
    query = params.copy()
    query["format"] = "csv"
    return query.urlencode()


def listed(model, name: str) -> bool:
    """Whether a list shows the field as a column: a partial date, or a short field of the record's own."""
    if name in getattr(model, "partial_dates", ()) or name in {q.name for q in getattr(model, "quantities", ())}:
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a name the serializer reads from elsewhere (a citation's record_type)
        return False
    return field.concrete and not field.is_relation and not isinstance(field, models.TextField)
