"""Filter backends that refuse what they do not understand: a misspelled filter must never return (or
export) the whole table."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from cooperation.api import ordering

#: Parameters every list understands besides its filters and its paginator's.
COMMON_PARAMETERS = {"format", "ordering"}


def known_parameters(request, view) -> set[str]:
    known = set(COMMON_PARAMETERS) | set(getattr(view, "extra_query_parameters", ()))
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        known |= set(filterset_class.base_filters)
    paginator = getattr(view, "paginator", None)
    if paginator is not None and view.action == "list":
        known |= paginator.query_params
    return known


def check_query_parameters(request, view) -> None:
    """400 naming each unknown parameter, and each value with a NUL byte (PostgreSQL cannot store them)."""
    known = known_parameters(request, view)
    errors = {}
    for name, values in request.query_params.lists():
        if name not in known:
            errors[name] = ["Unknown query parameter. Known: " + ", ".join(sorted(known)) + "."]
        elif any("\x00" in value for value in values):
            errors[name] = ["The value contains a NUL character."]
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if getattr(view, "detail", False):
            return queryset
        check_query_parameters(request, view)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=-date,title``: only the fields the view declares and the bounds of its partial dates (see
    ``cooperation.api.ordering``); anything else is a 400. The list is always ordered totally (``id`` last), with
    unknown dates last."""

    ordering_description = (
        "Comma-separated fields to order by, `-` for descending. `date` is the main date's earliest bound; "
        "`<date>_earliest`/`<date>_latest` order by either bound of a date. Unknown (null) values come last "
        "in both directions; `id` ends every ordering, so equal values keep a stable order across pages."
    )

    def get_valid_fields(self, queryset, view, context=None):
        declared = super().get_valid_fields(queryset, view, context or {})
        return [*declared, *((term, term) for term in ordering.date_terms(queryset.model))]

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None or getattr(view, "detail", False):
            return self.get_default_ordering(view)
        # As the schema says: a comma list of the listed terms, nothing else (not an empty term, no spaces).
        fields = raw.split(",")
        allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        message = ordering.invalid_terms(fields, allowed)
        if message:
            raise ValidationError({self.ordering_param: [message]})
        return fields

    def get_keys(self, request, queryset, view) -> list[ordering.Key]:
        """The ordering asked for as keys, ``id`` last (by ``id`` alone when none is asked for)."""
        return ordering.keys(queryset.model, self.get_ordering(request, queryset, view) or ())

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*(key.order() for key in self.get_keys(request, queryset, view)))
