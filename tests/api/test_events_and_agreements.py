"""Issue 14, patterns 5 and 6: events tied to what they concern, and what an agreement covers.

"The Ministry of Security of Costa Rica and Spain's Guardia Civil signed a memorandum against organised crime,
money laundering and arms trafficking in early 2016; it implements the framework treaty of 2010. Deputy
Minister Ana Torres signed for Costa Rica. Peru's Ana Torres, a prosecutor, welcomed it, and criticised
Operation Caribe." Entered through the API as a user would: agencies as signatories, two officials with one name,
vague dates; found by the filters a user would try; refused with a 400 naming the field where it cannot be; and
exported, emptied out and imported back into a database that has none of it.
"""

from __future__ import annotations

import io
import json

import pytest

from cooperation import models as m
from cooperation.tabular.imports import import_bundle
from tests import factories as f
from tests.csv.helpers import export, rows, to_csv

pytestmark = pytest.mark.django_db

SOURCE = "https://noticias.example.cr/2016/02/memorando-crimen-organizado"
TEXT = (
    "The Ministry of Security and the Guardia Civil signed a memorandum against organised crime, money laundering "
    "and arms trafficking in early 2016. It implements the framework treaty of 2010. Deputy Minister Ana Torres "
    "signed for Costa Rica. In Lima, prosecutor Ana Torres welcomed the memorandum and criticised Operation Caribe."
)
QUOTE = "Deputy Minister Ana Torres signed for Costa Rica."
CITED = [{"source": SOURCE, "quote": QUOTE}]
POST_CR = "Ana Torres [CR]: Deputy Minister at Ministry of Security [CR]"
POST_PE = "Ana Torres [PE]: Prosecutor at Public Ministry [PE]"


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


@pytest.fixture
def reported(editor_client):
    """The memorandum, the treaty it implements and an operation, as the API takes them."""
    f.SourceFactory(url=SOURCE, text=TEXT)
    ministry = f.AgencyFactory(name="Ministry of Security", kind="ministry", country=country("CR"))
    public_ministry = f.AgencyFactory(name="Public Ministry", kind="judiciary", country=country("PE"))
    f.AgencyFactory(name="Guardia Civil", acronym="GC", kind="police", country=country("ES"))
    torres_cr = f.OfficialFactory(name="Ana Torres", country=country("CR"))
    torres_pe = f.OfficialFactory(name="Ana Torres", country=country("PE"))  # one name, two people
    f.PostFactory(official=torres_cr, agency=ministry, title="Deputy Minister", start="2014")
    f.PostFactory(official=torres_pe, agency=public_ministry, title="Prosecutor", start="")
    treaty = f.AgreementFactory(title="Framework treaty on security cooperation", kind="treaty", signed="2010")
    operation = f.OperationFactory(name="Operation Caribe", start="late 2015")

    payload = {
        "title": "Memorandum against organised crime",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "signed": "early 2016",
        "areas": ["organised_crime", "money_laundering", "arms_trafficking"],
        "drugs": ["cocaine"],
        "parties": [{"agency": "Ministry of Security [CR]"}, {"agency": "Guardia Civil [ES]"}],
        "signatories": [
            {"official": "Ana Torres [CR]", "post": POST_CR, "agency": "Ministry of Security [CR]"},
            {"agency": "GC"},  # the Guardia Civil signed: the source names nobody
        ],
        "links": [{"kind": "implements", "target": treaty.title}],
        "citations": CITED,
    }
    response = editor_client.post("/api/v1/agreements/", payload, format="json")
    assert response.status_code == 201, response.content
    memorandum = response.json()

    welcome = {
        "title": "Prosecutor welcomes the memorandum",
        "kind": "statement",
        "stance": "welcomed",
        "place": "Lima [PE]",
        "speaker_post": POST_PE,
        "officials": [torres_pe.pk],
        "concerns": [{"agreement": memorandum["id"]}, {"operation": "Operation Caribe", "note": "in passing"}],
        "citations": CITED,
    }
    response = editor_client.post("/api/v1/events/", welcome, format="json")
    assert response.status_code == 201, response.content
    return {
        "memorandum": memorandum,
        "event": response.json(),
        "treaty": treaty,
        "operation": operation,
        "torres": (torres_cr, torres_pe),
    }


def test_an_agreement_holds_its_areas_drugs_signatories_and_links(client, reported):
    shown = client.get(reported["memorandum"]["api_url"]).json()
    assert sorted(area["code"] for area in shown["areas"]) == [
        "arms_trafficking",
        "money_laundering",
        "organised_crime",
    ]
    assert [drug["name"] for drug in shown["drugs"]] == ["cocaine"]
    assert shown["signed"] == "early 2016" and shown["signed_edtf"] != "2016"  # as vague as the source
    first, second = shown["signatories"]
    torres_cr = reported["torres"][0]
    assert first["official"] == {"id": torres_cr.pk, "name": "Ana Torres", "country": "CR"}
    assert {k: first["post"][k] for k in ("title", "official", "agency")} == {
        "title": "Deputy Minister",
        "official": "Ana Torres",
        "agency": "Ministry of Security",
    }
    assert first["agency"]["name"] == "Ministry of Security"
    assert (second["official"], second["post"], second["agency"]["name"]) == (None, None, "Guardia Civil")
    [link] = shown["links"]
    assert (link["kind"], link["target"]["id"]) == ("implements", reported["treaty"].pk)


def test_an_event_holds_what_it_concerns_its_speaker_s_post_and_stance(client, reported):
    shown = client.get(reported["event"]["api_url"]).json()
    assert (shown["kind"], shown["stance"]) == ("statement", "welcomed")
    assert shown["speaker_post"]["official"] == "Ana Torres" and shown["speaker_post"]["title"] == "Prosecutor"
    assert shown["country"]["iso2"] == "PE"  # from its place
    agreement, operation = shown["concerns"]
    assert agreement["agreement"]["id"] == reported["memorandum"]["id"]
    assert [k for k, v in agreement.items() if v and k != "id"] == ["agreement"]  # one record each
    assert (operation["operation"]["name"], operation["note"]) == ("Operation Caribe", "in passing")


@pytest.mark.parametrize(
    ("resource", "params", "expected"),
    [
        ("agreements", {"drug": "cocaine"}, ["memorandum"]),
        ("agreements", {"drug": "heroin"}, []),
        ("agreements", {"area": "organised_crime"}, ["memorandum"]),
        ("agreements", {"area__all": "organised_crime,training"}, []),
        ("agreements", {"implements": "Framework treaty on security cooperation"}, ["memorandum"]),
        ("agreements", {"amends": "Framework treaty on security cooperation"}, []),
        ("agreements", {"link_kind": "implements"}, ["memorandum"]),
        ("agreements", {"link_kind": "supersedes,renews"}, []),
        ("agreements", {"official": "Ana Torres [CR]"}, ["memorandum"]),
        ("agreements", {"official": "Ana Torres [PE]"}, []),
        ("agreements", {"agency": "Guardia Civil [ES]"}, ["memorandum"]),  # a party and a signatory: once
        ("agreements", {"agency": "Ministry of Security [CR]"}, ["memorandum"]),
        ("events", {"agreement": "Memorandum against organised crime"}, ["event"]),
        ("events", {"agreement": "Framework treaty on security cooperation"}, []),
        ("events", {"operation": "Operation Caribe"}, ["event"]),
        ("events", {"stance": "welcomed"}, ["event"]),
        ("events", {"stance": "criticised"}, []),
        ("events", {"kind": "statement"}, ["event"]),
        ("events", {"official": "Ana Torres [PE]"}, ["event"]),
        ("events", {"agency": "Public Ministry [PE]"}, ["event"]),  # the speaker's post's agency
        ("events", {"speaker_post": POST_PE}, ["event"]),
        ("events", {"country": "PE"}, ["event"]),
    ],
)
def test_the_filters_a_user_would_try(client, reported, resource, params, expected):
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 200, response.content
    names = {reported["memorandum"]["id"]: "memorandum", reported["event"]["id"]: "event"}
    ids = [row["id"] for row in response.json()["results"]]
    if resource == "agreements":
        ids = [pk for pk in ids if pk != reported["treaty"].pk]
    assert [names.get(pk, pk) for pk in ids] == expected


@pytest.mark.parametrize("params", [{"stance": "cheered"}, {"link_kind": "copies"}, {"implements": "No such pact"}])
def test_a_bad_filter_value_is_a_400_naming_it(client, reported, params):
    resource = "events" if "stance" in params else "agreements"
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 400 and list(response.json()) == list(params), response.content


def put(client, record: dict, **changes):
    current = client.get(record["api_url"]).json()
    return client.put(record["api_url"], {**current, **changes}, format="json")


def test_what_cannot_be_is_a_400_naming_the_field(editor_client, reported):
    memorandum, event = reported["memorandum"], reported["event"]
    wrong_post = put(editor_client, memorandum, signatories=[{"official": "Ana Torres [CR]", "post": POST_PE}])
    assert wrong_post.status_code == 400
    assert wrong_post.json() == {
        "signatories[0].post": [
            "Ana Torres [PE] holds this post, not Ana Torres [CR]: give one of Ana Torres [CR]'s posts, or none."
        ]
    }
    nobody = put(editor_client, memorandum, signatories=[{"note": "someone"}])
    assert nobody.status_code == 400 and list(nobody.json()) == ["signatories[0].official"]
    twice = put(editor_client, memorandum, signatories=[{"agency": "GC"}, {"agency": "Guardia Civil [ES]"}])
    assert twice.status_code == 400 and list(twice.json()) == ["signatories[1]"]
    itself = put(editor_client, memorandum, links=[{"kind": "amends", "target": memorandum["id"]}])
    assert itself.status_code == 400 and list(itself.json()) == ["links[0].target"]
    unknown_kind = put(editor_client, memorandum, links=[{"kind": "copies", "target": reported["treaty"].pk}])
    assert unknown_kind.status_code == 400 and list(unknown_kind.json()) == ["links[0].kind"]
    no_such = put(editor_client, memorandum, links=[{"kind": "amends", "target": "Treaty of Nowhere"}])
    assert no_such.status_code == 400 and list(no_such.json()) == ["links[0].target"]

    stance_of_a_visit = put(editor_client, event, kind="visit")
    assert stance_of_a_visit.status_code == 400
    assert stance_of_a_visit.json() == {"stance": ["A stance is what a statement says: give it for statements only."]}
    two_at_once = put(editor_client, event, concerns=[{"agreement": memorandum["id"], "operation": "Operation Caribe"}])
    assert two_at_once.status_code == 400 and list(two_at_once.json()) == ["concerns[0]"]
    none = put(editor_client, event, concerns=[{"note": "the memorandum"}])
    assert none.status_code == 400 and list(none.json()) == ["concerns[0]"]
    itself = put(editor_client, event, concerns=[{"other_event": event["id"]}])
    assert itself.status_code == 400 and list(itself.json()) == ["concerns[0].other_event"]
    twice = put(editor_client, event, concerns=[{"operation": "Operation Caribe"}] * 2)
    assert twice.status_code == 400 and list(twice.json()) == ["concerns[1]"]
    assert editor_client.get(event["api_url"]).json()["version"] == event["version"]  # nothing was written


def test_a_concerned_or_linked_record_is_not_deleted_from_under_its_events(editor_client, reported):
    memorandum, event = reported["memorandum"], reported["event"]
    refused = editor_client.delete(memorandum["api_url"])
    assert refused.status_code == 409
    assert any("Prosecutor welcomes the memorandum" in who for who in refused.json()["referenced_by"])
    treaty = editor_client.delete(f"/api/v1/agreements/{reported['treaty'].pk}/")
    assert treaty.status_code == 409  # the memorandum implements it

    # Deleting the event takes its concerns with it; the memorandum can go then, and its links with it.
    assert editor_client.delete(event["api_url"]).status_code == 204
    assert not m.EventConcern.objects.exists()
    assert editor_client.delete(memorandum["api_url"]).status_code == 204
    assert not m.AgreementLink.objects.exists() and not m.AgreementSignatory.objects.exists()
    assert editor_client.delete(f"/api/v1/agreements/{reported['treaty'].pk}/").status_code == 204


def test_sent_again_the_parts_keep_their_ids_and_nothing_changes(editor_client, reported):
    for record in (reported["memorandum"], reported["event"]):
        current = editor_client.get(record["api_url"]).json()
        response = editor_client.put(record["api_url"], current, format="json")
        assert response.status_code == 200, response.content
        assert response.json() == current


def test_an_event_concerning_one_of_two_namesakes_names_it_alone(editor_client, client, reported):
    other = f.OperationFactory(name="Operation Caribe", start="2019")  # a later operation, the same name
    response = put(editor_client, reported["event"], concerns=[{"operation": other.pk}])
    assert response.status_code == 200, response.content
    ambiguous = put(editor_client, reported["event"], concerns=[{"operation": "Operation Caribe"}])
    assert ambiguous.status_code == 400 and "names several operations" in ambiguous.json()["concerns[0].operation"][0]

    [row] = [r for r in rows(export("events")) if r["id"] == str(reported["event"]["id"])]
    assert json.loads(row["concerns"]) == [{"operation": f"Operation Caribe #{other.pk}"}]
    assert client.get("/api/v1/events/", {"operation": f"Operation Caribe #{other.pk}"}).json()["results"]
    # Read back in the same database, the key names the same operation: nothing changes.
    text = export("events").encode()
    response = editor_client.post("/api/v1/events/import/", text, content_type="text/csv")
    assert response.json()["unchanged"] == 1, response.content


ROUND_TRIP = ["sources", "agencies", "officials", "posts", "agreements", "operations", "events"]
ASSIGNED = {"id", "created_at", "updated_at", "version"}


def comparable(name: str) -> list[dict]:
    json_columns = {"parties", "signatories", "links", "concerns", "citations", "participants", "outcomes"}
    return [
        {k: json.loads(v) if k in json_columns and v else v for k, v in row.items() if k not in ASSIGNED}
        for row in rows(export(name))
    ]


def test_the_records_round_trip_through_the_csv_into_a_database_without_them(reported):
    # A third event concerns the first, and the memorandum is amended: references among records of one kind.
    first = m.Event.objects.get(pk=reported["event"]["id"])
    later = f.EventFactory(title="Ceremony for the memorandum", kind="ceremony", date="March 2016")
    f.EventConcernFactory(event=later, agreement=None, other_event=first)
    f.EventConcernFactory(event=later, agreement=reported["treaty"])
    amendment = f.AgreementFactory(title="Protocol amending the memorandum", signed="mid-2017")
    f.AgreementLinkFactory(agreement=amendment, kind="amends", target_id=reported["memorandum"]["id"])
    f.AgreementSignatoryFactory(agreement=amendment, official=None, agency=m.Agency.objects.get(acronym="GC"))

    before = {name: comparable(name) for name in ROUND_TRIP}
    texts = {name: export(name) for name in ROUND_TRIP}
    old_ids = {model: set(model.objects.values_list("pk", flat=True)) for model in (m.Event, m.Agreement, m.Post)}
    for model in (m.EventConcern, m.Citation, m.Event, m.Operation, m.AgreementLink, m.Agreement, m.Post):
        model.objects.all().delete()
    for model in (m.Official, m.Agency, m.Source):
        model.objects.all().delete()

    files = {
        name: io.BytesIO(to_csv([{k: v for k, v in row.items() if k != "id"} for row in rows(text)]))
        for name, text in texts.items()
    }
    results = import_bundle(files)
    assert {name: [e.as_dict() for e in r.errors] for name, r in results.items() if r.errors} == {}
    for model, ids in old_ids.items():  # new ids: only the keys can have carried the references over
        assert not ids & set(model.objects.values_list("pk", flat=True)), model
    for name in ROUND_TRIP:
        assert comparable(name) == before[name], name
    ceremony = m.Event.objects.get(title="Ceremony for the memorandum")
    assert [str(concern.record) for concern in ceremony.concerns.all()] == [
        "Prosecutor welcomes the memorandum",
        "Framework treaty on security cooperation",
    ]
    memorandum = m.Agreement.objects.get(title="Memorandum against organised crime")
    assert [s.post.title for s in memorandum.signatories.all() if s.post] == ["Deputy Minister"]
    assert memorandum.linked_from.get().agreement.title == "Protocol amending the memorandum"
