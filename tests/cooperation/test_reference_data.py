"""The reference data every database ships with: ISO 3166-1 countries and the UN M49 regions."""

import pycountry
import pytest

from cooperation.models import CooperationArea, Country, Drug, Region, TrainingTopic
from cooperation.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_every_iso_3166_country_is_there_with_its_three_codes():
    stored = {c.iso2: (c.iso3, c.iso_numeric) for c in Country.objects.all()}
    expected = {c.alpha_2: (c.alpha_3, c.numeric) for c in pycountry.countries}
    assert stored == expected
    assert len(stored) == 249


def countries_under(name: str) -> set[str]:
    ids = Region.objects.filter(name=name).with_descendants()
    return set(Country.objects.filter(regions__in=ids).values_list("iso2", flat=True))


def test_m49_hierarchy_places_countries_in_every_region_above_them():
    peru = Country.objects.get(iso2="PE")
    assert [r.name for r in peru.regions.all()] == ["South America"]
    south_america = Region.objects.get(m49_code="005")
    assert south_america.parent.m49_code == "419"
    assert south_america.parent.parent.name == "Americas"
    assert {"PE", "EC", "CO", "NI", "MX", "CU"} <= countries_under("Latin America and the Caribbean")
    assert "US" not in countries_under("Latin America and the Caribbean")
    assert {"NG", "GH", "SN", "GW"} <= countries_under("Western Africa")
    assert countries_under("Western Africa") <= countries_under("Sub-Saharan Africa") <= countries_under("Africa")
    assert "EG" not in countries_under("Sub-Saharan Africa")
    assert {"RU", "NL", "AF"} <= countries_under("World")
    assert len(countries_under("World")) == 249


def test_former_soviet_union_grouping_has_the_fifteen_republics():
    grouping = Region.objects.get(name="Former Soviet Union")
    assert grouping.level == "grouping" and grouping.m49_code is None
    assert countries_under("Former Soviet Union") == {
        "AM", "AZ", "BY", "EE", "GE", "KZ", "KG", "LV", "LT", "MD", "RU", "TJ", "TM", "UA", "UZ"
    }  # fmt: skip


def test_vocabularies_are_there():
    assert Drug.objects.get(name="cocaine").group == "cocaine_type"
    assert Drug.objects.get(name="heroin").group == "opioids"
    assert {"training", "information_exchange", "joint_monitoring"} <= set(
        CooperationArea.objects.values_list("code", flat=True)
    )
    assert TrainingTopic.objects.filter(code__in=["tactics", "use_of_technology"]).count() == 2


def test_loading_again_adds_nothing_and_keeps_analysts_edits():
    area = CooperationArea.objects.get(code="training")
    area.name = "Training and capacity building"
    area.save()
    counts_before = (Country.objects.count(), Region.objects.count(), Drug.objects.count())
    load_reference_data()
    assert (Country.objects.count(), Region.objects.count(), Drug.objects.count()) == counts_before
    assert CooperationArea.objects.get(code="training").name == "Training and capacity building"
    assert Country.objects.get(iso2="PE").regions.count() == 1


def test_nauru_is_in_micronesia():
    nauru = Country.objects.get(iso2="NR")
    assert [(r.m49_code, r.name) for r in nauru.regions.all()] == [("057", "Micronesia")]
    assert "NR" in countries_under("Oceania") and "NR" not in countries_under("Polynesia")


def test_reloading_removes_the_links_the_data_no_longer_has():
    """A database loaded from older data (Nauru in Polynesia, a grouping with a member it no longer lists) is
    brought in line; what analysts added (their own grouping and its members) stays."""
    nauru, peru = Country.objects.get(iso2="NR"), Country.objects.get(iso2="PE")
    nauru.regions.set([Region.objects.get(m49_code="061")])
    soviet = Region.objects.get(name="Former Soviet Union")
    soviet.countries.add(peru)
    andean = Region.objects.create(name="Andean Community", level="grouping")
    andean.countries.add(peru)

    load_reference_data()

    assert [r.m49_code for r in nauru.regions.all()] == ["057"]
    assert "PE" not in countries_under("Former Soviet Union") and len(countries_under("Former Soviet Union")) == 15
    assert sorted(r.name for r in peru.regions.all()) == ["Andean Community", "South America"]
    load_reference_data()  # and again: nothing more changes
    assert sorted(r.name for r in peru.regions.all()) == ["Andean Community", "South America"]
