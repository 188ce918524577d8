"""A write that changes nothing changes nothing: no new version, no new updated_at, no history entry, whether it
comes as a PUT, a PATCH or a CSV row; the import counts such rows as unchanged."""

from __future__ import annotations

import pytest

from cooperation import models as m
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import IMPORT_ORDER
from tests import factories as f

pytestmark = pytest.mark.django_db


def state(record) -> tuple:
    """What a syncing client and the history see of a record."""
    stored = type(record).objects.get(pk=record.pk)
    return stored.version, stored.updated_at, stored.history.count()


@pytest.fixture
def agreement():
    peru, russia = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="RU")
    record = f.AgreementFactory(title="Pact", summary="Training and exchange.")
    record.areas.set(m.CooperationArea.objects.filter(code__in=["training", "information_exchange"]))
    f.AgreementSignatoryFactory(agreement=record, official=f.OfficialFactory(country=russia))
    f.AgreementPartyFactory(agreement=record, country=None, agency=f.AgencyFactory(country=peru))
    f.AgreementPartyFactory(agreement=record, country=None, region=m.Region.objects.get(m49_code="419"))
    return m.Agreement.objects.get(pk=record.pk)


def url(record) -> str:
    return f"/api/v1/agreements/{record.pk}/"


def test_a_put_of_the_record_as_read_changes_nothing(editor_client, agreement):
    before, parts = state(agreement), (m.AgreementParty.history.count(), m.Citation.history.count())
    read = editor_client.get(url(agreement)).json()
    response = editor_client.put(url(agreement), read, format="json", HTTP_IF_MATCH=f'"{read["version"]}"')
    assert response.status_code == 200, response.content
    assert response.json()["version"] == read["version"] and response["ETag"] == f'"{read["version"]}"'
    assert state(agreement) == before
    assert (m.AgreementParty.history.count(), m.Citation.history.count()) == parts  # parts untouched too


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Pact"},
        {"summary": "Training and exchange.", "signed": "October 2012"},
        {"areas": ["information_exchange", "training"]},
        {"parties": "as read"},
        {"citations": "as read"},
    ],
)
def test_a_patch_of_the_same_values_changes_nothing(editor_client, agreement, change):
    before = state(agreement)
    read = editor_client.get(url(agreement)).json()
    payload = {name: read[name] if value == "as read" else value for name, value in change.items()}
    response = editor_client.patch(url(agreement), payload, format="json")
    assert response.status_code == 200, response.content
    assert state(agreement) == before


def test_a_change_of_a_part_alone_moves_the_version_once(editor_client, agreement):
    before = state(agreement)
    read = editor_client.get(url(agreement)).json()
    parties = [*read["parties"], {"country": "CO"}]
    response = editor_client.patch(url(agreement), {"parties": parties}, format="json")
    assert response.status_code == 200
    version, updated_at, history = state(agreement)
    assert (version, history) == (before[0] + 1, before[2] + 1) and updated_at > before[1]
    assert m.AgreementParty.objects.filter(agreement=agreement).count() == 3


def test_an_outcome_sent_again_as_it_is_stays_the_same_row(editor_client):
    operation = f.OperationFactory()
    outcome = f.OperationOutcomeFactory(operation=operation, quantity="2.500", unit="t")
    address = f"/api/v1/operations/{operation.pk}/"
    read = editor_client.get(address).json()
    response = editor_client.patch(address, {"outcomes": read["outcomes"]}, format="json")
    assert response.status_code == 200
    assert list(operation.outcomes.values_list("pk", flat=True)) == [outcome.pk]
    assert state(operation)[0] == 1


def export(client, resource: str) -> bytes:
    response = client.get(f"/api/v1/{resource}/", {"format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_every_resource_exported_and_imported_back_unchanged_moves_nothing(
    editor_client, client, seed, agreement, settings
):
    # Every file in the request itself (the gazetteer's places alone pass the size that makes an import a job).
    settings.CSV_IMPORT_BACKGROUND_BYTES = 2**30
    # The seed, and an agreement whose parties are an agency and a region.
    f.OperationOutcomeFactory(operation=f.OperationFactory())
    f.CourseParticipantFactory(course=f.TrainingCourseFactory())
    models = [RESOURCES[name].model for name in IMPORT_ORDER]
    versions = {model: dict(model.objects.values_list("pk", "version")) for model in models}
    stamps = {model: set(model.objects.values_list("updated_at", flat=True)) for model in models}
    history = {model: model.history.count() for model in models}
    files = {name: export(client, name) for name in IMPORT_ORDER}

    for dry_run in ("true", "false"):
        for name in IMPORT_ORDER:
            response = editor_client.post(
                f"/api/v1/{name}/import/?dry_run={dry_run}", files[name], content_type="text/csv"
            )
            assert response.status_code == 200, (name, response.content)
            result = response.json()
            count = len(versions[RESOURCES[name].model])
            assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, count), (name, result)

    assert {model: dict(model.objects.values_list("pk", "version")) for model in models} == versions
    assert {model: set(model.objects.values_list("updated_at", flat=True)) for model in models} == stamps
    assert {model: model.history.count() for model in models} == history
    assert client.get("/api/v1/agreements/", {"updated_since": "2000-01-01T00:00:00Z"}).status_code == 200


def test_an_edited_row_is_updated_and_the_others_unchanged(editor_client, client, agreement):
    f.AgreementFactory(title="Another pact")
    text = export(client, "agreements").decode().replace("Training and exchange.", "Training only.")
    result = editor_client.post("/api/v1/agreements/import/", text.encode(), content_type="text/csv").json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    assert state(agreement)[0] == 2
