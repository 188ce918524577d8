"""Reference geography: UN M49 regions (and analysts' own groupings), ISO 3166-1 countries and places."""

from django.contrib import admin

from cooperation.models import Country, Place, Region

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


@admin.register(Place)
class PlaceAdmin(TrackedAdmin):
    """The gazetteer's places and those analysts add. Search (and every place autocomplete) finds places by the
    beginning of their name through an index: "bogota", "san jose, cr", or a GeoNames id."""

    list_display = ("name", "country", "population", "geonames_id", "latitude", "longitude")
    list_select_related = ("country",)
    list_filter = resource_filters(Place)
    search_fields = ("search_name",)  # what get_search_results searches (by prefix, on its index)
    search_help_text = 'The beginning of the name ("bogota"), with the country ("san jose, cr"), or a GeoNames id.'
    autocomplete_fields = ("country",)
    fieldsets = (
        (None, {"fields": ("name", "country", ("latitude", "longitude"), "other_names", "description")}),
        ("Gazetteer", {"fields": ("geonames_id", "population")}),
    )
    ordering = ("-population", "name", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")  # autocomplete shows "Lima, PE"

    def get_search_results(self, request, queryset, search_term):
        return queryset.named(search_term), False
