"""Migrations carry existing data over: a database made by the schema before a migration is migrated, and what
it held is checked in the schema after it."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def around(suffix: str) -> tuple[MigrationExecutor, tuple[str, str], tuple[str, str]]:
    """An executor, and the migrations just before and at the app's migration named ``*_<suffix>`` (found by
    name, so the test survives renumbering)."""
    executor = MigrationExecutor(connection)
    [name] = [name for app, name in executor.loader.disk_migrations if app == "cooperation" and name.endswith(suffix)]
    migration = executor.loader.get_migration("cooperation", name)
    [before] = [dependency for dependency in migration.dependencies if dependency[0] == "cooperation"]
    return executor, before, ("cooperation", name)


def models_at(executor: MigrationExecutor, at: tuple[str, str]):
    """The app's models as the schema was at migration ``at``: ``models_at(...)("Country")``."""
    apps = executor.loader.project_state([at]).apps
    return lambda name: apps.get_model("cooperation", name)


@contextlib.contextmanager
def across(suffix: str) -> Iterator[tuple[Callable, Callable]]:
    """The database at the migration before the app's ``*_<suffix>``: yields the models as they are there and a
    function that runs the migration and returns the models after it. The database ends at the latest migration."""
    executor, before, after = around(suffix)

    def migrate():
        executor.loader.build_graph()
        executor.migrate([after])
        return models_at(executor, after)

    try:
        executor.migrate([before])
        yield models_at(executor, before), migrate
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("cooperation"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_participants_keep_their_countries_agencies_and_roles_and_citations_become_verbatim():
    with across("_participants_and_citation_kinds") as (old, migrate):
        country = old("Country").objects.get
        guatemala, belize, spain = country(iso2="GT"), country(iso2="BZ"), country(iso2="ES")
        guardia = old("Agency").objects.create(name="Guardia Civil", kind="police", country=spain)
        unodc = old("Agency").objects.create(name="UNODC", kind="intergovernmental")
        course = old("TrainingCourse").objects.create(title="Interdiction course", total_trained=200)
        old("CourseParticipant").objects.create(course=course, country=guatemala, trainees=120)
        old("CourseParticipant").objects.create(course=course, country=belize)
        old("CourseParticipant").objects.create(course=course, country=spain, agency=guardia, trainees=3)
        operation = old("Operation").objects.create(name="Operation Tridente", status="completed")
        old("OperationParticipant").objects.create(operation=operation, country=guatemala, role="lead")
        old("OperationParticipant").objects.create(operation=operation, agency=unodc, role="support")
        source = old("Source").objects.create(title="Report", url="https://example.net/r", text="Tridente ended.")
        operation_type = ContentType.objects.get(app_label="cooperation", model="operation")
        old("Citation").objects.create(
            source=source, content_type_id=operation_type.pk, object_id=operation.pk, quote="Tridente ended."
        )

        new = migrate()
        in_course = new("CourseParticipant").objects.filter(course=course.pk).order_by("pk")
        assert list(in_course.values_list("country__iso2", "region", "agency__name", "role", "trainees")) == [
            ("GT", None, None, "participant", 120),
            ("BZ", None, None, "participant", None),
            ("ES", None, "Guardia Civil", "participant", 3),
        ]
        in_operation = new("OperationParticipant").objects.filter(operation=operation.pk).order_by("pk")
        assert list(in_operation.values_list("country__iso2", "region", "agency__name", "role")) == [
            ("GT", None, None, "lead"),
            (None, None, "UNODC", "support"),
        ]
        assert list(new("Citation").objects.values_list("quote", "kind")) == [("Tridente ended.", "verbatim")]

        # What the new schema allows: a region as a participant, one country in two roles.
        caribbean = new("Region").objects.get(m49_code="029")
        new("CourseParticipant").objects.create(course_id=course.pk, region=caribbean, role="invited")
        new("CourseParticipant").objects.create(course_id=course.pk, country_id=guatemala.pk, role="host")
        assert new("CourseParticipant").objects.filter(course=course.pk).count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_numbers_stored_before_qualifiers_become_exact_quantities_with_their_bounds():
    from decimal import Decimal

    from django.db import IntegrityError, transaction

    with across("_quantities") as (old, migrate):
        country = old("Country").objects.get
        nicaragua, peru = country(iso2="NI"), country(iso2="PE")
        centre = old("TrainingCentre").objects.create(name="Centre", host_country=nicaragua, status="planned")
        counted = old("TrainingCentre").objects.create(
            name="Centre", host_country=peru, status="planned", expected_countries=7, duplicate_key="other"
        )
        course = old("TrainingCourse").objects.create(title="Interdiction course", total_trained=200)
        old("CourseParticipant").objects.create(course=course, country=nicaragua, trainees=120)
        old("CourseParticipant").objects.create(course=course, country=peru)
        operation = old("Operation").objects.create(name="Operation Tridente", status="completed")
        outcome = old("OperationOutcome").objects
        outcome.create(operation=operation, kind="seizure", quantity=Decimal("2.5"), unit="t")
        outcome.create(operation=operation, kind="arrests", quantity=Decimal("41"), unit="persons")
        outcome.create(operation=operation, kind="other", description="Weapons seized.")

        new = migrate()
        centres = new("TrainingCentre").objects.order_by("pk")
        columns = ("expected_countries", "expected_countries_qualifier", "expected_countries_min")
        assert list(centres.values_list(*columns, "expected_countries_max")) == [
            (None, "", None, None),
            (7, "exact", 7, 7),
        ]
        assert centre.pk < counted.pk
        columns = ("total_trained", "total_trained_qualifier", "total_trained_min", "total_trained_max")
        assert new("TrainingCourse").objects.filter(pk=course.pk).values_list(*columns).get() == (
            200,
            "exact",
            200,
            200,
        )
        trainees = new("CourseParticipant").objects.filter(course=course.pk).order_by("pk")
        assert list(trainees.values_list("trainees", "trainees_qualifier", "trainees_min", "trainees_max")) == [
            (120, "exact", 120, 120),
            (None, "", None, None),
        ]
        outcomes = new("OperationOutcome").objects.filter(operation=operation.pk).order_by("pk")
        rows = outcomes.values_list("quantity", "quantity_qualifier", "quantity_high", "quantity_min", "quantity_max")
        assert [tuple(None if v is None else v if isinstance(v, str) else Decimal(v) for v in row) for row in rows] == [
            (Decimal("2.5"), "exact", None, Decimal("2.5"), Decimal("2.5")),
            (Decimal("41"), "exact", None, Decimal("41"), Decimal("41")),
            (None, "", None, None, None),
        ]

        # The new schema's rules hold in the database: a range needs its high end, above its low end.
        for high in (None, 2):
            with pytest.raises(IntegrityError), transaction.atomic():
                new("TrainingCourse").objects.create(
                    title="Ranged", total_trained=3, total_trained_qualifier="between", total_trained_high=high
                )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_places_written_as_text_become_places_in_the_records_country():
    with across("_places") as (old, migrate):
        country, region = old("Country").objects.get, old("Region").objects.get
        peru, costa_rica, dominican = country(iso2="PE"), country(iso2="CR"), country(iso2="DO")
        # Nauru as the data had it before: in Polynesia.
        nauru = country(iso2="NR")
        nauru.regions.set([region(m49_code="061")])
        event = old("Event").objects.create
        in_lima = event(title="Signing", kind="signing", country=peru, place="Lima")
        in_callao = event(title="Seizure shown", kind="other", country=peru, place="  callao ")
        in_san_jose = event(title="Visit", kind="visit", country=costa_rica, place="San José")
        again_san_jose = event(title="Second visit", kind="visit", country=costa_rica, place="san josé")
        in_a_region = event(
            title="Tour", kind="tour", region=region(m49_code="419"), place="Caracas", summary="A tour."
        )
        nowhere = event(title="Statement", kind="statement")
        centre = old("TrainingCentre").objects.create(
            name="Centre outside Santo Domingo", host_country=dominican, status="planned", place="Santo Domingo"
        )

        new = migrate()
        events = {e.pk: e for e in new("Event").objects.select_related("place__country")}
        lima = events[in_lima.pk].place
        assert (lima.name, lima.country.iso2, lima.geonames_id) == ("Lima", "PE", 3936456)
        assert events[in_callao.pk].place.geonames_id == 3946083  # matched ignoring case and spaces
        # Not in the test database's gazetteer (only its larger places): an analyst's place, made once.
        san_jose = events[in_san_jose.pk].place
        assert (san_jose.name, san_jose.country.iso2, san_jose.geonames_id) == ("San José", "CR", None)
        assert events[again_san_jose.pk].place == san_jose
        # No country to put a place in: the text stays, in the summary.
        assert events[in_a_region.pk].place is None
        assert events[in_a_region.pk].summary == "A tour.\n\nPlace (as recorded): Caracas"
        assert events[nowhere.pk].place is None and events[nowhere.pk].summary == ""
        centre_place = new("TrainingCentre").objects.get(pk=centre.pk).place
        assert (centre_place.name, centre_place.country.iso2) == ("Santo Domingo", "DO")
        assert centre_place.geonames_id == 3492908
        # The reference data was loaded again: Nauru is in Micronesia only.
        assert list(new("Country").objects.get(iso2="NR").regions.values_list("m49_code", flat=True)) == ["057"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rate_limits_database_table_is_dropped():
    with across("_drop_cache_table") as (_, migrate):
        with connection.cursor() as cursor:  # as migration 0005 made it where the database cache was configured
            cursor.execute("CREATE TABLE cooperation_cache (cache_key varchar(255) PRIMARY KEY, value text)")
        migrate()
        assert "cooperation_cache" not in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_centres_opening_date_becomes_its_opened_milestone_and_courses_get_a_status():
    """Builds centres with and without an opening date, and courses dated before and after their source; checks
    that each opening is an "opened" milestone as written, on the centre's first source, and which courses are held
    and which planned; that migrating back restores the opening date; the role groups may edit milestones."""
    with across("_lifecycles") as (old, migrate):
        country = old("Country").objects.get
        source = old("Source").objects.create
        early = source(title="Bulletin", url="https://example.net/b", published="March 2012", published_edtf="2012-03")
        early.published_earliest, early.published_latest = dt.date(2012, 3, 1), dt.date(2012, 3, 31)
        early.save()
        later = source(title="Bulletin", url="https://example.net/b2")  # same title, no date
        centre = old("TrainingCentre").objects.create
        dated = centre(
            name="Centro regional",
            host_country=country(iso2="DO"),
            status="operational",
            opened="c. 2013",
            opened_edtf="2013~",
            opened_earliest=dt.date(2013, 1, 1),
            opened_latest=dt.date(2013, 12, 31),
        )
        twin = centre(
            name="Centro regional", host_country=country(iso2="DO"), status="planned", confirmed_distinct=True
        )
        course = old("TrainingCourse").objects.create
        given = course(
            title="Curso", start="2011", start_earliest=dt.date(2011, 1, 1), start_latest=dt.date(2011, 12, 31)
        )
        ahead = course(
            title="Curso", start="2013", start_earliest=dt.date(2013, 1, 1), start_latest=dt.date(2013, 12, 31)
        )
        undated = course(title="Curso")
        centre_type = ContentType.objects.get(app_label="cooperation", model="trainingcentre")
        course_type = ContentType.objects.get(app_label="cooperation", model="trainingcourse")
        cite = old("Citation").objects.create
        cite(source=later, content_type_id=centre_type.pk, object_id=dated.pk, quote="opened around 2013")
        cite(source=early, content_type_id=centre_type.pk, object_id=dated.pk, quote="the centre")
        for record in (given, ahead, undated):
            cite(source=early, content_type_id=course_type.pk, object_id=record.pk, quote="a course")

        new = migrate()
        milestones = new("CentreMilestone").objects.all()
        assert list(milestones.values_list("centre", "kind", "date", "date_edtf", "date_earliest", "date_latest")) == [
            (dated.pk, "opened", "c. 2013", "2013~", dt.date(2013, 1, 1), dt.date(2013, 12, 31))
        ]
        assert milestones.get().source_id == later.pk  # the centre's first citation
        assert not new("CentreMilestone").objects.filter(centre=twin.pk).exists()
        status = dict(new("TrainingCourse").objects.values_list("pk", "status"))
        assert status == {given.pk: "held", ahead.pk: "planned", undated.pk: "held"}
        assert "opened" not in {f.name for f in new("TrainingCentre")._meta.get_fields()}

        # And back: the opened milestone is the centre's opening date again.
        executor, before, _ = around("_lifecycles")
        executor.loader.build_graph()
        executor.migrate([before])
        back = models_at(executor, before)("TrainingCentre").objects.get(pk=dated.pk)
        assert (back.opened, back.opened_edtf, back.opened_earliest) == ("c. 2013", "2013~", dt.date(2013, 1, 1))
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"add_centremilestone", "change_coursemilestone", "delete_coursemilestone"} <= codenames
    assert "view_centremilestone" in Group.objects.get(name="viewer").permissions.values_list("codename", flat=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signatory_officials_become_signatories_and_events_keep_their_kinds():
    with across("_events_concern_agreements_cover") as (old, migrate):
        peru = old("Country").objects.get(iso2="PE")
        namesakes = [old("Official").objects.create(name="Ana Torres", country=peru) for _ in range(2)]
        pact = old("Agreement").objects.create(title="Pact", kind="treaty", status="signed", signed="c. 2011")
        pact.signatories.set(namesakes)
        plan = old("Agreement").objects.create(title="Plan", kind="action_plan", status="announced")
        meeting = old("Event").objects.create(title="Talks in Lima", kind="conference", summary="They met.")

        new = migrate()
        signatories = new("AgreementSignatory").objects.order_by("official_id")
        assert list(signatories.values_list("agreement_id", "official_id", "post", "agency", "note")) == [
            (pact.pk, official.pk, None, None, "") for official in namesakes
        ]
        assert not new("AgreementSignatory").objects.filter(agreement=plan.pk).exists()
        assert new("Agreement").objects.get(pk=pact.pk).signed == "c. 2011"
        event = new("Event").objects.get(pk=meeting.pk)
        assert (event.kind, event.stance, event.speaker_post_id, event.summary) == ("conference", "", None, "They met.")
        assert not new("EventConcern").objects.exists()
        # The cooperation areas beyond drugs are offered, and the role groups may use the new parts.
        codes = set(new("CooperationArea").objects.values_list("code", flat=True))
        assert {"organised_crime", "arms_trafficking", "money_laundering", "information_exchange"} <= codes
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"add_agreementsignatory", "change_agreementlink", "delete_eventconcern"} <= editor
    viewer = set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True))
    assert {"view_agreementsignatory", "view_agreementlink", "view_eventconcern"} <= viewer
