"""Finding and merging duplicates in the admin: the "Likely duplicates" page (linked from the index), and a
confirmation page per pair, reached from there or from the changelist action on two selected records, where
the analyst picks the record that stays and sees what moves to it (``cooperation.merging``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from cooperation.likely_duplicates import KINDS, likely_pairs
from cooperation.merging import merge_records, mergeable, what_moves
from cooperation.models.sources import named_records
from cooperation.resources import RESOURCES

PAIRS_PER_PAGE = 50


def may_merge(request: HttpRequest, model: type[models.Model]) -> bool:
    """Merging changes one record and deletes the other: it takes both permissions."""
    meta = model._meta
    return request.user.has_perms(
        [f"{meta.app_label}.change_{meta.model_name}", f"{meta.app_label}.delete_{meta.model_name}"]
    )


def _model(model_name: str) -> type[models.Model]:
    for resource in RESOURCES.values():
        if resource.model._meta.model_name == model_name and mergeable(resource.model):
            return resource.model
    raise Http404(f"No kind of record is called {model_name!r}.")


def merge_url(model: type[models.Model], first: int, second: int) -> str:
    return reverse("admin:merge_records", args=[model._meta.model_name, first, second])


def likely_duplicates_view(request: HttpRequest, site: admin.AdminSite):
    """``?type=agency``: the likely duplicates of one kind, closest first, each with a Merge button."""
    kinds = [(name, model) for name, model in KINDS.items() if request.user.has_perm(f"cooperation.view_{name}")]
    if not kinds:
        raise PermissionDenied
    chosen = request.GET.get("type", kinds[0][0])
    model = dict(kinds).get(chosen)
    if model is None:
        raise Http404(f"No likely duplicates of {chosen!r} are listed.")
    page = Paginator(likely_pairs(chosen), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    records = named_records(model).in_bulk({pk for pair in page for pk in (pair.first, pair.second)})
    meta = model._meta
    change = f"admin:{meta.app_label}_{meta.model_name}_change"
    rows = [
        {
            "pair": pair,
            "first": records[pair.first],
            "second": records[pair.second],
            "first_url": reverse(change, args=[pair.first]),
            "second_url": reverse(change, args=[pair.second]),
            "merge_url": merge_url(model, pair.first, pair.second),
        }
        for pair in page
    ]
    context = {
        **site.each_context(request),
        "title": "Likely duplicates",
        "kinds": [(name, str(kind._meta.verbose_name_plural).capitalize()) for name, kind in kinds],
        "chosen": chosen,
        "opts": meta,
        "rows": rows,
        "page": page,
        "may_merge": may_merge(request, model),
    }
    return TemplateResponse(request, "admin/cooperation/likely_duplicates.html", context)


def merge_view(request: HttpRequest, site: admin.AdminSite, model_name: str, first: int, second: int):
    """Confirm a merge: pick the record that stays, see what moves to it; POST merges."""
    model = _model(model_name)
    if not may_merge(request, model):
        raise PermissionDenied
    records = [get_object_or_404(named_records(model), pk=pk) for pk in (first, second)]
    if first == second:
        raise Http404("A record cannot be merged into itself.")
    if request.method == "POST":
        chosen = request.POST.get("survivor", "")
        by_id = {str(record.pk): record for record in records}
        if chosen in by_id:
            survivor = by_id[chosen]
            duplicate = next(record for record in records if record is not survivor)
            shown = str(duplicate)
            try:
                merge_records(survivor, duplicate, user=request.user)
            except ValidationError as error:
                site._registry[model].message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                site._registry[model].message_user(
                    request, f"Merged \u201c{shown}\u201d into \u201c{survivor}\u201d.", messages.SUCCESS
                )
                meta = model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[survivor.pk])
                )
        else:
            site._registry[model].message_user(request, "Choose the record that stays.", messages.ERROR)
    meta = model._meta
    context = {
        **site.each_context(request),
        "title": f"Merge two {meta.verbose_name_plural}",
        "opts": meta,
        "records": [
            {
                "record": record,
                "url": reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]),
                "moves": what_moves(record),
            }
            for record in records
        ],
    }
    return TemplateResponse(request, "admin/cooperation/merge.html", context)


def urls(site: admin.AdminSite) -> list:
    return [
        path(
            "likely-duplicates/",
            site.admin_view(lambda request: likely_duplicates_view(request, site)),
            name="likely_duplicates",
        ),
        path(
            "merge/<str:model_name>/<int:first>/<int:second>/",
            site.admin_view(lambda request, **kwargs: merge_view(request, site, **kwargs)),
            name="merge_records",
        ),
    ]
