"""Cooperation on paper: agreements, plans and initiatives, with their parties and areas."""

from django.contrib import admin
from django.db.models import Prefetch

from cooperation.models import Agreement, AgreementLink, AgreementParty, AgreementSignatory

from .base import CitedAdmin, TrackedAdmin, joined
from .filters import part_filters, resource_filters


@admin.register(Agreement)
class AgreementAdmin(CitedAdmin):
    list_display = ("title", "kind", "status", "party_list", "area_list", "signed", "start")
    list_filter = resource_filters(Agreement, "area", country="party's country", region="party's region")
    search_fields = (
        "title",
        "summary",
        "parties__country__name",
        "parties__region__name",
        "parties__agency__name",
        "parties__agency__acronym",
    )
    autocomplete_fields = ("areas", "drugs", "announced_by", "place")
    fieldsets = (
        (None, {"fields": ("title", ("kind", "status"), ("areas", "drugs"), "place", "summary")}),
        ("Officials", {"fields": ("announced_by",)}),
    )
    part_options = {"parties": {"extra": 2}, "signatories": {"extra": 1}, "links": {"extra": 0}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "areas", Prefetch("parties", AgreementParty.objects.select_related("country", "region", "agency"))
            )
        )

    @admin.display(description="parties")
    def party_list(self, agreement: Agreement) -> str:
        return joined([party.agency or party.country or party.region for party in agreement.parties.all()])

    @admin.display(description="areas")
    def area_list(self, agreement: Agreement) -> str:
        return joined(agreement.areas.all(), limit=3)


@admin.register(AgreementParty)
class AgreementPartyAdmin(TrackedAdmin):
    list_display = ("agreement", "country", "region", "agency", "role", "note")
    list_select_related = ("agreement", "country", "region", "agency")
    list_filter = ("role", *part_filters(AgreementParty))
    search_fields = ("agreement__title", "country__name", "region__name", "agency__name", "agency__acronym", "note")
    autocomplete_fields = ("agreement", "country", "region", "agency")


@admin.register(AgreementSignatory)
class AgreementSignatoryAdmin(TrackedAdmin):
    list_display = ("agreement", "official", "post", "agency", "note")
    list_select_related = ("agreement", "official", "post__official", "post__agency", "agency")
    search_fields = ("agreement__title", "official__name", "post__title", "agency__name", "agency__acronym", "note")
    autocomplete_fields = ("agreement", "official", "post", "agency")


@admin.register(AgreementLink)
class AgreementLinkAdmin(TrackedAdmin):
    list_display = ("agreement", "kind", "target", "note")
    list_select_related = ("agreement", "target")
    list_filter = ("kind",)
    search_fields = ("agreement__title", "target__title", "note")
    autocomplete_fields = ("agreement", "target")
