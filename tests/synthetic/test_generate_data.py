"""generate_data: a synthetic data set of any size, valid record by record, the same for the same seed."""

import datetime as dt
import hashlib
import io
import json
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from cooperation import duplicates
from cooperation import models as m
from cooperation.history import record_initial_history
from cooperation.models.sources import normalise_space
from cooperation.partial_dates import from_text
from synthetic.clear import DELETE_ORDER
from synthetic.dates import FORMS, SEASONS, read_as, written_as
from synthetic.generator import scaled
from synthetic.marks import SYNTHETIC_URL_PREFIX
from synthetic.sinks import sink_for
from synthetic.tables import ASSIGNED_IDS, TABLES, table_model

pytestmark = pytest.mark.django_db

SCALE = 200


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_data", stdout=out, **{"scale": SCALE, "verbosity": 0, **options})
    return out.getvalue()


def tracked_models():
    return [model for model in apps.get_app_config("cooperation").get_models() if issubclass(model, m.TrackedModel)]


def parts_per(model, related: str) -> Counter:
    """How many records have how many parts: Counter({2: 90, 3: 40, ...})."""
    return Counter(model.objects.annotate(n=Count(related, distinct=True)).values_list("n", flat=True))


def digest() -> str:
    """The content of the synthetic tables, with ids counted from each table's first generated id.

    Rows are compared in id order with every value, timestamps included. Ids the database assigns (of parts,
    citations, many-to-many rows) are left out; ids that rows point at count from the first generated row of
    their table, so two runs that wrote the same content at different ids have the same digest.
    """
    first = {
        model: model.objects.order_by("pk").values_list("pk", flat=True).first() for model in ASSIGNED_IDS.values()
    }
    record_models = {ct.pk: ct.model_class() for ct in ContentType.objects.filter(app_label="cooperation")}
    hasher = hashlib.sha256()
    for key in TABLES:
        model = table_model(key)
        # A duplicate key digests the ids of an agreement's agency parties as they are: compared below instead.
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and model not in first) and f.name != "duplicate_key"
        ]
        for row in model.objects.order_by("pk").values(*(f.attname for f in fields)):
            for field in fields:
                target = model if field.primary_key else field.related_model
                if row[field.attname] is not None and target in first:
                    row[field.attname] -= first[target]
            if model is m.Citation:
                row["object_id"] -= first[record_models[row["content_type_id"]]]
            hasher.update(repr(sorted(row.items())).encode())
    return hasher.hexdigest()


def test_it_makes_the_agreements_asked_for_and_everything_else_in_proportion():
    generate()
    expected = scaled(SCALE)
    assert m.Agreement.objects.count() == SCALE
    assert m.Agency.objects.count() == expected["agencies"]
    assert m.Official.objects.count() == expected["officials"]
    assert m.TraffickingRoute.objects.count() == expected["routes"]
    assert m.TrainingCentre.objects.count() == expected["centres"]
    assert m.TrainingCourse.objects.count() == expected["courses"]
    assert m.Operation.objects.count() == expected["operations"]
    assert m.Event.objects.count() == expected["events"]
    assert m.Assessment.objects.count() == expected["assessments"]
    assert SCALE / 40 <= m.Source.objects.count() <= SCALE / 10
    assert m.Post.objects.count() >= expected["officials"]

    assert set(parts_per(m.Agreement, "parties")) <= {2, 3, 4, 5, 6} and len(parts_per(m.Agreement, "parties")) == 5
    assert set(parts_per(m.Agreement, "areas")) == {1, 2, 3, 4}
    assert set(parts_per(m.Agreement, "citations")) == {1, 2, 3}
    assert set(parts_per(m.TraffickingRoute, "nodes")) <= {2, 3, 4, 5}
    for route in m.TraffickingRoute.objects.prefetch_related("nodes"):
        nodes = list(route.nodes.all())
        assert [node.position for node in nodes] == list(range(1, len(nodes) + 1))
        assert (nodes[0].role, nodes[-1].role) == ("origin", "destination")
    assert min(parts_per(m.TrainingCourse, "participants")) >= 1
    assert min(parts_per(m.Operation, "participants")) >= 2
    seizures = m.OperationOutcome.objects.filter(kind="seizure")
    assert seizures.exists() and not seizures.filter(drug=None).exists() and not seizures.filter(quantity=None).exists()


def test_every_fact_cites_a_synthetic_source_that_holds_the_quote_verbatim():
    generate()
    for model in tracked_models():
        if issubclass(model, m.CitedModel):
            assert not model.objects.filter(citations=None).exists(), f"a {model.__name__} has no citation"
    citations = list(m.Citation.objects.select_related("source"))
    assert len(citations) >= m.Agreement.objects.count()
    for citation in citations:
        assert citation.source.url.startswith(SYNTHETIC_URL_PREFIX)
        assert normalise_space(citation.quote) in normalise_space(citation.source.text), citation.quote
    assert m.Source.objects.values("url").distinct().count() == m.Source.objects.count()


def test_a_sample_of_every_model_passes_validation_with_the_dates_as_the_models_compute_them():
    generate()
    for model in tracked_models():
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        sample = ids[:: max(1, len(ids) // 40)]
        if model in ASSIGNED_IDS.values() or model in {m.AgreementParty, m.RouteNode, m.OperationOutcome}:
            assert sample, f"no {model.__name__} was generated"
        for record in model.objects.filter(pk__in=sample):
            stored = {name: record.partial_date(name) for name in model.partial_dates}
            record.full_clean()  # also computes the dates again from what is written
            assert {name: record.partial_date(name) for name in model.partial_dates} == stored, record


def test_duplicate_keys_are_those_the_services_store_and_repeats_count_as_confirmed():
    generate()
    for model in (m.Agency, m.Official, m.TrainingCentre, m.Agreement):
        records = list(model.objects.order_by("pk"))
        seen = set()
        for record in records:
            assert record.duplicate_key == duplicates.digest(duplicates.likeness(record)), record
            assert record.confirmed_distinct == (record.duplicate_key in seen), record
            seen.add(record.duplicate_key)


def test_every_form_of_date_reads_as_the_models_read_it():
    days = [dt.date(2012, 2, 29), dt.date(1995, 1, 1), dt.date(2025, 12, 31), dt.date(2013, 6, 30), dt.date(2014, 3, 1),
            dt.date(2014, 8, 31), dt.date(2013, 11, 30), dt.date(2010, 9, 1), dt.date(2019, 5, 31)]  # fmt: skip
    checked = set()
    for day in days:
        for form in FORMS.values:
            if (form == "season" and day.month not in SEASONS) or (form == "early" and day.month == 6):
                continue  # the generator writes these as a year
            text = written_as(form, day)
            assert read_as(form, day) == from_text(text), text
            checked.add(form)
    assert checked == set(FORMS.values)


def test_dates_mix_full_dates_months_years_approximate_and_unknown():
    generate()
    written = list(m.Agreement.objects.values_list("signed", "signed_edtf"))
    edtf = [value for _, value in written]
    assert any(len(value) == 10 for value in edtf)  # 2012-10-05
    assert any(len(value) == 7 for value in edtf)  # 2012-10
    assert any(len(value) == 4 and value.isdigit() for value in edtf)  # 2012
    assert any(value.endswith("~") for value in edtf)  # c. 2012
    assert any(text.startswith("c. ") for text, _ in written)
    assert "" in edtf
    assert m.Agreement.objects.filter(end_latest__isnull=False).exists()


def test_choices_are_all_used_some_far_more_than_others():
    generate()
    statuses = Counter(m.Agreement.objects.values_list("status", flat=True))
    assert set(statuses) == set(m.AgreementStatus.values)
    assert statuses["signed"] > 3 * statuses["terminated"]
    assert set(m.Agreement.objects.values_list("kind", flat=True)) == set(m.AgreementKind.values)
    assert set(m.AgreementParty.objects.values_list("role", flat=True)) == set(m.PartyRole.values)
    parties = Counter(m.AgreementParty.objects.exclude(country=None).values_list("country", flat=True))
    (_, most), *_ = parties.most_common(1)
    assert most > 10 * sorted(parties.values())[len(parties) // 2]  # a few countries come up far more often
    assert len(parties) >= 40
    assert m.AgreementParty.objects.exclude(region=None).exists()
    assert m.AgreementParty.objects.exclude(agency=None).exists()
    created = m.Agreement.objects.values_list("created_at", flat=True)
    assert max(created) - min(created) > dt.timedelta(days=3 * 365)
    assert m.Agreement.objects.exclude(updated_at=F("created_at")).exists()  # some were edited since


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate(seed=7)
    first_ids = m.Agreement.objects.order_by("pk").values_list("pk", flat=True).first()
    before = digest()
    generate(seed=7, clear=True)
    assert m.Agreement.objects.order_by("pk").values_list("pk", flat=True).first() != first_ids  # new ids
    assert digest() == before
    generate(seed=8, clear=True)
    assert digest() != before


def test_clear_removes_the_synthetic_data_and_leaves_the_seed_and_reference_data_alone(seed):
    def everything():
        out = io.StringIO()
        call_command("dumpdata", "cooperation", exclude=["cooperation.change"], stdout=out)  # the log of the writes
        return json.loads(out.getvalue())

    before = everything()
    generate()
    assert m.Agreement.objects.count() == SCALE + 2  # the seed has two
    generate(scale=0, clear=True)
    assert everything() == before


def test_it_refuses_to_add_a_second_set_without_clear():
    generate()
    with pytest.raises(CommandError, match="--clear"):
        generate(seed=2)
    assert m.Agreement.objects.count() == SCALE


def test_it_writes_in_bulk_so_the_number_of_queries_does_not_grow_with_the_scale():
    with CaptureQueriesContext(connection) as small:
        generate(scale=100)
    generate(scale=0, clear=True)
    with CaptureQueriesContext(connection) as large:
        generate(scale=400)
    assert m.Agreement.objects.count() == 400
    assert len(large) <= len(small) + 5


def test_generated_data_gets_no_history_and_the_initial_history_leaves_it_out():
    generate()
    record_initial_history()
    assert not m.Agreement.history.exists()
    assert not m.Citation.history.exists()
    assert not m.AgreementParty.history.exists()
    assert m.Country.history.count() == m.Country.objects.count()


def test_it_reports_rows_per_table_and_shows_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    report = generate(scale=50, verbosity=1)
    assert "agreement parties" in report and "Generated" in report and "rows/s" in report
    assert "\r" not in report
    assert generate(scale=50, verbosity=0, clear=True) == ""
    terminal = Terminal()
    call_command("generate_data", scale=50, clear=True, stdout=terminal)
    assert "\r" in terminal.getvalue() and "rows/s" in terminal.getvalue()


def test_a_failed_write_leaves_nothing_behind(monkeypatch):
    written = []

    def refuse_the_second_batch(self, table, columns, rows):
        if written:
            raise RuntimeError("the disk is full")
        written.append(table)
        original(self, table, columns, rows)

    sink = type(sink_for(connection))
    original = sink.write
    monkeypatch.setattr(sink, "write", refuse_the_second_batch)
    with pytest.raises(RuntimeError, match="the disk is full"):
        generate()
    assert written
    assert not m.Source.objects.exists() and not m.Agency.objects.exists()


def test_clear_refuses_when_a_real_record_points_at_synthetic_data_and_changes_nothing(seed):
    generate()
    synthetic_agency = m.Agency.objects.filter(citations__source__url__startswith=SYNTHETIC_URL_PREFIX).first()
    real_agreement = m.Agreement.objects.get(title="Russia - Peru security cooperation")
    m.AgreementParty.objects.create(agreement=real_agreement, agency=synthetic_agency, role="implementer")
    with pytest.raises(CommandError, match="points at synthetic data"):
        generate(scale=0, clear=True)
    assert m.Agreement.objects.count() == SCALE + 2


def test_clear_and_the_generator_know_every_kind_of_fact():
    # A fact-bearing model added later must be generated and cleared too, or --clear would leave it behind.
    facts = {model for model in tracked_models() if issubclass(model, m.CitedModel)}
    assert set(DELETE_ORDER) == facts
    assert facts <= set(ASSIGNED_IDS.values())


def test_tables_are_written_after_the_tables_their_rows_point_at_and_cleared_in_reverse():
    position = {table_model(key): index for index, key in enumerate(TABLES)}
    for index, key in enumerate(TABLES):
        model = table_model(key)
        for name in TABLES[key][1]:
            target = model._meta.get_field(name).related_model
            if target is not None and target is not model and target in position:
                assert position[target] < index, f"{key}.{name} points at a table written later"
    assert list(TABLES)[-1] == "citations"  # a citation may point at any record
    order = [model for model in position if model in DELETE_ORDER]
    assert order[::-1] == DELETE_ORDER
