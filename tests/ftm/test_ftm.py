"""FollowTheMoney entities: every one valid for the ``followthemoney`` package's own model, every reference
resolving inside the export, read by the ``ftm`` CLI, chosen with the API's filters, streamed with a fixed number
of queries, and no more than the reader may view."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from followthemoney import model
from followthemoney.types import registry
from rest_framework.test import APIClient

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db
FTM = Path(sys.executable).parent / "ftm"


def fetch(client=None, **params) -> list[dict]:
    response = (client or APIClient()).get("/api/v1/ftm/", params)
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response["Content-Type"] == "application/x-ndjson"
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def problems(entities: list[dict]) -> list[str]:
    """What the FtM model finds wrong: an unknown or abstract schema, an unknown property, a value its type does
    not accept, a required property missing, a reference to an entity not in the export or of a schema out of the
    property's range, an id given twice."""
    found = []
    schemata = {data["id"]: data["schema"] for data in entities}
    if len(schemata) != len(entities):
        found.append("an id is given twice")
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)  # raises on an unknown schema or property
        schema = proxy.schema
        if schema.abstract:
            found.append(f"{data['id']}: abstract schema {schema.name}")
        for name in schema.required:
            if not proxy.get(name):
                found.append(f"{data['id']}: {schema.name} lacks {name}")
        for name, values in data["properties"].items():
            prop = schema.get(name)
            for value in values:
                if not prop.type.validate(value):
                    found.append(f"{data['id']}: {name}={value!r} is no {prop.type.name}")
                if prop.type == registry.entity:
                    target = schemata.get(value)
                    if target is None:
                        found.append(f"{data['id']}: {name} names {value}, not in the export")
                    elif not model.get(target).is_a(prop.range):
                        found.append(f"{data['id']}: {name} names a {target}, not a {prop.range.name}")
    return found


def by_id(entities) -> dict[str, dict]:
    return {data["id"]: data for data in entities}


def of(entities, schema: str) -> list[dict]:
    return [data for data in entities if data["schema"] == schema]


def props(data: dict, name: str) -> list[str]:
    return data["properties"].get(name, [])


@pytest.mark.usefixtures("seed")
def test_every_entity_of_the_seed_is_valid_and_says_what_the_seed_answers():
    entities = fetch()
    assert problems(entities) == []
    found = by_id(entities)
    # Who directs Russia's Federal Narcotics Service, since when unknown.
    (ivanov,) = (p for p in of(entities, "Person") if props(p, "name") == ["Viktor Ivanov"])
    (occupancy,) = (o for o in of(entities, "Occupancy") if props(o, "holder") == [ivanov["id"]])
    position = found[props(occupancy, "post")[0]]
    assert props(position, "name") == ["Director, Federal Narcotics Service"]
    service = found[props(position, "organization")[0]]
    assert service["schema"] == "PublicBody" and props(service, "jurisdiction") == ["ru"]
    assert "startDate" not in occupancy["properties"]
    # What Russia plans with several Latin American countries: parties as links, a region as a territory.
    plans = next(c for c in of(entities, "Contract") if "Latin America" in props(c, "title")[0])
    parties = {
        (found[props(link, "subject")[0]]["schema"], props(found[props(link, "subject")[0]], "name")[0])
        for link in of(entities, "UnknownLink")
        if props(link, "object") == [plans["id"]] and props(link, "role") != ["Announced"]
    }
    assert ("PublicBody", "Russian Federation") in parties
    assert ("Territory", "Latin America and the Caribbean") in parties
    # Every statement has its source: the seed article, as proof and as the documentation of each citation.
    (article,) = of(entities, "Article")
    assert props(article, "sourceUrl") == [
        "https://insightcrime.org/news/brief/russia-influence-latin-america-drug-war/"
    ]
    stated = [e for e in entities if e["schema"] not in ("Article", "Documentation", "Position", "Territory")]
    stated = [e for e in stated if not e["id"].startswith("coop-country-")]
    assert stated and all(props(e, "proof") == [article["id"]] for e in stated), [
        e["id"] for e in stated if not props(e, "proof")
    ]
    documented = of(entities, "Documentation")
    assert len(documented) == m.Citation.objects.count()  # every citation, of every kind of record
    assert all(props(d, "document") == [article["id"]] and props(d, "summary") for d in documented)
    # The cocaine route from Ecuador in plantain shipments, identified by the Moscow police; Europol's assessments.
    (route,) = (n for n in of(entities, "Note") if any("plantain" in note for note in props(n, "notes")))
    assert {"ec", "ru"} <= set(props(route, "country")) and "cocaine" in props(route, "keywords")
    assert props(found[props(route, "entity")[0]], "name") == ["Moscow police"]
    europol = next(e["id"] for e in of(entities, "PublicBody") if props(e, "name") == ["Europol"])
    assert any(props(n, "entity") == [europol] and props(n, "country") == ["ru"] for n in of(entities, "Note"))
    # The tour of October 2012: a date as precise as the source.
    (tour,) = (e for e in of(entities, "Event") if "tour" in props(e, "name")[0])
    assert props(tour, "date") == ["2012-10"]


@pytest.mark.usefixtures("seed")
def test_the_ftm_cli_validates_and_aggregates_the_file_the_command_writes(tmp_path):
    path = tmp_path / "seed.ftm.json"
    call_command("export_ftm", output=str(path), verbosity=0)
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert written == fetch()
    cleaned = tmp_path / "cleaned.ftm.json"
    subprocess.run([FTM, "validate", "-i", path, "-o", cleaned], check=True, timeout=120)
    validated = by_id(json.loads(line) for line in cleaned.read_text().splitlines())
    # Re-parsed and cleaned by the library, nothing is dropped or changed.
    assert set(validated) == {data["id"] for data in written}
    for data in written:
        assert {k: sorted(v) for k, v in validated[data["id"]]["properties"].items()} == {
            k: sorted(v) for k, v in data["properties"].items()
        }, data["id"]
    aggregated = subprocess.run(
        [FTM, "aggregate", "-i", path], check=True, capture_output=True, text=True, timeout=120
    ).stdout.splitlines()
    assert len(aggregated) == len(written)
    stdout = io.StringIO()
    call_command("export_ftm", stdout=stdout)
    assert [json.loads(line) for line in stdout.getvalue().splitlines()] == written


@pytest.fixture
def peru():
    """Records unlike the seed's: an agency as a party, two agencies of one name, vague dates, participants that
    are agencies, countries and regions."""
    pe, co, ru = (m.Country.objects.get(iso2=code) for code in ("PE", "CO", "RU"))
    devida = f.AgencyFactory(name="Comisión Nacional", country=pe, acronym="CN", kind=m.AgencyKind.DRUG_CONTROL)
    namesake = f.AgencyFactory(name="Comisión Nacional", country=co, kind=m.AgencyKind.NGO)
    by_agency = f.AgreementFactory(title="Acuerdo de cooperación", signed="circa 2014")
    f.AgreementPartyFactory(agreement=by_agency, agency=devida, country=None)
    f.AgreementPartyFactory(agreement=by_agency, country=ru)
    by_country = f.AgreementFactory(title="Acuerdo de cooperación", signed="2015")
    f.AgreementPartyFactory(agreement=by_country, country=pe)
    elsewhere = f.AgreementFactory(title="Acuerdo de cooperación", signed="2016")
    f.AgreementPartyFactory(agreement=elsewhere, agency=namesake, country=None)
    course = f.TrainingCourseFactory(title="Curso", start="2013?", end="")
    f.CourseParticipantFactory(course=course, country=None, agency=devida, role=m.ParticipantRole.INSTRUCTOR)
    grouping = f.RegionFactory(name="Andean countries")
    f.CourseParticipantFactory(course=course, country=None, region=grouping, trainees=30)
    return {
        "chosen": {by_agency.pk, by_country.pk},
        "by_agency": by_agency,
        "devida": devida,
        "namesake": namesake,
        "course": course,
    }


def test_data_unlike_the_seed_maps_as_expected(peru):
    entities = fetch()
    assert problems(entities) == []
    found = by_id(entities)
    devida, namesake = found[f"coop-agency-{peru['devida'].pk}"], found[f"coop-agency-{peru['namesake'].pk}"]
    assert (devida["schema"], props(devida, "jurisdiction"), props(devida, "abbreviation")) == (
        "PublicBody",
        ["pe"],
        ["CN"],
    )
    assert (namesake["schema"], props(namesake, "jurisdiction")) == ("Organization", ["co"])
    # An agency as a party: the link's subject is the agency itself, and the agreement is in its country.
    contract = found[f"coop-agreement-{peru['by_agency'].pk}"]
    subjects = {
        props(link, "subject")[0] for link in of(entities, "UnknownLink") if props(link, "object") == [contract["id"]]
    }
    assert subjects == {devida["id"], "coop-country-ru"}
    assert set(props(contract, "country")) == {"pe", "ru"}
    # "circa 2014" is no FtM date; the notes say it as written. "2015" is one.
    assert "contractDate" not in contract["properties"]
    assert any("circa 2014" in note for note in props(contract, "notes"))
    assert {props(c, "contractDate")[0] for c in of(entities, "Contract") if props(c, "contractDate")} >= {"2015"}
    # A course: a project; an agency takes part as a project participant, a region through a link.
    project = found[f"coop-training-course-{peru['course'].pk}"]
    assert project["schema"] == "Project" and "startDate" not in project["properties"]
    assert any("2013?" in note for note in props(project, "notes"))
    roles = {
        (props(p, "participant")[0], props(p, "role")[0])
        for p in of(entities, "ProjectParticipant")
        if props(p, "project") == [project["id"]]
    }
    assert (devida["id"], "Instructor or trainer") in roles
    (region_link,) = (u for u in of(entities, "UnknownLink") if props(u, "object") == [project["id"]])
    territory = found[props(region_link, "subject")[0]]
    assert (territory["schema"], props(territory, "name")) == ("Territory", ["Andean countries"])
    assert props(region_link, "description") == ["Trainees: 30"]


def test_a_country_filter_chooses_the_records_and_what_they_refer_to(peru):
    entities = fetch(resource="agreements", country="PE")
    assert problems(entities) == []
    assert {int(c["id"].rsplit("-", 1)[1]) for c in of(entities, "Contract")} == peru["chosen"]
    agencies = {e["id"] for e in entities if e["id"].startswith("coop-agency-")}
    assert agencies == {f"coop-agency-{peru['devida'].pk}"}  # not its namesake of Colombia
    assert of(entities, "Project") == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"resource": "agreements", "cuntry": "PE"}, "cuntry"),
        ({"resource": "agreements", "status": "sealed"}, "status"),
        ({"resource": "treaties"}, "resource"),
        ({"country": "PE"}, "country"),
    ],
)
def test_an_unknown_or_invalid_filter_is_a_400_naming_it(params, named):
    response = APIClient().get("/api/v1/ftm/", params)
    assert response.status_code == 400
    assert named in response.json()


def measure(count: int) -> int:
    pe = m.Country.objects.get(iso2="PE")
    for _ in range(count):
        agreement = f.AgreementFactory(place=f.PlaceFactory(country=pe))
        f.AgreementPartyFactory(agreement=agreement, agency=f.AgencyFactory(country=pe), country=None)
        f.PostFactory(agency=agreement.parties.get().agency)
        course = f.TrainingCourseFactory()
        f.CourseParticipantFactory(course=course, country=pe)
        f.OperationParticipantFactory(operation=f.OperationFactory(legal_basis=agreement), country=pe)
        f.EventFactory(country=pe)
        f.RouteNodeFactory(country=pe, position=1)
        f.AssessmentFactory(subject_country=pe)
    with CaptureQueriesContext(connection) as queries:
        entities = fetch()
    assert len(of(entities, "Contract")) >= count
    return len(queries)


def test_the_query_count_does_not_grow_with_the_records():
    assert measure(2) == measure(5)


def test_a_reader_gets_only_what_it_may_view(settings, peru):
    settings.API_READ_REQUIRES_LOGIN = True
    assert APIClient().get("/api/v1/ftm/").status_code in (401, 403)
    user = get_user_model().objects.create_user("reader", password="not-used")
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_agreement", "view_country"]))
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    assert client.get("/api/v1/ftm/", {"resource": "agencies"}).status_code == 403
    entities = fetch(client, resource="agreements", country="PE")
    assert problems(entities) == []
    assert {e["schema"] for e in entities} == {"Contract", "UnknownLink", "PublicBody"}
    # No agency, no citation: the party given as an agency alone is left out, the countries stay.
    assert {e["id"] for e in of(entities, "PublicBody")} == {"coop-country-pe", "coop-country-ru"}
    assert all("proof" not in e["properties"] for e in entities)
    nobody = APIClient()
    nobody.force_authenticate(get_user_model().objects.create_user("nobody", password="not-used"))
    assert nobody.get("/api/v1/ftm/").status_code == 403


def test_the_readme_example_runs(tmp_path, peru):
    """The ``ftm`` CLI example of the README's "FollowTheMoney", with the test client answering its ``curl``."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## FollowTheMoney") :]
    fetch_line, rest = re.search(r"```sh\n(.*?)```", section, re.S).group(1).split("\n", 1)
    url, output = re.fullmatch(r'curl -s "http://127\.0\.0\.1:8000([^"]+)" > (\S+)', fetch_line).groups()
    response = APIClient().get(url)
    (tmp_path / output).write_bytes(b"".join(response.streaming_content))
    path = f"{FTM.parent}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(["bash", "-euo", "pipefail", "-c", rest], cwd=tmp_path, env={**os.environ, "PATH": path}, check=True)
    valid = [json.loads(line) for line in next(tmp_path.glob("*.valid.ftm.json")).read_text().splitlines()]
    assert {int(c["id"].rsplit("-", 1)[1]) for c in of(valid, "Contract")} == peru["chosen"]
    assert next(tmp_path.glob("*.xlsx")).stat().st_size > 0


def test_a_link_has_the_sources_of_the_citations_that_support_its_part(peru):
    agreement = peru["by_agency"]
    about_the_date = f.CitationFactory(record=agreement, supports="signed", source=f.SourceFactory(title="Gaceta"))
    about_the_parties = f.CitationFactory(record=agreement, supports="title parties", source=f.SourceFactory())
    found = by_id(fetch(resource="agreements", id=agreement.pk))
    contract = found[f"coop-agreement-{agreement.pk}"]
    party = found[f"coop-agreement-party-{agreement.parties.get(agency=peru['devida']).pk}"]
    whole = agreement.citations.get(supports="").source  # the factory's citation supports the whole record
    assert set(props(contract, "sourceUrl")) == {whole.url, about_the_date.source.url, about_the_parties.source.url}
    assert set(props(party, "sourceUrl")) == {whole.url, about_the_parties.source.url}
    assert set(props(party, "proof")) == {f"coop-source-{whole.pk}", f"coop-source-{about_the_parties.source_id}"}
    documentation = found[f"coop-citation-{about_the_date.pk}"]
    assert (props(documentation, "entity"), props(documentation, "summary")) == (
        [contract["id"]],
        [about_the_date.quote],
    )
    assert found[f"coop-source-{about_the_date.source_id}"]["schema"] == "Article"


def test_the_export_of_synthetic_data_is_valid():
    call_command("generate_data", scale=30, verbosity=0, stdout=io.StringIO())
    entities = fetch()
    assert problems(entities) == []
    assert len(of(entities, "Contract")) == m.Agreement.objects.count()
    assert len(of(entities, "Project")) == m.TrainingCourse.objects.count() + m.Operation.objects.count()
