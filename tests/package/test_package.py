"""The data package: tidy tables that pandas joins back into what the API answers, valid as a Frictionless Data
Package, chosen with the API's filters, closed under its foreign keys, streamed with a fixed number of queries."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from frictionless import validate
from rest_framework.test import APIClient

from cooperation import models as m
from tests import factories as f
from tests.package.helpers import descriptor, tables, unpacked, unresolved_keys

pytestmark = pytest.mark.django_db


def fetch(client, directory, **params):
    return unpacked(client.get("/api/v1/package/", params), directory)


def named(value) -> str:
    return value["name"] if isinstance(value, dict) else ""


def api_parties(client, **params) -> dict[int, list]:
    """Each agreement's parties as the API lists them: country, region and agency by name, role, note."""
    response = client.get("/api/v1/agreements/", {"limit": 1000, **params})
    assert response.status_code == 200
    return {
        row["id"]: sorted(
            (named(p["country"]), named(p["region"]), named(p["agency"]), p["role"], p["note"]) for p in row["parties"]
        )
        for row in response.json()["results"]
    }


def joined_parties(found) -> dict[int, list]:
    """Each agreement's parties, joined back from the tidy tables as pandas users would."""
    parties = found["agreement_parties"]
    for table, key in (("countries", "country_id"), ("regions", "region_id"), ("agencies", "agency_id")):
        names = found[table][["id", "name"]].rename(columns={"id": key, "name": table})
        parties = parties.merge(names, on=key, how="left")
    parties = parties.fillna({"countries": "", "regions": "", "agencies": "", "note": ""})
    joined = {int(i): [] for i in found["agreements"]["id"]}
    for row in parties.itertuples():
        joined[int(row.agreement_id)].append((row.countries, row.regions, row.agencies, row.role, row.note))
    return {agreement: sorted(rows) for agreement, rows in joined.items()}


@pytest.fixture
def peru():
    """Agreements of Peru unlike the seed's: an agency as the party, two agencies of one name, vague dates."""
    pe, co, ru = (m.Country.objects.get(iso2=code) for code in ("PE", "CO", "RU"))
    devida = f.AgencyFactory(name="Comisión Nacional", country=pe)
    namesake = f.AgencyFactory(name="Comisión Nacional", country=co)
    by_agency = f.AgreementFactory(title="Acuerdo de cooperación", signed="circa 2014")
    f.AgreementPartyFactory(agreement=by_agency, agency=devida, country=None)
    f.AgreementPartyFactory(agreement=by_agency, country=ru)
    by_country = f.AgreementFactory(title="Acuerdo de cooperación", signed="2015")
    f.AgreementPartyFactory(agreement=by_country, country=pe)
    elsewhere = f.AgreementFactory(title="Acuerdo de cooperación", signed="2016")
    f.AgreementPartyFactory(agreement=elsewhere, agency=namesake, country=None)
    f.AgreementLinkFactory(agreement=elsewhere, target=f.AgreementFactory(title="Acuerdo marco"))
    return {"chosen": {by_agency.pk, by_country.pk}, "devida": devida, "namesake": namesake, "elsewhere": elsewhere}


@pytest.mark.usefixtures("seed")
def test_the_seed_package_is_valid_and_pandas_joins_give_back_the_parties_the_api_lists(tmp_path):
    client = APIClient()
    directory = fetch(client, tmp_path, resource="agreements")
    report = validate(directory / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    found = tables(directory)
    assert joined_parties(found) == api_parties(client)
    assert set(found["agreements"]["status_label"]) <= {str(label) for label in m.AgreementStatus.labels}
    assert list(found["agreement_areas"].columns) == ["agreement_id", "cooperationarea_id"]


@pytest.mark.usefixtures("seed")
def test_everything_goes_in_without_a_selection(tmp_path):
    directory = fetch(APIClient(), tmp_path)
    found = tables(directory)
    assert len(found["agreements"]) == m.Agreement.objects.count()
    assert len(found["citations"]) == m.Citation.objects.count()
    assert len(found["places"]) == m.Place.objects.count()
    assert {"agreement_parties", "traffickingroute_nodes", "trainingcourse_participants", "country_regions"} <= set(
        found
    )
    resource = next(r for r in descriptor(directory)["resources"] if r["name"] == "agreement_parties")
    assert {"fields": "agreement_id", "reference": {"resource": "agreements", "fields": "id"}} in resource["schema"][
        "foreignKeys"
    ]
    assert descriptor(directory)["licenses"][0]["name"] == "CC-BY-4.0"


def test_a_selection_holds_the_chosen_records_and_only_what_they_refer_to(tmp_path, peru):
    client = APIClient()
    directory = fetch(client, tmp_path, resource="agreements", country="PE")
    found = tables(directory)
    assert set(found["agreements"]["id"]) == peru["chosen"] == set(api_parties(client, country="PE"))
    assert set(found["agreement_parties"]["agreement_id"]) == peru["chosen"]
    assert joined_parties(found) == api_parties(client, country="PE")
    assert set(found["agencies"]["id"]) == {peru["devida"].pk}  # not its namesake of Colombia
    assert set(found["countries"]["iso2"]) == {"PE", "RU"}
    cited = found["citations"]
    assert set(zip(cited["record_type"], cited["record_id"], strict=True)) == {
        *(("agreement", pk) for pk in peru["chosen"]),
        ("agency", peru["devida"].pk),
    }
    assert set(found["sources"]["id"]) == set(cited["source_id"])
    assert len(found["places"]) == 0
    assert unresolved_keys(directory) == []
    report = validate(directory / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    # The validation checks the foreign keys: an agency left out would be found.
    (directory / "agencies.csv").write_text((directory / "agencies.csv").read_text().splitlines()[0] + "\r\n")
    assert "foreign-key" in {row[0] for row in validate(directory / "datapackage.json").flatten(["type"])}


def test_what_the_chosen_records_refer_to_comes_along_and_every_key_resolves(tmp_path, peru):
    directory = fetch(APIClient(), tmp_path, resource="agreements", title="Acuerdo de cooperación", country="CO")
    found = tables(directory)
    target = m.AgreementLink.objects.get(agreement=peru["elsewhere"]).target_id
    assert set(found["agreements"]["id"]) == {peru["elsewhere"].pk, target}  # the agreement it amends, too
    assert set(found["agencies"]["id"]) == {peru["namesake"].pk}
    assert unresolved_keys(directory) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"resource": "agreements", "cuntry": "PE"}, "cuntry"),
        ({"resource": "agreements", "status": "sealed"}, "status"),
        ({"resource": "treaties"}, "resource"),
        ({"country": "PE"}, "country"),
        ({"resource": "agreements", "escape_formulas": "maybe"}, "escape_formulas"),
    ],
)
def test_an_unknown_or_invalid_filter_is_a_400_naming_it(params, named):
    response = APIClient().get("/api/v1/package/", params)
    assert response.status_code == 400
    assert named in response.json()


def test_with_login_required_an_anonymous_client_gets_no_package_and_a_viewer_only_what_it_may_view(
    settings, tmp_path, peru
):
    settings.API_READ_REQUIRES_LOGIN = True
    assert APIClient().get("/api/v1/package/").status_code in (401, 403)
    assert APIClient().get("/api/v1/package/", {"resource": "agreements"}).status_code in (401, 403)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("reader", password="not-used")
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_agreement", "view_country"]))
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    assert client.get("/api/v1/package/", {"resource": "agencies"}).status_code == 403
    nobody = get_user_model().objects.create_user("nobody", password="not-used")
    assert APIClient().get("/api/v1/package/").status_code in (401, 403)
    viewless = APIClient()
    viewless.force_authenticate(nobody)
    assert viewless.get("/api/v1/package/").status_code == 403
    found = tables(fetch(client, tmp_path, resource="agreements", country="PE"))
    assert set(found) == {"agreements", "agreement_areas", "agreement_drugs", "agreement_parties"} | {
        "agreement_signatories",
        "agreement_links",
        "countries",
        "country_regions",
    }
    assert set(found["agreements"]["id"]) == peru["chosen"]


def measure(count: int) -> int:
    pe = m.Country.objects.get(iso2="PE")
    for _ in range(count):
        agreement = f.AgreementFactory(place=f.PlaceFactory(country=pe))
        f.AgreementPartyFactory(agreement=agreement, agency=f.AgencyFactory(country=pe), country=None)
    client = APIClient()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/package/", {"resource": "agreements", "country": "PE"})
        data = b"".join(response.streaming_content)
    assert len(zipfile.ZipFile(io.BytesIO(data)).read("agreements.csv").splitlines()) > count
    return len(queries)


def test_the_query_count_does_not_grow_with_the_records():
    assert measure(2) == measure(6)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_formula_cells_are_escaped_unless_turned_off(tmp_path, start):
    agency = f.AgencyFactory(name=f"{start}HYPERLINK(evil)")
    party = f.AgreementPartyFactory(agency=agency, country=None, note=f"{start}1+1")
    client = APIClient()
    found = tables(fetch(client, tmp_path / "escaped", resource="agreements", id=party.agreement_id))
    assert list(found["agencies"]["name"]) == [f"'{start}HYPERLINK(evil)"]
    assert list(found["agreement_parties"]["note"]) == [f"'{start}1+1"]
    raw = tables(fetch(client, tmp_path / "raw", resource="agreements", id=party.agreement_id, escape_formulas="false"))
    assert list(raw["agencies"]["name"]) == [f"{start}HYPERLINK(evil)"]


def test_the_command_writes_the_package_the_api_streams(tmp_path, peru):
    output = tmp_path / "peru.zip"
    call_command("export_package", output=str(output), resource="agreements", filters=["country=PE"], verbosity=0)
    found = tables(unpacked(output.read_bytes(), tmp_path / "command"))
    assert set(found["agreements"]["id"]) == peru["chosen"]


def test_the_package_of_synthetic_agreements_is_valid(tmp_path):
    call_command("generate_data", scale=30, verbosity=0, stdout=io.StringIO())
    directory = fetch(APIClient(), tmp_path, resource="agreements")
    report = validate(directory / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    assert len(tables(directory)["agreements"]) == m.Agreement.objects.count()


def test_the_readme_example_runs_on_the_package(peru, monkeypatch, capsys):
    """The pandas example of the README's "Data package", with the API answering through the test client."""
    import re
    from pathlib import Path
    from types import SimpleNamespace

    import requests

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Data package") :]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    client = APIClient()

    def get(url, params):
        response = client.get(url.removeprefix("http://127.0.0.1:8000"), params)
        return SimpleNamespace(content=b"".join(response.streaming_content))

    monkeypatch.setattr(requests, "get", get)
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Acuerdo de cooperación" in printed and "RU" in printed


def package_peak_memory(agreements: int) -> int:
    """The peak of Python's allocations while a client reads the whole package, with ``agreements`` agreements
    (each with two parties, one an agency), the blocks counted and dropped as a streaming client does."""
    ru = m.Country.objects.get(iso2="RU")
    agency = m.Agency.objects.get(name="Policía Nacional")
    have = m.Agreement.objects.count()
    made = m.Agreement.objects.bulk_create(
        m.Agreement(title=f"Convenio {i} sobre intercambio de información", kind="treaty", signed="circa 2014")
        for i in range(have, agreements)
    )
    m.AgreementParty.objects.bulk_create(
        party
        for agreement in made
        for party in (
            m.AgreementParty(agreement=agreement, agency=agency),
            m.AgreementParty(agreement=agreement, country=ru),
        )
    )
    response = APIClient().get("/api/v1/package/")
    tracemalloc.start()
    try:
        size = sum(len(block) for block in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > agreements * 20, "the package holds the agreements"
    return peak


def test_memory_stays_flat_as_the_agreements_grow_tenfold():
    f.AgencyFactory(name="Policía Nacional", country=m.Country.objects.get(iso2="PE"), cited=False)
    small = package_peak_memory(400)
    large = package_peak_memory(4000)
    assert large < small * 1.5 + 2**20, (small, large)  # blocks of 256 KiB; no list of rows, no whole file
