"""What each kind of record looks like: its fields, its parts, and the sentences that its sources say about it.

A mixin of the Generator: each method makes one record (and its parts) in the current block, draws from the
phase's ``rng``, appends rows to ``self.rows`` and cites the record with sentences about it.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from cooperation import models as m
from cooperation.duplicates import digest
from cooperation.names import comparable
from synthetic import words
from synthetic.dates import phrase
from synthetic.distributions import (
    AGENCIES_PER_EVENT,
    AGREEMENT_KIND,
    AGREEMENT_STATUS,
    AREAS_PER_AGREEMENT,
    ASSESSED_BY,
    ASSESSMENT_ROLE,
    CENTRE_STATUS,
    CITATIONS_PER_AGREEMENT,
    COUNTRIES_PER_EVENT,
    EVENT_KIND,
    LIKELIHOOD,
    LINK_KIND,
    NODES_PER_ROUTE,
    OFFICIALS_PER_EVENT,
    OPERATION_STATUS,
    OUTCOME_KIND,
    OUTCOMES_PER_OPERATION,
    PARTICIPANT_ROLE,
    PARTICIPANTS_PER_OPERATION,
    PARTIES_PER_AGREEMENT,
    PARTY_ROLE,
    POSTS_PER_OFFICIAL,
    ROUTE_STATUS,
    SEIZURE_UNIT,
    STANCE,
    TRANSPORT_MODE,
    TREND,
)
from synthetic.marks import SYNTHETIC_URL_PREFIX
from synthetic.words import article, join, lower_first, sentence

if TYPE_CHECKING:
    from synthetic.generator import Block


class Records:
    """The Generator's record makers; ``_<kind>(i, rng, block, created)`` makes record i of its phase."""

    def _country(self, rng: random.Random) -> tuple[str, str]:
        return self.ref.country_choice(rng)

    def _agency_of(self, rng: random.Random, country_id: str | None) -> str:
        """An agency of the country when it has one (most of the time), otherwise any agency."""
        local = self.agencies_by_country.get(country_id) if country_id else None
        if local and rng.random() < 0.8:
            return rng.choice(local)
        return str(self.first_ids["agencies"] + rng.randrange(self.counts["agencies"]))

    def _agency_name(self, agency_id: str) -> str:
        return self.agency_names[int(agency_id) - self.first_ids["agencies"]]

    def _duplicate_check(self, table: str, values: list) -> tuple[str, str]:
        """``duplicate_key, confirmed_distinct`` as the services would store them, from the values compared
        (see cooperation.duplicates): generated names repeat (two officials called Ana Torres in Peru), and each
        repeat counts as confirmed distinct, as a client would have confirmed it."""
        key = digest(tuple(values))
        seen = self.duplicate_keys.setdefault(table, set())
        confirmed = key in seen
        seen.add(key)
        return key, "1" if confirmed else "0"

    def _party_identity(self, country: str, region: str, agency: str) -> str:
        """As ``cooperation.duplicates`` names a party: a party given as an agency is that agency."""
        for kind, pk in (("agency", agency), ("country", country), ("region", region)):
            if pk != self.null:
                return f"{kind}:{pk}"
        return ""

    def _exact(self, value: str) -> tuple[str, str, str, str]:
        """A quantity's columns (value, qualifier, lower and upper bound) for a number as the source gives it."""
        return (value, "", value, value) if value == self.null else (value, "exact", value, value)

    def _fk(self, value: str | None) -> int | None:
        return None if value == self.null else int(value)

    # --- one method per kind of record (posts come with their official) ---------------------------------

    def _agency(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        agency_id = self._next("agencies")
        international = rng.random() < 0.08
        if international:
            kind, template, acronym = rng.choice(words.INTERNATIONAL_TEMPLATES)
            country_id, country = self.null, ""
        else:
            kind, template, acronym = rng.choice(words.AGENCY_TEMPLATES)
            country_id, country = self._country(rng)
        name = f"{template}, {rng.choice(words.DIVISIONS)} {i + 1}"  # the number keeps names unique
        local = self.agencies_by_country.setdefault(country_id, []) if country else []
        parent = rng.choice(local) if local and rng.random() < 0.25 else self.null
        website = f"{SYNTHETIC_URL_PREFIX}agencies/{i + 1}" if rng.random() < 0.4 else ""
        other = f"{template} of {country}" if country and rng.random() < 0.15 else ""
        tracked = self._tracked(rng, created)
        check = self._duplicate_check("agencies", [comparable(name), self._fk(country_id)])
        self.rows["agencies"].append(
            (str(agency_id), name, acronym, other, kind, country_id, parent, website, "", *check, *tracked)
        )
        self.agency_names.append(name)
        if country:
            local.append(str(agency_id))
        noun = words.AGENCY_NOUNS[kind]
        where = f"in {country}" if country else "working across borders"
        self._cite(block, rng, m.Agency, agency_id, [f"The {name} ({acronym}) is {article(noun)} {noun} {where}."],
                   tracked[0])  # fmt: skip

    def _official(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        official_id = self._next("officials")
        name = f"{rng.choice(words.GIVEN_NAMES)} {rng.choice(words.FAMILY_NAMES)}"
        self.official_names.append(name)
        country_id, country = self._country(rng) if rng.random() < 0.95 else (self.null, "")
        tracked = self._tracked(rng, created)
        other = f"{name[0]}. {name.split(' ', 1)[1]}" if rng.random() < 0.1 else ""
        check = self._duplicate_check("officials", [comparable(name), self._fk(country_id)])
        self.rows["officials"].append((str(official_id), name, other, country_id, "", *check, *tracked))
        where = f"from {country}" if country else "of an international body"
        self._cite(block, rng, m.Official, official_id, [f"{name}, a senior official {where}, spoke to reporters."],
                   tracked[0])  # fmt: skip
        for _ in range(POSTS_PER_OFFICIAL(rng)):
            self._post(rng, block, created, official_id, name, country_id if country else None)

    def _post(self, rng, block, created, official_id, official, country_id) -> None:
        post_id = self._next("posts")
        agency_id = self._agency_of(rng, country_id)
        agency = self._agency_name(agency_id)
        title = rng.choice(words.POST_TITLES)
        starts = self.dates.day(rng)
        start = self.dates.maybe(rng, 0.6, starts)
        end = self.dates.maybe(rng, 0.3, starts + rng.randrange(180, 3000))
        note = "The sources do not say since when." if not start[0] and rng.random() < 0.3 else ""
        tracked = self._tracked(rng, created)
        self.rows["posts"].append((str(post_id), str(official_id), agency_id, title, *start, *end, note, *tracked))
        if end[0]:
            quote = f"{official} served as {title} of the {agency} until {end[0]}."
        elif start[0]:
            quote = f"{official} has been {title} of the {agency} since {start[0]}."
        else:
            quote = f"{official} is {title} of the {agency}."
        self._cite(block, rng, m.Post, post_id, [quote], tracked[0])

    def _parties(self, rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
        """(country, region, agency, name) of distinct parties: mostly countries, some regions and agencies."""
        parties, seen = [], set()
        while len(parties) < count:
            draw = rng.random()
            if draw < 0.82:
                pk, name = self._country(rng)
                key, party = ("c", pk), (pk, self.null, self.null, name)
            elif draw < 0.91:
                pk, name = rng.choice(self.ref.regions)
                key, party = ("r", pk), (self.null, pk, self.null, name)
            else:
                pk = str(self.first_ids["agencies"] + rng.randrange(self.counts["agencies"]))
                key, party = ("a", pk), (self.null, self.null, pk, f"the {self._agency_name(pk)}")
            if key not in seen:
                seen.add(key)
                parties.append(party)
        return parties

    def _agreement(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        agreement_id = self._next("agreements")
        key = str(agreement_id)
        kind = AGREEMENT_KIND(rng)
        noun = words.AGREEMENT_NOUNS[kind]
        status = AGREEMENT_STATUS(rng)
        parties = self._parties(rng, PARTIES_PER_AGREEMENT(rng))
        areas = rng.sample(self.ref.areas, AREAS_PER_AGREEMENT(rng))
        tracked = self._tracked(rng, created)
        stamp = tracked[0]

        dates = self.dates
        unknown = dates.unknown
        day = dates.day(rng)
        announced = signed = start = end = unknown
        if status in ("announced", "negotiating"):
            announced = dates.maybe(rng, 0.85 if status == "announced" else 0.7, day)
        else:
            announced = dates.maybe(rng, 0.3, day)
            signed_on = day + rng.randrange(0, 400)
            signed = dates.maybe(rng, 0.9, signed_on)
            starts = signed_on + rng.randrange(0, 365)
            start = dates.maybe(rng, {"signed": 0.4, "in_force": 0.7}.get(status, 0.55), starts)
            if status in ("expired", "terminated"):
                end = dates.maybe(rng, 0.75, starts + rng.randrange(30, 3650))

        names = [party[3] for party in parties]
        area_names = join([lower_first(name) for _, name in areas])
        if status == "announced":
            others = join(names[1:])
            first = f"{names[0]} announced plans with {others} for cooperation on {area_names}{phrase(announced)}."
        elif status == "negotiating":
            first = f"{join(names)} are negotiating {article(noun)} {noun} on {area_names}."
        else:
            first = f"{join(names)} signed {article(noun)} {noun} on {area_names}{phrase(signed)}."
        quotes = [first]
        citations = CITATIONS_PER_AGREEMENT(rng)
        if citations > 1:
            area = lower_first(rng.choice(areas)[1])
            quotes.append(f"Under the {noun}, {names[0]} and {names[1]} will work together on {area}.")
        if citations > 2:
            ends = {"expired": "expired", "terminated": "was terminated"}.get(status)
            if ends:
                quotes.append(f"The {noun} between {names[0]} and {names[1]} {ends}{phrase(end)}.")
            else:
                quotes.append(f"Talks between {names[0]} and {names[1]} began{phrase(announced)}.")
        announced_by = self.null
        if rng.random() < 0.25:
            announced_by = str(self.first_ids["officials"] + rng.randrange(self.counts["officials"]))
        area = lower_first(areas[0][1])
        title = sentence(f"{noun} between {names[0]} and {names[1]} on {area}")
        if len(names) > 2:
            title = sentence(f"{noun} on {area}: {names[0]}, {names[1]} and {len(names) - 2} more")
        summary = first if rng.random() < 0.6 else ""
        identities = sorted(self._party_identity(country, region, agency) for country, region, agency, _ in parties)
        check = self._duplicate_check("agreements", [comparable(title), comparable(signed[1]), identities])
        self.rows["agreements"].append(
            (key, title, kind, status, summary, announced_by, *announced, *signed, *start, *end, *check, *tracked)
        )
        self.rows["agreement areas"].extend((key, pk) for pk, _ in areas)
        if status not in ("announced", "negotiating") and rng.random() < 0.5:
            officials, signatories = self.counts["officials"], self.rows["agreement signatories"]
            for offset in rng.sample(range(officials), min(officials, rng.randint(1, 2))):
                official = str(self.first_ids["officials"] + offset)
                signatories.append((key, official, self.null, self.null, "", stamp, stamp, "1"))
            if rng.random() < 0.2:  # a ministry or a police force signs, no person named
                agency = str(self.first_ids["agencies"] + rng.randrange(self.counts["agencies"]))
                signatories.append((key, self.null, self.null, agency, "", stamp, stamp, "1"))
        if agreement_id > self.first_ids["agreements"] and rng.random() < 0.1:  # amends an earlier one
            target = str(self.first_ids["agreements"] + rng.randrange(agreement_id - self.first_ids["agreements"]))
            self.rows["agreement links"].append((key, LINK_KIND(rng), target, "", stamp, stamp, "1"))
        party_rows = self.rows["agreement parties"]
        for position, (country, region, agency, _) in enumerate(parties):
            role = ("party" if rng.random() < 0.7 else "signatory") if position < 2 else PARTY_ROLE(rng)
            note = "several countries, not named" if region != self.null and rng.random() < 0.3 else ""
            party_rows.append((key, country, region, agency, role, note, stamp, stamp, "1"))
        modality = {"announced": "announced", "negotiating": "planned"}.get(status)
        self._cite(block, rng, m.Agreement, agreement_id, quotes, stamp, modality)

    def _route(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        route_id = self._next("trafficking routes")
        key = str(route_id)
        drug_id, drug = self.ref.drugs(rng)
        count = NODES_PER_ROUTE(rng)
        stops, seen = [], set()
        while len(stops) < count:
            if rng.random() < 0.85:
                pk, name = self._country(rng)
                stop = (pk, self.null, name)
            else:
                pk, name = rng.choice(self.ref.regions)
                stop = (self.null, pk, name)
            if pk + name not in seen:
                seen.add(pk + name)
                stops.append(stop)
        tracked = self._tracked(rng, created)
        stamp = tracked[0]
        for position, (country, region, _) in enumerate(stops, start=1):
            if position == 1:
                role = "origin"
            elif position == count:
                role = "destination"
            else:
                role = "departure" if position == 2 and rng.random() < 0.3 else "transit"
            _place = rng.choice(words.PLACES) if rng.random() < 0.25 else ""  # drawn as before; not written
            self.rows["route nodes"].append((key, str(position), country, region, role, stamp, stamp, "1"))
        concealment = rng.choice(words.CONCEALMENTS) if rng.random() < 0.6 else ""
        identified_by = self._agency_of(rng, stops[-1][0]) if rng.random() < 0.6 else self.null
        status = ROUTE_STATUS(rng)
        first_reported = self.dates.maybe(rng, 0.7, self.dates.day(rng))
        origin, destination = stops[0][2], stops[-1][2]
        via = f" via {join([stop[2] for stop in stops[1:-1]])}" if count > 2 else ""
        hidden = f", hidden in {concealment}" if concealment else ""
        quotes = [f"{drug.capitalize()} is trafficked from {origin}{via} to {destination}{hidden}."]
        if identified_by != self.null:
            quotes.append(
                f"The route was identified by the {self._agency_name(identified_by)}{phrase(first_reported)}."
            )
        self.rows["trafficking routes"].append(
            (key, f"{drug.capitalize()} route from {origin} to {destination}", drug_id, concealment,
             TRANSPORT_MODE(rng), identified_by, status, *first_reported, "", *tracked)
        )  # fmt: skip
        self._cite(block, rng, m.TraffickingRoute, route_id, quotes, stamp)

    def _centre(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        centre_id = self._next("training centres")
        key = str(centre_id)
        host_id, host = self._country(rng)
        sponsor_id, sponsor = self._country(rng) if rng.random() < 0.6 else (self.null, "")
        if sponsor_id == host_id:
            sponsor_id, sponsor = self.null, ""
        operator = self._agency_of(rng, host_id) if rng.random() < 0.7 else self.null
        status = CENTRE_STATUS(rng)
        opened = self.dates.unknown
        if status in ("operational", "closed"):
            opened = self.dates.maybe(rng, 0.8, self.dates.day(rng))
        kind = rng.choice(words.CENTRE_KINDS)
        _place = (
            f"near {rng.choice(words.PLACES)}" if rng.random() < 0.5 else ""
        )  # drawn as before, so the rest of the data stays the same; not written (places are records now)
        topics = rng.sample(self.ref.topics, rng.randint(1, 4))
        expected = str(rng.randint(2, 20)) if rng.random() < 0.4 else self.null
        tracked = self._tracked(rng, created)
        name = f"{kind} in {host}"
        check = self._duplicate_check("training centres", [comparable(name), self._fk(host_id)])
        self.rows["training centres"].append(
            (key, name, host_id, operator, sponsor_id, status, *self._exact(expected), "", *check, *tracked)
        )
        if opened != self.dates.unknown:  # the centre's opening, on no source in particular (its citations hold it)
            self.rows["centre milestones"].append((key, "opened", *opened, self.null, "", tracked[0], tracked[0], "1"))
        self.rows["training centre topics"].extend((key, pk) for pk, _ in topics)
        run_by = f", run by the {self._agency_name(operator)}," if operator != self.null else ""
        funded = f" with funding from {sponsor}" if sponsor else ""
        state = {"planned": "is planned", "under_construction": "is being set up", "closed": "has closed"}
        quote = f"A {lower_first(kind)} in {host}{run_by} {state.get(status, 'trains officers')}{funded}."
        topic_names = join([lower_first(name) for _, name in topics])
        quotes = [quote, f"The centre in {host} offers training in {topic_names}."]
        self._cite(block, rng, m.TrainingCentre, centre_id, quotes[: rng.randint(1, 2)], tracked[0])

    def _course(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        course_id = self._next("training courses")
        key = str(course_id)
        centre = self.null
        if rng.random() < 0.8:
            centre = str(self.first_ids["training centres"] + rng.randrange(self.counts["centres"]))
        provider = self._agency_of(rng, None) if rng.random() < 0.6 else self.null
        starts = self.dates.day(rng)
        start = self.dates.maybe(rng, 0.8, starts)
        end = self.dates.maybe(rng, 0.6, starts + rng.randrange(5, 90))
        topics = rng.sample(self.ref.topics, rng.randint(1, 3))
        countries = self.ref.country_choice.distinct(rng, rng.randint(1, 8))
        tracked = self._tracked(rng, created)
        stamp = tracked[0]
        trainees = []
        for country_id, _ in countries:
            number = rng.randint(2, 40) if rng.random() < 0.7 else None
            trainees.append(number)
            # The trainees' agency is one of their country's: a participant's agency of another country is refused.
            local = self.agencies_by_country.get(country_id)
            agency = rng.choice(local) if local and rng.random() < 0.2 else self.null
            self.rows["course participants"].append(
                (key, country_id, agency, "participant", *self._exact(str(number) if number is not None else self.null))
                + (stamp,)
                + (stamp, "1")
            )
        total = sum(trainees) if None not in trainees and rng.random() < 0.8 else None
        topic_names = join([lower_first(name) for _, name in topics])
        title = f"{rng.choice(words.COURSE_KINDS)} {lower_first(topics[0][1])}"
        self.rows["training courses"].append(
            (key, title, centre, "held", provider, *start, *end)
            + (*self._exact(str(total) if total is not None else self.null), "", *tracked)
        )
        if end != self.dates.unknown:  # "were trained": the course was held, by its end
            self.rows["course milestones"].append((key, "held", *end, self.null, "", stamp, stamp, "1"))
        self.rows["training course topics"].extend((key, pk) for pk, _ in topics)
        who = f"{total} officers" if total is not None else "Officers"
        where = " at the centre" if centre != self.null else ""
        quote = (
            f"{who} from {join([name for _, name in countries])} were trained in {topic_names}{where}{phrase(start)}."
        )
        self._cite(block, rng, m.TrainingCourse, course_id, [quote], stamp)

    def _operation(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        operation_id = self._next("operations")
        key = str(operation_id)
        status = OPERATION_STATUS(rng)
        starts = self.dates.day(rng)
        start = self.dates.maybe(rng, 0.85, starts)
        end = (
            self.dates.maybe(rng, 0.7, starts + rng.randrange(1, 700)) if status == "completed" else self.dates.unknown
        )
        legal_basis = self.null
        if rng.random() < 0.2:
            legal_basis = str(self.first_ids["agreements"] + rng.randrange(self.counts["agreements"]))
        name = f"Operation {rng.choice(words.OPERATION_WORDS)}"
        tracked = self._tracked(rng, created)
        stamp = tracked[0]
        names, seen = [], set()
        for position in range(PARTICIPANTS_PER_OPERATION(rng)):
            if rng.random() < 0.85:
                pk, label = self._country(rng)
                row = (key, pk, self.null)
            else:
                pk = self._agency_of(rng, None)
                label = f"the {self._agency_name(pk)}"
                row = (key, self.null, pk)
            if label in seen:
                continue
            seen.add(label)
            names.append(label)
            role = "lead" if position == 0 else PARTICIPANT_ROLE(rng)
            self.rows["operation participants"].append((*row, role, stamp, stamp, "1"))
        results = []
        for _ in range(OUTCOMES_PER_OPERATION(rng)):
            kind = OUTCOME_KIND(rng)
            drug, quantity, unit, description = self.null, self.null, "", ""
            if kind == "seizure":
                drug, drug_name = self.ref.drugs(rng)
                unit = SEIZURE_UNIT(rng)
                amount = rng.randint(1, 5_000_000) if unit != "units" else rng.randint(1, 200_000) * 1000
                quantity = f"{amount // 1000}.{amount % 1000:03d}"
                results.append(f"the seizure of {amount // 1000:,} {words.UNIT_WORDS[unit]} of {drug_name}")
            elif kind == "arrests":
                if rng.random() < 0.85:
                    arrested = rng.randint(1, 300)
                    quantity, unit = f"{arrested}.000", "persons"
                    results.append(f"{arrested} arrests")
                else:
                    results.append("several arrests")
            elif kind == "laboratory_dismantled":
                labs = rng.randint(1, 20)
                quantity, unit = f"{labs}.000", "laboratories"
                results.append(f"the dismantling of {labs} laboratories")
            elif kind == "crop_eradicated":
                hectares = rng.randint(1, 50_000)
                quantity, unit = f"{hectares}.000", "ha"
                results.append(f"the eradication of {hectares:,} hectares of crops")
            else:
                description = "Weapons and cash seized."
                results.append("the seizure of weapons and cash")
            self.rows["operation outcomes"].append(
                (key, kind, drug, *self._exact(quantity), unit, description, stamp, stamp, "1")
            )
        if results:
            outcome = f"led to {join(results)}"
        else:
            outcome = {"planned": "is being planned", "ongoing": "is under way", "suspended": "was suspended"}.get(
                status, "ended without reported results"
            )
        quote = f"{name}, a joint operation by {join(names)}{phrase(start)}, {outcome}."
        self.rows["operations"].append((key, name, status, *start, *end, legal_basis, "", *tracked))
        self._cite(block, rng, m.Operation, operation_id, [quote], stamp)

    def _event(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        event_id = self._next("events")
        key = str(event_id)
        kind = EVENT_KIND(rng)
        date = self.dates.maybe(rng, 0.9, self.dates.day(rng))
        draw = rng.random()
        country = region = self.null
        where = ""
        if draw < 0.7:
            country, where = self._country(rng)
        elif draw < 0.85:
            region, where = rng.choice(self.ref.regions)
        _place = rng.choice(words.PLACES) if where and rng.random() < 0.3 else ""
        officials = self.counts["officials"]
        people = rng.sample(range(officials), min(officials, OFFICIALS_PER_EVENT(rng)))
        agencies = rng.sample(range(self.counts["agencies"]), AGENCIES_PER_EVENT(rng))
        concerned = self.ref.country_choice.distinct(rng, COUNTRIES_PER_EVENT(rng))
        tracked = self._tracked(rng, created)
        stamp = tracked[0]
        speaker = self.official_names[people[0]] if people else "Officials"
        place_phrase = f" in {where}" if where else ""
        about = f" about {join([name for _, name in concerned])}" if concerned else ""
        quote = f"{speaker} {words.EVENT_VERBS[kind]}{place_phrase}{phrase(date)}{about}."
        title = f"{words.EVENT_TITLES[kind]}{place_phrase}"
        stance = STANCE(rng) if kind == "statement" and rng.random() < 0.8 else ""
        self.rows["events"].append(
            (key, title, kind, stance, *date, country, region, quote if rng.random() < 0.5 else "", *tracked)
        )
        if kind in ("signing", "statement") and self.counts["agreements"] and rng.random() < 0.5:
            agreement = str(self.first_ids["agreements"] + rng.randrange(self.counts["agreements"]))
            self.rows["event concerns"].append((key, agreement, "", stamp, stamp, "1"))
        first_official, first_agency = self.first_ids["officials"], self.first_ids["agencies"]
        self.rows["event officials"].extend((key, str(first_official + offset)) for offset in people)
        self.rows["event agencies"].extend((key, str(first_agency + offset)) for offset in agencies)
        self.rows["event countries"].extend((key, pk) for pk, _ in concerned)
        self._cite(block, rng, m.Event, event_id, [quote], stamp)

    def _assessment(self, i: int, rng: random.Random, block: Block, created: int) -> None:
        assessment_id = self._next("assessments")
        if rng.random() < 0.85:
            (subject_country, subject), subject_region = self._country(rng), self.null
        else:
            (subject_region, subject), subject_country = rng.choice(self.ref.regions), self.null
        drug, drug_name = self.ref.drugs(rng) if rng.random() < 0.9 else (self.null, "drugs")
        role, role_label = ASSESSMENT_ROLE(rng)
        trend = TREND(rng) if rng.random() < 0.75 else ""
        likelihood = LIKELIHOOD(rng)
        market, market_name = rng.choice(self.ref.markets) if rng.random() < 0.25 else (self.null, "")
        by = ASSESSED_BY(rng)
        agency = official = self.null
        assessors = []
        if by in ("agency", "both"):
            agency = self._agency_of(rng, None)
            assessors.append(f"the {self._agency_name(agency)}")
        if by in ("official", "both"):
            offset = rng.randrange(self.counts["officials"])
            official = str(self.first_ids["officials"] + offset)
            assessors.append(self.official_names[offset])
        as_of = self.dates.maybe(rng, 0.8, self.dates.day(rng))
        hedge = {"established": "is", "likely": "is likely", "possible": "could become"}[likelihood]
        growth = f"{trend} " if trend else ""
        serves = f" serving {market_name}" if market else ""
        claim = f"{subject} {hedge} {article(growth or role_label)} {growth}{role_label} for {drug_name}{serves}"
        tracked = self._tracked(rng, created)
        self.rows["assessments"].append(
            (str(assessment_id), subject_country, subject_region, drug, role, trend, likelihood, market, agency,
             official, *as_of, f"{claim}.", *tracked)
        )  # fmt: skip
        quote = f"According to {join(assessors)}, {claim}{phrase(as_of)}."
        self._cite(block, rng, m.Assessment, assessment_id, [quote], tracked[0], "analysis")
