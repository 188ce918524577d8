"""Merging a duplicate into its survivor: every reference, part and citation moves, nothing is there twice,
the history and the tombstone say so, and a merge that would break a rule writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cooperation import models as m
from cooperation import services
from cooperation.merging import merge_records, what_moves
from cooperation.natural_keys import natural_key
from tests import factories as f

pytestmark = pytest.mark.django_db


agency = f.named_agency


@pytest.fixture
def police():
    """The same police force, entered twice: with its accents, and without, each party to an agreement of its
    own, one with a unit under it."""
    survivor = agency("Policía Nacional del Perú", acronym="PNP")
    duplicate = agency("Policia Nacional del Peru", other_names="Policía Nacional")
    first = f.AgreementFactory(title="Convenio de lucha antidrogas", signed="2014")
    second = f.AgreementFactory(title="Acta de la reunión de Tumbes", signed="c. 2016")
    f.AgreementPartyFactory(agreement=first, country=None, agency=survivor)
    f.AgreementPartyFactory(agreement=second, country=None, agency=duplicate, note="as host")
    unit = f.AgencyFactory(name="Dirección Antidrogas", country=survivor.country, parent=duplicate)
    return survivor, duplicate, first, second, unit


def test_every_reference_part_and_citation_moves_to_the_survivor(police, editor):
    survivor, duplicate, first, second, unit = police
    merge_records(survivor, duplicate, user=editor)
    assert set(m.AgreementParty.objects.filter(agency=survivor).values_list("agreement", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert m.AgreementParty.objects.get(agreement=second).note == "as host"
    assert m.Agency.objects.get(pk=unit.pk).parent_id == survivor.pk
    quotes = set(m.Agency.objects.get(pk=survivor.pk).citations.values_list("quote", flat=True))
    assert quotes == {"Policía Nacional del Perú took part", "Policia Nacional del Peru took part"}
    assert not m.Agency.objects.filter(pk=duplicate.pk).exists()


def test_the_history_and_the_tombstone_say_so(police, editor):
    survivor, duplicate, *_, unit = police
    merge_records(survivor, duplicate, user=editor)
    entry = m.Agency.objects.get(pk=survivor.pk).history.first()
    assert entry.history_change_reason == f"Merged Policia Nacional del Peru (id {duplicate.pk}) into this record"
    assert entry.history_user == editor
    deletion = m.Deletion.objects.get(record_id=duplicate.pk, content_type__model="agency")
    assert deletion.merged_into == survivor.pk
    assert deletion.deleted_by == editor
    assert m.Agency.objects.get(pk=unit.pk).history.first().history_change_reason.startswith("Merged agency")
    with pytest.raises(ValidationError, match="merged into"):
        services.record_restore(deletion, user=editor)


def test_the_names_of_the_duplicate_name_the_survivor(police):
    survivor, duplicate, *_ = police
    merge_records(survivor, duplicate)
    stored = m.Agency.objects.get(pk=survivor.pk)
    assert stored.other_names.splitlines() == ["Policia Nacional del Peru", "Policía Nacional"]
    assert natural_key(m.Agency).resolve("Policia Nacional del Peru [PE]") == stored
    assert natural_key(m.Agency).resolve("PNP [PE]") == stored


def test_two_parties_to_the_same_agreement_leave_one(editor):
    survivor, duplicate = agency("Policía Nacional del Perú"), agency("Policia Nacional del Peru")
    shared = f.AgreementFactory(title="Plan binacional", signed="2019")
    f.AgreementPartyFactory(agreement=shared, country=None, agency=survivor)
    f.AgreementPartyFactory(agreement=shared, country=None, agency=duplicate)
    version = m.Agreement.objects.get(pk=shared.pk).version
    merge = merge_records(survivor, duplicate, user=editor)
    assert list(shared.parties.values_list("agency", flat=True)) == [survivor.pk]
    assert merge.dropped == {"agreement parties": 1}
    assert m.Agreement.objects.get(pk=shared.pk).version == version + 1  # syncing clients see it changed


def test_a_citation_the_survivor_has_already_is_not_doubled():
    survivor, duplicate = agency("Policía Nacional del Perú"), agency("Policia Nacional del Peru")
    source = survivor.citations.get().source
    f.CitationFactory(record=duplicate, source=source, quote="Policía Nacional del Perú took part")
    merge_records(survivor, duplicate)
    assert survivor.citations.count() == 2  # its own, and the duplicate's other one


def test_merging_agreements_moves_parts_and_areas_and_drops_a_link_to_itself():
    first, second = f.AgreementFactory(title="Memorando"), f.AgreementFactory(title="Memorándum")
    f.AgreementPartyFactory(agreement=first, country=m.Country.objects.get(iso2="BO"))
    f.AgreementPartyFactory(agreement=second, country=m.Country.objects.get(iso2="BO"))
    f.AgreementPartyFactory(agreement=second, country=m.Country.objects.get(iso2="PY"))
    second.areas.set(m.CooperationArea.objects.filter(code="training"))
    m.AgreementLink.objects.create(agreement=second, kind=m.LinkKind.AMENDS, target=first)
    merge_records(first, second)
    assert sorted(first.parties.values_list("country__iso2", flat=True)) == ["BO", "PY"]
    assert list(first.areas.values_list("code", flat=True)) == ["training"]
    assert not m.AgreementLink.objects.exists()


def test_what_moves_is_counted_for_the_confirmation(police):
    survivor, duplicate, *_ = police
    assert dict(what_moves(duplicate)) == {
        "agencies (part of)": 1,
        "agreement parties (agency)": 1,
        "citations": 1,
    }


@pytest.mark.parametrize("case", ["itself", "different_kinds"])
def test_a_record_is_merged_with_another_of_its_kind_only(police, case):
    survivor, duplicate, first, *_ = police
    other = survivor if case == "itself" else first
    with pytest.raises(ValidationError) as raised:
        merge_records(survivor, other)
    assert raised.value.error_dict["duplicate"][0].code == case


def test_a_merge_that_would_break_a_rule_writes_nothing():
    """A party that gives the duplicate with its country cannot name another country's agency."""
    survivor = agency("Policía Nacional del Perú")
    duplicate = f.AgencyFactory(name="Policia Nacional", country=m.Country.objects.get(iso2="BO"))
    deal = f.AgreementFactory(title="Acuerdo fronterizo")
    f.AgreementPartyFactory(agreement=deal, country=duplicate.country, agency=duplicate)
    with pytest.raises(ValidationError, match="Merging would break a rule of the agreement party"):
        merge_records(survivor, duplicate)
    assert m.Agency.objects.filter(pk=duplicate.pk).exists()
    assert deal.parties.get().agency_id == duplicate.pk
    assert not m.Deletion.objects.exists()


def test_merging_officials_moves_their_posts_and_signatures_once():
    peru = m.Country.objects.get(iso2="PE")
    survivor = f.OfficialFactory(name="Ana María Quispe", country=peru)
    duplicate = f.OfficialFactory(name="Ana Maria Quispe", country=peru)
    post = f.PostFactory(official=duplicate, title="Directora", agency=f.AgencyFactory(country=peru))
    signed_alone = f.AgreementFactory(title="Acta de Puno")
    f.AgreementSignatoryFactory(agreement=signed_alone, official=duplicate, post=post)
    signed_by_both = f.AgreementFactory(title="Acta de Tacna")
    f.AgreementSignatoryFactory(agreement=signed_by_both, official=survivor)
    f.AgreementSignatoryFactory(agreement=signed_by_both, official=duplicate)
    merge = merge_records(survivor, duplicate)
    assert m.Post.objects.get(pk=post.pk).official_id == survivor.pk
    assert list(signed_alone.signatories.values_list("official", "post")) == [(survivor.pk, post.pk)]
    assert list(signed_by_both.signatories.values_list("official", flat=True)) == [survivor.pk]
    assert merge.dropped == {"agreement signatories": 1}
    assert m.Official.objects.get(pk=survivor.pk).other_names == "Ana Maria Quispe"


def test_merging_training_centres_moves_their_courses_and_topics():
    peru = m.Country.objects.get(iso2="PE")
    survivor = f.TrainingCentreFactory(name="Centro de Entrenamiento de Santa Lucía", host_country=peru)
    duplicate = f.TrainingCentreFactory(name="Centro de Entrenamiento Santa Lucia", host_country=peru)
    duplicate.topics.set(m.TrainingTopic.objects.order_by("pk")[:2])
    course = f.TrainingCourseFactory(centre=duplicate, title="Curso de interdicción")
    merge_records(survivor, duplicate)
    assert m.TrainingCourse.objects.get(pk=course.pk).centre_id == survivor.pk
    assert survivor.topics.count() == 2
