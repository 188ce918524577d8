"""The counts a country's dossier reads (``cooperation.explorer.counts``), kept by triggers in every write: after
each kind of write they are what a rebuild from the records gives, and every dossier is, byte for byte, the page
computed from the records (the way the dossier counted before it kept counts)."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.http import QueryDict

from cooperation import models as m
from cooperation.explorer import counts, dossier, timeline
from cooperation.filtering import filters
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.csv.helpers import to_csv
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db
SOURCE = "https://registro.example.net/convenios"


# --- The dossier as computed from the records: the reference ----------------------------------------------
def of_country_from_records(country) -> counts.Counted:
    """Every kind's records involving the country by the API's ``country`` filter, counted by years as the
    timeline's own query counts them (``timeline.spans``)."""
    years = {}
    for name in counts.counted_kinds():
        if name in timeline.WHEN:
            found, _ = timeline.spans(RESOURCES[name], QueryDict(f"country={dossier.country_key(country)}"))
            years[name] = {(span.first, span.last): span.records for span in found}
        else:
            total = dossier.of_country(RESOURCES[name], country).count()
            years[name] = {(None, None): total} if total else {}
    return counts.Counted(years)


def partners_from_records(country, kinds: list[str]) -> list[tuple]:
    """The parties' countries of the records involving the country, grouped and counted in SQL from the parties
    (the dossier's query before it kept counts)."""
    rows = []
    for name in kinds:
        resource = RESOURCES[name]
        part = resource.model._meta.get_field(dossier.PARTIES[name])
        record = part.field.name
        found = (
            part.related_model.objects.filter(**{f"{record}__in": dossier.of_country(resource, country).values("pk")})
            .annotate(other=Coalesce("country", "agency__country"))
            .exclude(other=country.pk)
            .exclude(other=None)
            .annotate(name=Coalesce("country__name", "agency__country__name"))
            .values("other", "name")
            .annotate(records=Count(F(record), distinct=True))
            .order_by()
        )
        rows += [(row["other"], row["name"], name, row["records"]) for row in found]
    return sorted(rows, key=lambda row: (row[0], row[2]))


def first_ids_from_records(country, kind: str, number: int):
    return dossier.of_country(RESOURCES[kind], country).order_by("pk").values("pk")[:number]


def dossier_from_records(client, monkeypatch, code: str) -> bytes:
    with monkeypatch.context() as patched:
        patched.setattr(counts, "of_country", of_country_from_records)
        patched.setattr(counts, "partners_of", partners_from_records)
        patched.setattr(counts, "first_ids", first_ids_from_records)
        # The country filter reads the kept rows too (filtering/filters.py): the reference reads the records.
        patched.setattr(filters, "kept_kind", lambda model, places: None)
        return client.get(f"/countries/{code}/").content


def assert_kept(client, monkeypatch) -> None:
    """The kept counts are a rebuild's, and each involved country's dossier (and one with nothing) is the page
    computed from the records."""
    kept, expected = counts.kept(), counts.expected()
    assert kept == expected
    involved = {country for (_, _, country, _, _) in expected[counts.RC]}
    assert involved, "the data involves countries"
    codes = set(m.Country.objects.filter(pk__in=involved).values_list("iso2", flat=True)) | {"NZ"}
    for code in sorted(codes):
        page = client.get(f"/countries/{code}/")
        assert page.status_code == 200
        assert page.content == dossier_from_records(client, monkeypatch, code), code


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


@pytest.fixture
def andean(db):
    """Records unlike the seed: agencies as parties (two agencies of one name in two countries), dates as vague
    as sources give them, records involving a country through a place, a concern, a route's stop, a post."""
    m.Source.objects.create(title="Registro de convenios", url=SOURCE)
    pe, cl, bo, co = (country(code) for code in ("PE", "CL", "BO", "CO"))
    police_pe = f.AgencyFactory(name="Policía Nacional", country=pe, cited=False)
    police_cl = f.AgencyFactory(name="Policía Nacional", country=cl, cited=False)
    navy = f.AgencyFactory(name="Armada", country=cl, cited=False)
    lapaz = f.PlaceFactory(name="La Paz", country=bo)
    pacts = []
    for when, parties, place in (
        ("early 2016", [(pe, None), (None, police_cl)], None),
        ("c. 2012", [(None, police_pe), (None, navy)], lapaz),
        ("between 2011 and 2013", [(pe, None), (None, police_pe), (co, None)], None),
        ("after October 2012", [(None, police_cl), (None, navy)], None),
        ("", [(pe, None)], lapaz),
        ("2015-06-01", [(co, None), (cl, None)], None),
    ):
        pact = f.AgreementFactory(signed=when, place=place, cited=False)
        for party_country, agency in parties:
            f.AgreementPartyFactory(agreement=pact, country=party_country, agency=agency)
        pacts.append(pact)
    course = f.TrainingCourseFactory(start="2013", end="c. 2014", cited=False, centre__host_country=co)
    f.CourseParticipantFactory(course=course, country=None, agency=police_pe)
    f.CourseParticipantFactory(course=course, country=bo)
    operation = f.OperationFactory(start="late 2019", cited=False, place=lapaz)
    f.OperationParticipantFactory(operation=operation, country=None, agency=navy)
    event = f.EventFactory(date="mid-2017", country=pe, cited=False)
    event.countries_concerned.add(bo, co)
    route = f.TraffickingRouteFactory(first_reported="before 2010", cited=False)
    f.RouteNodeFactory(route=route, country=pe, position=1)
    f.RouteNodeFactory(route=route, country=cl, position=2)
    f.RouteNodeFactory(route=route, country=pe, position=3)  # back through Peru: one country, two stops
    f.AssessmentFactory(subject_country=bo, as_of="2018", assessed_by_agency=navy, cited=False)
    f.PostFactory(agency=police_pe, official__country=cl, official__cited=False, start="2010", end="", cited=False)
    return {"pacts": pacts, "police_pe": police_pe, "police_cl": police_cl, "navy": navy, "lapaz": lapaz}


def citations() -> list[dict]:
    return [{"source": SOURCE, "quote": "firmaron un convenio"}]


# --- Each kind of write ------------------------------------------------------------------------------------
def test_factories_writes_are_counted(client, monkeypatch, andean):
    assert_kept(client, monkeypatch)
    body = client.get("/countries/PE/").content.decode()
    assert '<h2 id="involved-agreements">Agreements (4)</h2>' in body  # two as a country, two through its police


def test_api_creates_updates_and_deletes_are_counted(client, monkeypatch, editor_client, andean):
    created = editor_client.post(
        "/api/v1/agreements/",
        {
            "title": "Acta de Arica",
            "kind": m.AgreementKind.MOU.value,
            "status": "signed",
            "signed": "early 2016",
            "parties": [{"country": "BO"}, {"agency": andean["police_cl"].pk}],
            "citations": citations(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pact = created.json()["id"]
    assert_kept(client, monkeypatch)
    # The date changes year; then the parties change (Bolivia leaves, Peru's police comes in).
    assert editor_client.patch(f"/api/v1/agreements/{pact}/", {"signed": "2019"}, format="json").status_code == 200
    assert_kept(client, monkeypatch)
    changed = editor_client.patch(
        f"/api/v1/agreements/{pact}/", {"parties": [{"agency": andean["police_pe"].pk}]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert_kept(client, monkeypatch)
    # An agency moves to another country: every record it is a party to moves with it.
    moved = editor_client.patch(
        f"/api/v1/agencies/{andean['navy'].pk}/", {"country": "CO", "citations": citations()}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert_kept(client, monkeypatch)
    assert editor_client.delete(f"/api/v1/agreements/{pact}/").status_code == 204
    assert editor_client.delete(f"/api/v1/agreements/{andean['pacts'][0].pk}/").status_code == 204
    assert_kept(client, monkeypatch)


def test_a_merge_is_counted(client, monkeypatch, editor_client, andean):
    survivor, duplicate = andean["police_pe"], andean["police_cl"]
    merged = editor_client.post(f"/api/v1/agencies/{survivor.pk}/merge/", {"duplicate": duplicate.pk}, format="json")
    assert merged.status_code == 200, merged.content
    assert not m.Agency.objects.filter(pk=duplicate.pk).exists()
    assert_kept(client, monkeypatch)


def test_a_csv_import_is_counted(client, monkeypatch, editor_client, andean):
    rows = [
        {
            "title": f"Convenio {n}",
            "kind": "treaty",
            "status": "signed",
            "signed": when,
            "parties": parties,
            "citations": '[{"source": "' + SOURCE + '", "quote": "firmaron un convenio"}]',
        }
        for n, (when, parties) in enumerate(
            [
                ("c. 2012", '[{"country": "PE"}, {"country": "AR"}]'),
                ("early 2016", f'[{{"agency": {andean["navy"].pk}}}, {{"country": "PE"}}]'),
                ("", '[{"country": "AR"}]'),
            ]
        )
    ]
    response = editor_client.generic("POST", "/api/v1/agreements/import/", to_csv(rows), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    assert_kept(client, monkeypatch)


def test_queryset_updates_and_raw_changes_are_counted(client, monkeypatch, andean):
    pe, cl, co, ar = (country(code) for code in ("PE", "CL", "CO", "AR"))
    # A party's country changes, in bulk; a place's country; a record moves to another place; a date's years.
    m.AgreementParty.objects.filter(country=pe).update(country=ar)
    assert_kept(client, monkeypatch)
    m.Place.objects.filter(pk=andean["lapaz"].pk).update(country=co)
    m.Agreement.objects.filter(place=None).update(place=andean["lapaz"])
    assert_kept(client, monkeypatch)
    m.Agreement.objects.filter(signed_earliest__year=2012).update(
        signed_earliest="2009-01-01", signed_latest="2010-12-31"
    )
    m.Agency.objects.filter(country=cl).update(country=None)
    assert_kept(client, monkeypatch)
    event = m.Event.objects.get()
    event.countries_concerned.remove(co)
    event.countries_concerned.add(cl)
    m.RouteNode.objects.filter(country=pe).delete()
    m.Official.objects.update(country=pe)
    assert_kept(client, monkeypatch)
    m.Agreement.objects.all().delete()
    assert_kept(client, monkeypatch)


def test_the_rebuild_command_makes_the_counts_again(andean):
    RC = counts.RC
    from django.db import connection

    with connection.cursor() as cursor:  # counts set aside, as a restore without them would leave them
        cursor.execute(f"DELETE FROM {RC} WHERE kind = 'agreements'")
    assert counts.kept() != counts.expected()
    with pytest.raises(Exception, match="differ"):
        call_command("rebuild_dossier_counts", "--check", stdout=None, stderr=None)
    call_command("rebuild_dossier_counts", verbosity=0)
    assert counts.kept() == counts.expected()
    call_command("rebuild_dossier_counts", "--check")


def test_a_dossier_costs_the_same_whatever_its_counts(client, andean):
    """A country with no record and one with many: the same queries (the counts are read, not counted)."""
    assert queries_of(client, "/countries/NZ/") == queries_of(client, "/countries/PE/")
    for _ in range(5):
        pact = f.AgreementFactory(signed="late 2020", cited=False)
        f.AgreementPartyFactory(agreement=pact, country=None, agency=andean["navy"])
        f.AgreementPartyFactory(agreement=pact, country=country("PE"))
    assert queries_of(client, "/countries/NZ/") == queries_of(client, "/countries/PE/")
