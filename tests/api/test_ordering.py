"""Chronological orderings and keyset pages: every resource with dates orders by each date's bounds (and by
``date``), unknown dates last in both directions; 2-row pages forward and backward give exactly the full list,
however many rows share a date; a forged cursor is a 400 naming ``cursor`` on every list."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation.api.urls import router
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_for_the_module")]

#: (basename, viewset) of every list the router serves.
LISTS = sorted((basename, viewset) for _, viewset, basename in router.registry)
DATED = [(basename, viewset) for basename, viewset in LISTS if getattr(viewset.queryset.model, "partial_dates", ())]


@pytest.fixture
def client(db):
    return APIClient()


def list_url(basename: str) -> str:
    return reverse(f"api:{basename}-list")


def date_orderings(model) -> list[str]:
    """``date``, ``-date``, then each bound of each partial date, ascending and descending."""
    dates = getattr(model, "partial_dates", ())
    terms = (["date"] if dates else []) + [f"{name}_{bound}" for name in dates for bound in ("earliest", "latest")]
    return [v for term in terms for v in (term, f"-{term}")]


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (params, response.content)
    return response.json()


def walk(client, url: str, **params) -> tuple[list[int], list[int]]:
    """Every id in the list, through pages of 2: following `next` to the end, then `previous` back to the
    start (in the order read: the pages back, each page's rows in list order, pages reversed at the end)."""
    forward, body = [], get(client, url, limit=2, **params)
    forward += [row["id"] for row in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        forward += [row["id"] for row in body["results"]]
    pages = [[row["id"] for row in body["results"]]]
    while body["previous"]:
        body = client.get(body["previous"]).json()
        pages.append([row["id"] for row in body["results"]])
    return forward, [pk for page in reversed(pages) for pk in page]


def expected_order(records, term: str) -> list[int]:
    """Python's idea of the order: the bound ascending or descending, NULLs last either way, then id in the
    direction of the first key."""
    name, descending = term.removeprefix("-"), term.startswith("-")
    field = {"date": "signed_earliest"}.get(name, name)
    known = sorted((r for r in records if getattr(r, field) is not None), key=lambda r: (getattr(r, field), r.pk))
    unknown = sorted((r for r in records if getattr(r, field) is None), key=lambda r: r.pk)
    if descending:
        known = sorted(known, key=lambda r: (getattr(r, field), r.pk), reverse=True)
        unknown.reverse()
    return [r.pk for r in known + unknown]


@pytest.fixture
def crowded_agreements():
    """Agreements on few distinct dates: many the same day, the same month (other bounds), or undated."""
    signed = ["2014-03-05"] * 5 + ["March 2014"] * 3 + ["2011"] * 2 + [""] * 4 + ["2016-12-31"]
    starts = ["2014", "", "2015-01", ""] * 4
    for n, (sign, start) in enumerate(zip(signed, starts, strict=False)):
        f.AgreementFactory(title=f"Accord {n % 3}", signed=sign, start=start)


def test_signed_earliest_was_a_400_and_orders_by_date(client, crowded_agreements):
    body = get(client, list_url("agreement"), ordering="signed_earliest", limit=1000)
    records = list(m.Agreement.objects.all())
    assert [row["id"] for row in body["results"]] == expected_order(records, "signed_earliest")


@pytest.mark.parametrize(
    "ordering",
    ["date", "-date", "signed_earliest", "-signed_latest", "start_earliest", "-start_latest", "announced_earliest"],
)
def test_two_row_pages_forward_and_back_give_the_full_list(client, crowded_agreements, ordering):
    records = list(m.Agreement.objects.all())
    full = [row["id"] for row in get(client, list_url("agreement"), ordering=ordering, limit=1000)["results"]]
    assert full == expected_order(records, ordering)
    forward, backward = walk(client, list_url("agreement"), ordering=ordering)
    assert forward == full
    assert backward == full


@pytest.mark.parametrize("ordering", ["-date,title", "title,date", "status,-start_latest", "-title"])
def test_pages_over_several_keys_give_the_full_list(client, crowded_agreements, ordering):
    full = [row["id"] for row in get(client, list_url("agreement"), ordering=ordering, limit=1000)["results"]]
    assert sorted(full) == sorted(m.Agreement.objects.values_list("id", flat=True))
    forward, backward = walk(client, list_url("agreement"), ordering=ordering)
    assert forward == full
    assert backward == full


def test_undated_records_come_last_in_both_directions(client, crowded_agreements):
    undated = set(m.Agreement.objects.filter(signed_earliest__isnull=True).values_list("id", flat=True))
    for ordering in ("date", "-date"):
        ids = [row["id"] for row in get(client, list_url("agreement"), ordering=ordering, limit=1000)["results"]]
        assert set(ids[-len(undated) :]) == undated, ordering


@pytest.mark.parametrize(("basename", "viewset"), DATED, ids=[basename for basename, _ in DATED])
def test_every_dated_resource_orders_and_pages_by_each_bound(client, basename, viewset):
    total = viewset.queryset.model.objects.count()
    for ordering in date_orderings(viewset.queryset.model):
        full = [row["id"] for row in get(client, list_url(basename), ordering=ordering, limit=1000)["results"]]
        assert len(full) == total
        forward, backward = walk(client, list_url(basename), ordering=ordering)
        assert forward == full == backward, ordering


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("basename", "viewset"), DATED, ids=[basename for basename, _ in DATED])
def test_date_orderings_are_documented(schema, basename, viewset):
    path = "/api/v1/" + list_url(basename).rsplit("/v1/", 1)[1]
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert set(date_orderings(viewset.queryset.model)) <= set(parameters["ordering"]["schema"]["items"]["enum"])
    assert "last" in parameters["ordering"]["description"]


# --- Forged cursors ---------------------------------------------------------------------------------------
def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


def cursor(terms: list[str], values: list, backwards=False) -> str:
    return b64(json.dumps({"o": terms, "p": values, "r": backwards}))


#: Cursors that are not ours whatever the ordering (DRF's format with junk, garbage, wrong shapes).
FORGED = {
    "p=abc": "cD1hYmM=",
    "p=date": b64("p=2026-01-01"),
    "p=nul": b64("p=\x00"),
    "drf-shaped": b64("o=0&r=0&p=1"),
    "not base64": "!!!",
    "non-ascii": "é",
    "huge": "A" * 12_000,  # (within MAX_QUERY_STRING_BYTES: a longer query string is a 414)
    "base64 of junk": b64("\xff\xfe garbage"),
    "base64 of bytes": base64.b64encode(bytes(range(256))).decode(),
    "json number": b64("9" * 5000),
    "json list": b64("[1, 2, 3]"),
    "deep json": b64("[" * 3000 + "]" * 3000),
    "multi-key garbage": b64(json.dumps({"o": ["id"], "p": [1], "r": False, "x": 1})),
    "no position": b64(json.dumps({"o": ["id"], "r": False})),
    "r not a boolean": cursor(["id"], [1], backwards="yes"),
    "other ordering": cursor(["-nothing", "id"], [1, 1]),
}
#: Positions of the right shape for ordering by `id` alone, with values `id` cannot have.
BAD_IDS = {
    "id text": ["abc"],
    "id float": [1.5],
    "id bool": [True],
    "id null": [None],
    "id huge": [10**30],
    "id 64-bit overflow": [2**63],
    "id list": [[1]],
    "too few values": [],
    "too many values": [1, 2],
}
#: Values a text, date or timestamp key cannot have, by the field's type.
BAD_VALUES = {
    "CharField": ["a\x00b", 12, "x" * 10_001, "\ud800", ["a"]],
    "SlugField": ["a\x00b", 12, "x" * 10_001],
    "DateField": ["abc", "2026-02-30", "20260101", "2026-01-01T00:00:00", 20260101, "\x00"],
    "DateTimeField": ["abc", "2026-01-01", "2026-01-01T00:00:00", "0001-01-01T00:00:00+01:00", 1, "\x00"],
    "PositiveSmallIntegerField": ["12", 1.5, -1, 2**15, True],
    "PositiveIntegerField": ["12", 1.5, -1, 2**31, True],
    "PositiveBigIntegerField": ["12", 1.5, -1, 2**63, True],
}


def forged_cursors(viewset) -> list[tuple[dict, str]]:
    """(query, label) of every forged cursor for one list: the generic ones, bad ids, and for each declared
    ordering field, values of the wrong type in that field's position."""
    model = viewset.queryset.model
    cases = [({"cursor": raw}, label) for label, raw in FORGED.items()]
    cases += [({"cursor": raw, "ordering": "title"}, f"{label}, ordering=title") for label, raw in FORGED.items()]
    cases = [(q, label) for q, label in cases if "ordering" not in q or "title" in viewset.ordering_fields]
    cases += [({"cursor": cursor(["id"], values)}, label) for label, values in BAD_IDS.items()]
    terms = [t for t in viewset.ordering_fields if t != "id"] + date_orderings(model)[2::4]  # each *_earliest
    for term in terms:
        kind = model._meta.get_field(term).get_internal_type()
        for value in BAD_VALUES[kind]:
            cases.append(({"ordering": term, "cursor": cursor([term, "id"], [value, 1])}, f"{term}={value!r:.20}"))
        cases.append(({"ordering": term, "cursor": cursor([term, "id"], ["x", "1"])}, f"{term}, id as text"))
    return cases


@pytest.mark.parametrize(("basename", "viewset"), LISTS, ids=[basename for basename, _ in LISTS])
def test_forged_cursors_are_a_400_naming_cursor(client, basename, viewset):
    wrong = {}
    for query, label in forged_cursors(viewset):
        response = client.get(list_url(basename), query)
        if response.status_code != 400 or "cursor" not in response.json():
            wrong[label] = (response.status_code, response.content[:200])
    assert not wrong, wrong


def test_forged_search_cursors_are_a_400_naming_cursor(client):
    for label, raw in {**FORGED, "kind without id": b64("agreement:"), "huge id": b64("agreement:" + "9" * 30)}.items():
        response = client.get("/api/v1/search/", {"q": "Russia", "cursor": raw})
        assert response.status_code == 400 and "cursor" in response.json(), (label, response.content[:200])


def test_a_cursor_for_another_ordering_is_a_400(client, crowded_agreements):
    next_link = get(client, list_url("agreement"), ordering="date", limit=2)["next"]
    response = client.get(
        list_url("agreement"), {"ordering": "title", "cursor": parse_qs(urlsplit(next_link).query)["cursor"]}
    )
    assert response.status_code == 400 and "ordering" in response.json()["cursor"][0]


@pytest.mark.parametrize("value", ["", ",", "date,", " date", "date, title"])
def test_an_ordering_outside_the_documented_terms_is_a_400(client, value):
    response = client.get(list_url("agreement"), {"ordering": value})
    assert response.status_code == 400 and "ordering" in response.json(), response.content
