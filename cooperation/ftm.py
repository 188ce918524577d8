"""The records as FollowTheMoney (FtM) entities, for Aleph, OpenSanctions' tools and the ``ftm`` CLI: plain dicts
``{"id", "schema", "properties": {name: [values]}}``, one per line of the JSON Lines export.

The mapping (the README's "FollowTheMoney" has it as a table):

- an agency is a ``PublicBody`` (state agencies and intergovernmental organisations) or an ``Organization``
  (NGOs, media, others), with its country as ``jurisdiction`` and ``country`` (ISO code), its parent as ``parent``;
- an official is a ``Person``; each post is an ``Occupancy`` (holder, post, start and end) of a ``Position`` (the
  title in its agency: one entity for every holder of the same title in the same agency);
- an agreement is a ``Contract`` (title, kind as ``type``, status, ``contractDate`` when signed); a course and an
  operation are ``Project``\\s; a training centre is an ``Organization``; an event is an ``Event``;
- a party or participant given as a country is that state as a ``PublicBody`` named after the country (a state is
  a legal person: it signs and takes part), one given as a region a ``Territory`` (M49 code, level);
- who takes part links to what: an agreement's parties, signatories and announcer, an operation's legal basis, a
  centre's operator and sponsor, an event's concerns by ``UnknownLink`` (subject, object, ``role``: FtM has no
  interval for a party to a treaty, and ``ContractAward`` would call each party a supplier); a course's and an
  operation's participants by ``ProjectParticipant`` (``UnknownLink`` for a region, which is no legal entity);
- a trafficking route and an assessment are ``Note``\\s (FtM has no schema for either) on the agency or official
  that identified or made it, with the countries concerned as ``country``;
- a source is an ``Article`` (title, ``publisher``, ``sourceUrl``, ``author``, ``publishedAt``); every record's
  entity names its cited sources as ``proof``, ``sourceUrl`` and ``publisher``, and each citation is a
  ``Documentation`` of the record by its source, the quote as its ``summary`` (a post's citation documents its
  holder: FtM documents things, not intervals). A link made of a part (a party, a participant) has the sources of
  the citations that support that part or the record as a whole.

Dates go in only as precise as the source: a partial date whose EDTF value is a plain ISO date or its prefix
(``2012-10``, ``2013``) is an FtM date; an uncertain, approximate or open one ("circa 2014", "2013?") is not, and
the entity's ``notes`` say it as written. Ids are stable: ``coop-<kind>-<pk>`` for records and their parts,
``coop-country-<iso2>``, ``coop-region-<pk>``, a hash of the agency and the title for a position.

Records are read per model in chunks with ``iterator(chunk_size=...)`` and their prefetches, so the number of
queries depends on the number of chunks, not of records, and memory holds one chunk (and the ids of the countries,
regions and positions seen, to write each once). What goes in is the package's ``Selection``: everything, or one
resource's filtered records and what they refer to; kinds of record the reader may not view are left out, and so
are the links to them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connections, models, router
from django.db.models import Prefetch, QuerySet

from cooperation import models as m
from cooperation.tabular.exports import BLOCK_SIZE, snapshot
from cooperation.tabular.package import Selection, all_tables

PREFIX = "coop"
CHUNK_SIZE = 500
#: Agencies that are part of a state, or made by states: public bodies. The others are organisations.
PUBLIC_KINDS = {
    m.AgencyKind.DRUG_CONTROL,
    m.AgencyKind.POLICE,
    m.AgencyKind.MILITARY,
    m.AgencyKind.CUSTOMS,
    m.AgencyKind.INTELLIGENCE,
    m.AgencyKind.MINISTRY,
    m.AgencyKind.JUDICIARY,
    m.AgencyKind.INTERGOVERNMENTAL,
}
_ISO_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")

Entity = dict


# --- Ids and entities -----------------------------------------------------------------------------------------
def entity_id(kind: str, key: object) -> str:
    return f"{PREFIX}-{kind}-{key}"


def hashed_id(kind: str, *key: object) -> str:
    digest = hashlib.sha1("\x1f".join(str(part) for part in key).encode()).hexdigest()
    return f"{PREFIX}-{kind}-{digest[:20]}"


def entity(schema: str, id: str, properties: dict[str, object]) -> Entity:
    """An FtM entity; empty values are left out, each property's values once, in order."""
    kept = {}
    for name, values in properties.items():
        if values is None or isinstance(values, str | int):
            values = [values]
        texts = [str(value).strip() for value in values if value is not None and value is not False]
        texts = list(dict.fromkeys(text for text in texts if text))
        if texts:
            kept[name] = texts
    return {"id": id, "schema": schema, "properties": kept}


def label(record: models.Model, name: str) -> str:
    return str(getattr(record, f"get_{name}_display")()) if getattr(record, name) else ""


def ftm_date(record: models.Model, name: str) -> str | None:
    """The partial date as an FtM date when it is a plain date or its prefix; None otherwise (see ``notes``)."""
    edtf = getattr(record, f"{name}_edtf") or ""
    if not _ISO_DATE.fullmatch(edtf):
        return None
    try:  # EDTF's 2018-21..2018-24 are seasons, not months
        datetime.date.fromisoformat(f"{edtf}-01-01"[:10] if len(edtf) < 10 else edtf)
    except ValueError:
        return None
    return edtf


def vague_dates(record: models.Model, names: dict[str, str]) -> list[str]:
    """Notes for the dates given that are no FtM date: "Signed: circa 2014 (EDTF 2014~)"."""
    notes = []
    for name, title in names.items():
        written, edtf = getattr(record, name), getattr(record, f"{name}_edtf")
        if (written or edtf) and ftm_date(record, name) is None:
            notes.append(f"{title}: {written or edtf}" + (f" (EDTF {edtf})" if edtf and edtf != written else ""))
    return notes


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def code(country: m.Country | None) -> str | None:
    return country.iso2.lower() if country is not None else None


# --- The export -----------------------------------------------------------------------------------------------
@dataclass
class FtmExport:
    #: The chosen records (one resource's, filtered), or None for everything.
    chosen: QuerySet | None = None
    #: Which models' records may go in (the reader's view permissions); None: all.
    may_view: Callable[[type[models.Model]], bool] | None = None
    chunk_size: int = CHUNK_SIZE
    _countries: set = field(default_factory=set, init=False)
    _regions: set = field(default_factory=set, init=False)
    _positions: set = field(default_factory=set, init=False)

    def viewable(self, model: type[models.Model]) -> bool:
        return self.may_view is None or self.may_view(model)

    @property
    def cites(self) -> bool:
        return self.viewable(m.Citation) and self.viewable(m.Source)

    # Each kind of record: its model, what to read with it, and how it becomes entities.
    def exporters(self) -> list[tuple[type[models.Model], Callable[[QuerySet], QuerySet], Callable]]:
        return [
            (m.Source, lambda qs: qs.select_related("publisher"), self.source),
            (m.Agency, lambda qs: qs.select_related("country"), self.agency),
            (m.Official, lambda qs: qs.select_related("country"), self.official),
            (m.Post, lambda qs: qs.select_related("agency__country", "official"), self.post),
            (
                m.Agreement,
                lambda qs: qs.select_related("place", "announced_by").prefetch_related(
                    "areas",
                    "drugs",
                    Prefetch(
                        "parties", m.AgreementParty._base_manager.select_related("country", "region", "agency__country")
                    ),
                    Prefetch("signatories", m.AgreementSignatory._base_manager.select_related("post", "agency")),
                    "links",
                ),
                self.agreement,
            ),
            (
                m.TrainingCentre,
                lambda qs: qs.select_related("host_country", "sponsor_country", "place").prefetch_related("topics"),
                self.centre,
            ),
            (
                m.TrainingCourse,
                lambda qs: qs.select_related("place").prefetch_related(
                    "topics", self.participants_prefetch(m.CourseParticipant)
                ),
                self.course,
            ),
            (
                m.Operation,
                lambda qs: qs.select_related("place").prefetch_related(
                    self.participants_prefetch(m.OperationParticipant),
                    Prefetch("outcomes", m.OperationOutcome._base_manager.select_related("drug")),
                ),
                self.operation,
            ),
            (
                m.Event,
                lambda qs: qs.select_related("country", "region", "place", "speaker_post").prefetch_related(
                    "officials", "agencies", "countries_concerned", "concerns"
                ),
                self.event,
            ),
            (
                m.TraffickingRoute,
                lambda qs: qs.select_related("drug").prefetch_related(
                    Prefetch("nodes", m.RouteNode._base_manager.select_related("country", "region", "place"))
                ),
                self.route,
            ),
            (
                m.Assessment,
                lambda qs: qs.select_related("subject_country", "subject_region", "drug", "market"),
                self.assessment,
            ),
        ]

    @staticmethod
    def participants_prefetch(model: type[models.Model]) -> Prefetch:
        return Prefetch("participants", model._base_manager.select_related("country", "region", "agency__country"))

    def entities(self) -> Iterator[Entity]:
        tables = [table for table in all_tables() if self.viewable(table.record_model)]
        selection = Selection(tables, self.chosen)
        for model, related, export in self.exporters():
            if not self.viewable(model):
                continue
            records = selection.records(model)
            if records is None:
                records = model._base_manager.all()
            records = related(records.order_by("pk"))
            if self.cites and issubclass(model, m.CitedModel):
                records = records.prefetch_related(
                    Prefetch("citations", m.Citation._base_manager.select_related("source__publisher").order_by("pk"))
                )
            for record in records.iterator(chunk_size=self.chunk_size):
                yield from export(record)
        yield from self.countries()
        yield from self.regions()

    def stream(self) -> Iterator[bytes]:
        """The entities as JSON Lines, in blocks, read in one snapshot of the database."""
        using = self.chosen.db if self.chosen is not None else router.db_for_read(m.Agreement)
        with snapshot(connections[using]):
            block: list[str] = []
            size = 0
            for found in self.entities():
                line = json.dumps(found, ensure_ascii=False, separators=(",", ":")) + "\n"
                block.append(line)
                size += len(line)
                if size >= BLOCK_SIZE:
                    yield "".join(block).encode()
                    block, size = [], 0
            yield "".join(block).encode()

    # --- Provenance ---
    def provenance(self, record: models.Model, part: str | None = None) -> dict[str, list]:
        """``proof``, ``sourceUrl`` and ``publisher`` of the sources cited for the record (or for one of its parts:
        the citations that support the part or the record as a whole)."""
        if not self.cites or not isinstance(record, m.CitedModel):
            return {}
        citations = [
            citation
            for citation in record.citations.all()
            if part is None or not citation.supports or part in citation.supports.split()
        ]
        return {
            "proof": [entity_id("source", c.source_id) for c in citations],
            "sourceUrl": [c.source.url for c in citations],
            "publisher": [publisher_name(c.source) for c in citations],
        }

    def documentation(self, record: models.Model, documented: str, what: str = "") -> Iterator[Entity]:
        """Each citation of the record as a ``Documentation`` of ``documented`` (an entity id) by its source."""
        if not self.cites:
            return
        of = f" of {what}" if what else ""
        for citation in record.citations.all():
            stated = ", ".join(
                part
                for part in (
                    f"{citation.get_confidence_display().lower()} confidence",
                    citation.get_modality_display().lower(),
                    f"supports: {citation.supports}" if citation.supports else "",
                )
                if part
            )
            yield entity(
                "Documentation",
                entity_id("citation", citation.pk),
                {
                    "document": entity_id("source", citation.source_id),
                    "entity": documented,
                    "role": f"Citation{of} ({citation.get_kind_display().lower()}; {stated})",
                    "summary": citation.quote,
                    "description": [citation.locator and f"At {citation.locator}", citation.note],
                    "sourceUrl": citation.source.url,
                    "publisher": publisher_name(citation.source),
                    "recordId": citation.pk,
                },
            )

    # --- Parties ---
    def party(self, row) -> tuple[str | None, str]:
        """The entity a party or participant stands for (its id, its FtM schema), noting the country or region
        to write at the end. An agency the reader may not view is no entity: the country given with it stands in."""
        if row.agency_id is not None and self.viewable(m.Agency):
            return entity_id("agency", row.agency_id), "agency"
        if row.country_id is not None:
            self._countries.add(row.country_id)
            return entity_id("country", row.country.iso2.lower()), "country"
        if row.region_id is not None:
            self._regions.add(row.region_id)
            return entity_id("region", row.region_id), "region"
        return None, ""

    def countries(self) -> Iterator[Entity]:
        if not self._countries:
            return
        for country in m.Country._base_manager.filter(pk__in=sorted(self._countries)).order_by("pk"):
            yield entity(
                "PublicBody",
                entity_id("country", country.iso2.lower()),
                {
                    "name": country.name,
                    "alias": country.official_name,
                    "classification": "State",
                    "jurisdiction": code(country),
                    "country": code(country),
                },
            )

    def regions(self) -> Iterator[Entity]:
        if not self._regions:
            return
        for region in m.Region._base_manager.filter(pk__in=sorted(self._regions)).order_by("pk"):
            yield entity(
                "Territory",
                entity_id("region", region.pk),
                {
                    "name": region.name,
                    "territoryCode": region.m49_code,
                    "level": region.get_level_display(),
                    "description": region.description,
                },
            )

    def link(self, id: str, subject: str, object: str, role: str, **properties) -> Entity:
        return entity("UnknownLink", id, {"subject": subject, "object": object, "role": role, **properties})

    # --- Records ---
    def source(self, source: m.Source) -> Iterator[Entity]:
        yield entity(
            "Article",
            entity_id("source", source.pk),
            {
                "title": source.title,
                "name": source.title,
                "publisher": publisher_name(source),
                "sourceUrl": source.url,
                "author": source.authors,
                "publishedAt": ftm_date(source, "published"),
                "retrievedAt": source.retrieved.isoformat() if source.retrieved else None,
                "notes": [*vague_dates(source, {"published": "Published"}), source.get_kind_display(), source.note],
            },
        )

    def agency(self, agency: m.Agency) -> Iterator[Entity]:
        id = entity_id("agency", agency.pk)
        yield entity(
            "PublicBody" if agency.kind in PUBLIC_KINDS else "Organization",
            id,
            {
                "name": agency.name,
                "abbreviation": agency.acronym,
                "alias": lines(agency.other_names),
                "classification": label(agency, "kind"),
                "jurisdiction": code(agency.country),
                "country": code(agency.country),
                "parent": entity_id("agency", agency.parent_id) if agency.parent_id else None,
                "website": agency.website,
                "description": agency.description,
                **self.provenance(agency),
            },
        )
        yield from self.documentation(agency, id)

    def official(self, official: m.Official) -> Iterator[Entity]:
        id = entity_id("official", official.pk)
        yield entity(
            "Person",
            id,
            {
                "name": official.name,
                "alias": lines(official.other_names),
                "country": code(official.country),
                "description": official.description,
                **self.provenance(official),
            },
        )
        yield from self.documentation(official, id)

    def position_id(self, post: m.Post) -> str:
        return hashed_id("position", post.agency_id, post.title.casefold())

    def post(self, post: m.Post) -> Iterator[Entity]:
        if not self.viewable(m.Agency) or not self.viewable(m.Official):
            return  # an occupancy needs its holder, a position its organisation
        position = self.position_id(post)
        if position not in self._positions:
            self._positions.add(position)
            yield entity(
                "Position",
                position,
                {
                    "name": f"{post.title}, {post.agency.name}",
                    "organization": entity_id("agency", post.agency_id),
                    "country": code(post.agency.country),
                },
            )
        holder = entity_id("official", post.official_id)
        yield entity(
            "Occupancy",
            entity_id("post", post.pk),
            {
                "holder": holder,
                "post": position,
                "startDate": ftm_date(post, "start"),
                "endDate": ftm_date(post, "end"),
                "description": [*vague_dates(post, {"start": "Start", "end": "End"}), post.note],
                "recordId": post.pk,
                **self.provenance(post),
            },
        )
        yield from self.documentation(post, holder, what=f"the post {post.title}")

    def agreement(self, agreement: m.Agreement) -> Iterator[Entity]:
        id = entity_id("agreement", agreement.pk)
        parties = list(agreement.parties.all())
        countries = [code(p.country) for p in parties if p.country_id] + [
            code(p.agency.country) for p in parties if p.agency_id and p.agency.country_id
        ]
        yield entity(
            "Contract",
            id,
            {
                "title": agreement.title,
                "name": agreement.title,
                "type": label(agreement, "kind"),
                "status": label(agreement, "status"),
                "contractDate": ftm_date(agreement, "signed"),
                "summary": agreement.summary,
                "keywords": [area.name for area in agreement.areas.all()]
                + [drug.name for drug in agreement.drugs.all()],
                "country": countries,
                "address": place_text(agreement.place),
                "notes": [
                    agreement.announced and f"Announced: {agreement.announced}",
                    agreement.start and f"In force from: {agreement.start}",
                    agreement.end and f"Ends: {agreement.end}",
                    *vague_dates(agreement, {"signed": "Signed"}),
                ],
                **self.provenance(agreement),
            },
        )
        yield from self.documentation(agreement, id)
        for row in parties:
            party, _ = self.party(row)
            if party is not None:
                yield self.link(
                    entity_id("agreement-party", row.pk),
                    party,
                    id,
                    label(row, "role"),
                    description=row.note,
                    **self.provenance(agreement, "parties"),
                )
        for row in agreement.signatories.all():
            if row.official_id is not None and self.viewable(m.Official):
                subject = entity_id("official", row.official_id)
            elif row.agency_id is not None and self.viewable(m.Agency):
                subject = entity_id("agency", row.agency_id)
            else:
                continue
            on_behalf = f" for {row.agency.name}" if row.official_id and row.agency_id else ""
            yield self.link(
                entity_id("agreement-signatory", row.pk),
                subject,
                id,
                f"Signatory{on_behalf}",
                description=[row.post and f"As {row.post.title}", row.note],
                **self.provenance(agreement, "signatories"),
            )
        if agreement.announced_by_id and self.viewable(m.Official):
            yield self.link(
                entity_id("agreement-announcer", agreement.pk),
                entity_id("official", agreement.announced_by_id),
                id,
                "Announced",
                date=ftm_date(agreement, "announced"),
                **self.provenance(agreement, "announced_by"),
            )
        for row in agreement.links.all():
            yield self.link(
                entity_id("agreement-link", row.pk),
                id,
                entity_id("agreement", row.target_id),
                label(row, "kind"),
                description=row.note,
                **self.provenance(agreement, "links"),
            )

    def centre(self, centre: m.TrainingCentre) -> Iterator[Entity]:
        id = entity_id("training-centre", centre.pk)
        expected = m.TrainingCentre.quantities[0].value(centre)
        yield entity(
            "Organization",
            id,
            {
                "name": centre.name,
                "classification": "Training centre",
                "status": label(centre, "status"),
                "jurisdiction": code(centre.host_country),
                "country": [code(centre.host_country), code(centre.sponsor_country)],
                "address": place_text(centre.place),
                "keywords": [topic.name for topic in centre.topics.all()],
                "summary": centre.summary,
                "notes": expected is not None and f"Expected participating countries: {expected}",
                **self.provenance(centre),
            },
        )
        yield from self.documentation(centre, id)
        if centre.operator_id and self.viewable(m.Agency):
            yield self.link(
                entity_id("training-centre-operator", centre.pk),
                entity_id("agency", centre.operator_id),
                id,
                "Operator",
                **self.provenance(centre, "operator"),
            )
        if centre.sponsor_country_id:
            self._countries.add(centre.sponsor_country_id)
            yield self.link(
                entity_id("training-centre-sponsor", centre.pk),
                entity_id("country", centre.sponsor_country.iso2.lower()),
                id,
                "Sponsor",
                **self.provenance(centre, "sponsor_country"),
            )

    def participants(self, record, id: str, kind: str) -> Iterator[Entity]:
        """A course's or an operation's participants: ``ProjectParticipant``, or ``UnknownLink`` for a region."""
        for row in record.participants.all():
            participant, what = self.party(row)
            if participant is None:
                continue
            trainees = (
                getattr(row, "trainees", None) is not None
                and f"Trainees: {m.CourseParticipant.quantities[0].value(row)}"
            )
            common = {"description": trainees or None, **self.provenance(record, "participants")}
            if what == "region":
                yield self.link(entity_id(f"{kind}-participant", row.pk), participant, id, label(row, "role"), **common)
            else:
                yield entity(
                    "ProjectParticipant",
                    entity_id(f"{kind}-participant", row.pk),
                    {"project": id, "participant": participant, "role": label(row, "role"), **common},
                )

    def course(self, course: m.TrainingCourse) -> Iterator[Entity]:
        id = entity_id("training-course", course.pk)
        total = m.TrainingCourse.quantities[0].value(course)
        yield entity(
            "Project",
            id,
            {
                "name": course.title,
                "status": label(course, "status"),
                "startDate": ftm_date(course, "start"),
                "endDate": ftm_date(course, "end"),
                "summary": course.summary,
                "keywords": [topic.name for topic in course.topics.all()],
                "country": [code(p.country) for p in course.participants.all() if p.country_id],
                "address": place_text(course.place),
                "notes": [
                    "Training course",
                    course.session and f"Session {course.session}",
                    total is not None and f"Trained in all: {total}",
                    *vague_dates(course, {"start": "Start", "end": "End"}),
                ],
                **self.provenance(course),
            },
        )
        yield from self.documentation(course, id)
        yield from self.participants(course, id, "training-course")
        if course.centre_id and self.viewable(m.TrainingCentre):
            yield entity(
                "ProjectParticipant",
                entity_id("training-course-centre", course.pk),
                {
                    "project": id,
                    "participant": entity_id("training-centre", course.centre_id),
                    "role": "Training centre",
                    **self.provenance(course, "centre"),
                },
            )
        if course.provider_id and self.viewable(m.Agency):
            yield entity(
                "ProjectParticipant",
                entity_id("training-course-provider", course.pk),
                {
                    "project": id,
                    "participant": entity_id("agency", course.provider_id),
                    "role": "Provider",
                    **self.provenance(course, "provider"),
                },
            )

    def operation(self, operation: m.Operation) -> Iterator[Entity]:
        id = entity_id("operation", operation.pk)
        yield entity(
            "Project",
            id,
            {
                "name": operation.name,
                "status": label(operation, "status"),
                "startDate": ftm_date(operation, "start"),
                "endDate": ftm_date(operation, "end"),
                "summary": operation.summary,
                "country": [code(p.country) for p in operation.participants.all() if p.country_id],
                "address": place_text(operation.place),
                "notes": [
                    "Joint operation",
                    *(f"Outcome: {outcome}" for outcome in operation.outcomes.all()),
                    *vague_dates(operation, {"start": "Start", "end": "End"}),
                ],
                **self.provenance(operation),
            },
        )
        yield from self.documentation(operation, id)
        yield from self.participants(operation, id, "operation")
        if operation.legal_basis_id and self.viewable(m.Agreement):
            yield self.link(
                entity_id("operation-legal-basis", operation.pk),
                id,
                entity_id("agreement", operation.legal_basis_id),
                "Legal basis",
                **self.provenance(operation, "legal_basis"),
            )

    #: What an event may concern that is exported, with its entity kind.
    CONCERNED = {
        "agreement": (m.Agreement, "agreement"),
        "training_centre": (m.TrainingCentre, "training-centre"),
        "training_course": (m.TrainingCourse, "training-course"),
        "operation": (m.Operation, "operation"),
        "other_event": (m.Event, "event"),
    }

    def event(self, event: m.Event) -> Iterator[Entity]:
        id = entity_id("event", event.pk)
        involved = []
        if self.viewable(m.Official):
            involved += [entity_id("official", official.pk) for official in event.officials.all()]
        if self.viewable(m.Agency):
            involved += [entity_id("agency", agency.pk) for agency in event.agencies.all()]
        yield entity(
            "Event",
            id,
            {
                "name": event.title,
                "date": ftm_date(event, "date"),
                "summary": event.summary,
                "involved": involved,
                "location": place_text(event.place) or (event.region.name if event.region_id else None),
                "country": [code(event.country), *(code(c) for c in event.countries_concerned.all())],
                "notes": [
                    label(event, "kind"),
                    event.stance and f"Stance: {label(event, 'stance')}",
                    event.speaker_post_id and f"Speaker's post: {event.speaker_post.title}",
                    *vague_dates(event, {"date": "Date"}),
                ],
                **self.provenance(event),
            },
        )
        yield from self.documentation(event, id)
        for concern in event.concerns.all():
            for name, (model, kind) in self.CONCERNED.items():
                target = getattr(concern, f"{name}_id")
                if target is not None and self.viewable(model):
                    yield self.link(
                        entity_id("event-concern", concern.pk),
                        id,
                        entity_id(kind, target),
                        "Concerns",
                        description=concern.note,
                        **self.provenance(event, "concerns"),
                    )

    def route(self, route: m.TraffickingRoute) -> Iterator[Entity]:
        """A route as a ``Note`` (FtM has no schema for a route) on the agency that identified it."""
        id = entity_id("trafficking-route", route.pk)
        nodes = list(route.nodes.all())
        stops = " \u2192 ".join(
            f"{node.position}. {node.place.name + ', ' if node.place_id else ''}{node.country or node.region} "
            f"({label(node, 'role').lower()})"
            for node in nodes
        )
        yield entity(
            "Note",
            id,
            {
                "name": route.name,
                "entity": entity_id("agency", route.identified_by_id)
                if route.identified_by_id and self.viewable(m.Agency)
                else None,
                "country": [code(node.country) for node in nodes],
                "keywords": [
                    "Trafficking route",
                    route.drug.name,
                    label(route, "transport_mode"),
                    label(route, "status"),
                ],
                "description": stops,
                "summary": route.summary,
                "notes": [
                    route.concealment and f"Concealment: {route.concealment}",
                    route.first_reported and f"First reported: {route.first_reported}",
                ],
                **self.provenance(route),
            },
        )
        yield from self.documentation(route, id)

    def assessment(self, assessment: m.Assessment) -> Iterator[Entity]:
        """An assessment as a ``Note`` on who makes it: the claim, about a country (its code) or a region."""
        id = entity_id("assessment", assessment.pk)
        assessors = []
        if assessment.assessed_by_agency_id and self.viewable(m.Agency):
            assessors.append(entity_id("agency", assessment.assessed_by_agency_id))
        if assessment.assessed_by_official_id and self.viewable(m.Official):
            assessors.append(entity_id("official", assessment.assessed_by_official_id))
        yield entity(
            "Note",
            id,
            {
                "name": str(assessment),
                "entity": assessors,
                "summary": assessment.claim,
                "country": code(assessment.subject_country),
                "keywords": [
                    "Assessment",
                    assessment.drug.name if assessment.drug_id else None,
                    label(assessment, "role"),
                    label(assessment, "trend"),
                    label(assessment, "likelihood"),
                ],
                "notes": [
                    assessment.subject_region_id and f"Subject: {assessment.subject_region.name}",
                    assessment.market_id and f"Market: {assessment.market.name}",
                    assessment.as_of and f"As of: {assessment.as_of}",
                ],
                **self.provenance(assessment),
            },
        )
        yield from self.documentation(assessment, id)


def publisher_name(source: m.Source) -> str:
    return source.publisher.name if source.publisher_id else source.publisher_name


def place_text(place: m.Place | None) -> str | None:
    return place.name if place is not None else None


__all__ = ["FtmExport", "entity_id"]
