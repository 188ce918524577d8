"""Reference geography: UN M49 regions (and analysts' own groupings) and ISO 3166-1 countries."""

from django.contrib import admin

from cooperation.models import Country, Region

from .base import TrackedAdmin, count_of, joined
from .filters import resource_filters


@admin.register(Region)
class RegionAdmin(TrackedAdmin):
    list_display = ("name", "m49_code", "level", "parent", "country_count")
    list_select_related = ("parent",)
    list_filter = resource_filters(Region, region="part of")
    search_fields = ("name", "m49_code", "description")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(country_count=count_of(Country.regions.through.objects.all(), "region"))
        )

    @admin.display(description="countries (directly)", ordering="country_count")
    def country_count(self, region: Region) -> int:
        return region.country_count


@admin.register(Country)
class CountryAdmin(TrackedAdmin):
    list_display = ("name", "iso2", "iso3", "iso_numeric", "region_list")
    list_filter = resource_filters(Country)
    search_fields = ("name", "official_name", "iso2", "iso3", "iso_numeric")
    autocomplete_fields = ("regions",)
    fieldsets = ((None, {"fields": ("name", "official_name", ("iso2", "iso3", "iso_numeric"), "regions")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description="regions")
    def region_list(self, country: Country) -> str:
        return joined(country.regions.all())
