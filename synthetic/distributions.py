"""How often each value comes up: every choice of every field occurs, some far more often than others."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable

from django.db import models

from cooperation import models as m


def _weighted(pairs: Iterable[tuple[object, float]]) -> tuple[list, list[float]]:
    values, cumulative, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cumulative.append(total)
    return values, cumulative


class Choice:
    """A weighted choice, drawn fast from cumulative weights."""

    def __init__(self, pairs: Iterable[tuple[object, float]]) -> None:
        self.values, self.cumulative = _weighted(pairs)

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def distinct(self, rng: random.Random, count: int) -> list:
        count = min(count, len(self.values))
        chosen: list = []
        while len(chosen) < count:
            value = self(rng)
            if value not in chosen:
                chosen.append(value)
        return chosen


def _values(choices: type[models.TextChoices], weights: dict[str, float]) -> Choice:
    if set(weights) != set(choices.values):
        raise ValueError(f"The weights for {choices.__name__} must cover every choice and no other.")
    return Choice((value, weights[value]) for value in choices.values)


def _counts(**weights: float) -> Choice:
    """How many of something: _counts(one=70, two=25, three=5)."""
    numbers = {"none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    return Choice((numbers[name], weight) for name, weight in weights.items())


# How many parts a record has.
POSTS_PER_OFFICIAL = _counts(one=70, two=25, three=5)
PARTIES_PER_AGREEMENT = _counts(two=45, three=20, four=15, five=10, six=10)
AREAS_PER_AGREEMENT = _counts(one=35, two=35, three=20, four=10)
CITATIONS_PER_AGREEMENT = _counts(one=50, two=35, three=15)
NODES_PER_ROUTE = _counts(two=30, three=35, four=25, five=10)
PARTICIPANTS_PER_OPERATION = _counts(two=40, three=30, four=20, five=10)
OUTCOMES_PER_OPERATION = _counts(none=25, one=35, two=25, three=10, four=5)
OFFICIALS_PER_EVENT = _counts(none=30, one=45, two=17, three=8)
AGENCIES_PER_EVENT = _counts(none=50, one=35, two=15)
COUNTRIES_PER_EVENT = _counts(none=50, one=35, two=15)
ASSESSED_BY = Choice([("agency", 60), ("official", 25), ("both", 15)])


# Every choice occurs, some far more often than others.
AGREEMENT_KIND = _values(m.AgreementKind, {
    "treaty": 5, "memorandum_of_understanding": 30, "bilateral_agreement": 25, "inter_agency_agreement": 15,
    "action_plan": 10, "announced_initiative": 10, "other": 5,
})  # fmt: skip
AGREEMENT_STATUS = _values(m.AgreementStatus, {
    "announced": 15, "negotiating": 10, "signed": 35, "in_force": 25, "expired": 10, "terminated": 5,
})  # fmt: skip
PARTY_ROLE = _values(m.PartyRole, {
    "party": 40, "signatory": 20, "funder": 10, "host": 5, "beneficiary": 12, "implementer": 8, "observer": 5,
})  # fmt: skip
ROUTE_STATUS = _values(m.RouteStatus, {"active": 55, "suspected": 30, "historical": 15})
TRANSPORT_MODE = Choice(
    [("", 20), ("sea", 35), ("air", 15), ("land", 15), ("river", 5), ("post", 4), ("multimodal", 6)]
)
CENTRE_STATUS = _values(  # cancelled centres are not drawn: the draws, and so the rest of the data, stay as before
    m.CentreStatus, {"planned": 20, "under_construction": 15, "operational": 50, "closed": 15, "cancelled": 0}
)
OPERATION_STATUS = _values(m.OperationStatus, {"planned": 15, "ongoing": 20, "completed": 55, "suspended": 10})
PARTICIPANT_ROLE = _values(
    m.ParticipantRole,
    {"lead": 5, "participant": 60, "support": 17, "observer": 8}
    | {"host": 4, "sponsor": 3, "instructor": 1, "invited": 2},  # roles that are rarer in an operation
)
OUTCOME_KIND = _values(m.OutcomeKind, {
    "arrests": 30, "seizure": 50, "laboratory_dismantled": 8, "crop_eradicated": 7, "other": 5,
})  # fmt: skip
SEIZURE_UNIT = Choice([("kg", 60), ("t", 15), ("g", 10), ("units", 15)])
EVENT_KIND = _values(m.EventKind, {
    "visit": 22, "tour": 8, "conference": 18, "meeting": 8, "signing": 12, "ceremony": 4, "announcement": 10,
    "operation_announcement": 5, "seizure_report": 3, "statement": 8, "other": 2,
})  # fmt: skip
STANCE = _values(m.Stance, {"welcomed": 30, "supported": 25, "criticised": 25, "neutral": 15, "other": 5})
LINK_KIND = _values(m.LinkKind, {"implements": 40, "amends": 30, "renews": 20, "supersedes": 10})
ASSESSMENT_ROLE = Choice(
    ((value, label[0].lower() + label[1:]), weight)
    for (value, label), weight in zip(m.AssessmentRole.choices, (30, 15, 10, 25, 10, 10), strict=True)
)
TREND = _values(m.Trend, {"growing": 40, "stable": 25, "declining": 15, "emerging": 20})
LIKELIHOOD = _values(m.Likelihood, {"established": 60, "likely": 25, "possible": 15})
CONFIDENCE = _values(m.Confidence, {"low": 15, "medium": 35, "high": 50})
MODALITY = _values(m.Modality, {
    "reported": 45, "official": 30, "announced": 5, "planned": 5, "alleged": 10, "analysis": 5,
})  # fmt: skip
SOURCE_KIND = _values(m.SourceKind, {
    "news_article": 45, "analysis": 15, "report": 15, "press_release": 10, "official_statement": 8,
    "treaty_text": 3, "dataset": 2, "other": 2,
})  # fmt: skip
