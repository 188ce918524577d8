"""Hostile query strings on every list (JSON and CSV export) and every detail address: the answer is a 200 or
a 4xx, never a 500; a 400 names the parameter; no page has more than ``API_MAX_PAGE_SIZE`` rows.

The lists are taken from the API's router, so a new resource is covered without touching this file.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation.api.filters import COMMON_PARAMETERS
from cooperation.api.pagination import CursorPagination
from cooperation.api.urls import router
from cooperation.api.views import RecordViewSet
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_for_the_module")]

#: (basename, viewset) of every list the router serves.
LISTS = sorted((basename, viewset) for _, viewset, basename in router.registry)
#: Every list as JSON, and as a CSV export where it has one (the record resources; the deletion log has none).
FORMATS = [
    (basename, viewset, export)
    for basename, viewset in LISTS
    for export in ((False, True) if issubclass(viewset, RecordViewSet) else (False,))
]
FORMAT_IDS = [f"{basename}-{'csv' if export else 'json'}" for basename, _, export in FORMATS]

#: The raw (already %-encoded) values sent to every parameter of a list.
HOSTILE_VALUES = {
    "letters": "abc",
    "nul": "%00",
    "nul inside text": "a%00b",
    "huge number": str(10**30),
    "5,000 digits": "9" * 5000,
    "negative number": "-1",
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "first instant, east of UTC": quote("0001-01-01T00:00:00+01:00"),
    "last instant, west of UTC": quote("9999-12-31T23:59:59-01:00"),
    "nan": "nan",
    "inf": "inf",
    "-inf": "-inf",
    "invalid UTF-8": "%FF%FE",
}
#: Parameters every list has besides its filters. `limit` is the page size (cursor pagination).
PAGE_SIZE = CursorPagination.page_size_query_param
PAGINATION = sorted(CursorPagination().query_params)
TEN_MB = 10 * 2**20


def parameters(viewset) -> list[str]:
    return sorted({*viewset.filterset_class.base_filters, *COMMON_PARAMETERS, *PAGINATION} - {"format"})


def list_url(basename: str) -> str:
    return reverse(f"api:{basename}-list")


@pytest.fixture
def client(db):
    return APIClient()


def answer_problems(response, *, parameter: str | None, csv: bool) -> list[str]:
    """What is wrong with one answer (empty when it is fine)."""
    status = response.status_code
    if status >= 500 or status < 200 or 300 <= status < 400:
        return [f"status {status}"]
    if status == 400 and parameter is not None and parameter not in response.json():
        return [f"400 does not name {parameter!r}: {response.content[:200]!r}"]
    if status == 200 and csv and not response["Content-Type"].startswith("text/csv"):
        return [f"200 of {response['Content-Type']} instead of CSV"]
    if status == 200 and not csv:
        results = response.json()["results"]
        if len(results) > settings.API_MAX_PAGE_SIZE:
            return [f"{len(results)} rows on one page"]
    return []


def get(client, url: str, query: str, csv: bool):
    return client.get(f"{url}?{query}" + ("&format=csv" if csv else ""))


@pytest.mark.parametrize(("basename", "viewset", "csv"), FORMATS, ids=FORMAT_IDS)
def test_hostile_values_in_every_parameter(client, basename, viewset, csv):
    problems = []
    for name in parameters(viewset):
        for label, value in HOSTILE_VALUES.items():
            response = get(client, list_url(basename), f"{name}={value}", csv)
            problems += [f"{name}={value} ({label}): {p}" for p in answer_problems(response, parameter=name, csv=csv)]
    assert not problems, "\n".join(problems)


BOGUS_ORDERINGS = ["bogus", "-bogus", "id,bogus", "password", "-", ",", "__", "id__name", "--id", "%00"]


@pytest.mark.parametrize(("basename", "viewset", "csv"), FORMATS, ids=FORMAT_IDS)
def test_bogus_ordering_is_400_naming_it(client, basename, viewset, csv):
    answers = {value: get(client, list_url(basename), f"ordering={value}", csv) for value in BOGUS_ORDERINGS}
    wrong = {value: r.status_code for value, r in answers.items() if r.status_code != 400 or "ordering" not in r.json()}
    assert not wrong, wrong


@pytest.mark.parametrize(("basename", "viewset"), LISTS, ids=[basename for basename, _ in LISTS])
def test_page_size_is_checked_and_never_silently_changed(client, basename, viewset):
    too_large = (str(settings.API_MAX_PAGE_SIZE + 1), str(10**9), str(10**30))
    for value in ("abc", "0", "-1", f"-{10**12}", "1.5", "nan", "inf", "%00", "", *too_large):
        response = get(client, list_url(basename), f"{PAGE_SIZE}={value}", csv=False)
        assert response.status_code == 400 and PAGE_SIZE in response.json(), (value, response.content)
    response = get(client, list_url(basename), f"{PAGE_SIZE}={settings.API_MAX_PAGE_SIZE}", csv=False)
    assert response.status_code == 200, response.content


def test_a_page_has_at_most_the_maximum_rows(client):
    m.Drug.objects.bulk_create(m.Drug(name=f"substance {n}") for n in range(settings.API_MAX_PAGE_SIZE + 1))
    response = get(client, list_url("drug"), f"{PAGE_SIZE}={settings.API_MAX_PAGE_SIZE}", csv=False)
    assert response.status_code == 200
    assert len(response.json()["results"]) == settings.API_MAX_PAGE_SIZE == 1000
    assert response.json()["next"] is not None


@pytest.mark.parametrize(("basename", "viewset", "csv"), FORMATS, ids=FORMAT_IDS)
def test_ten_megabyte_query_strings_are_refused_unread(client, basename, viewset, csv):
    text_parameter = "q" if "q" in viewset.filterset_class.base_filters else "updated_since"
    shapes = {
        "one long value": f"{text_parameter}={'a' * TEN_MB}",
        "one long list": "id=" + ",".join(["1"] * (TEN_MB // 2)),
        "many parameters": "&".join(["id=1"] * (TEN_MB // 5)),
    }
    for shape, query in shapes.items():
        response = get(client, list_url(basename), query, csv)
        assert response.status_code == 414, (shape, response.status_code)
        assert f"at most {settings.MAX_QUERY_STRING_BYTES}" in response.json()["detail"], shape


def test_a_query_string_up_to_the_limit_is_read_and_one_byte_more_is_refused(client, settings):
    """The limit counts the query string as sent (%-encoded): up to it, a request is read in full."""
    settings.MAX_QUERY_STRING_BYTES = 2000
    f.AgencyFactory(name="Policía Nacional del Perú")
    f.AgencyFactory(name="Policía Federal")

    def searching(length: int) -> str:  # "Nacional", then as many spaces (+) as make the length
        return "q=Nacional" + "+" * (length - len("q=Nacional"))

    answered = client.get(f"/api/v1/agencies/?{searching(2000)}")
    assert answered.status_code == 200, answered.content
    assert [r["name"] for r in answered.json()["results"]] == ["Policía Nacional del Perú"]
    refused = client.get(f"/api/v1/agencies/?{searching(2001)}")
    assert refused.status_code == 414
    assert refused.json() == {
        "detail": "The query string is 2001 bytes long; this server reads at most 2000 (MAX_QUERY_STRING_BYTES). "
        "Narrow the request, or page through the results."
    }
    page = client.get(f"/agencies/?{searching(2001)}")  # the explorer's pages, in plain text
    assert page.status_code == 414 and page["Content-Type"].startswith("text/plain")


DETAILS = sorted(
    (pattern.name.removesuffix("-detail"), str(pattern.pattern))
    for pattern in router.urls
    if pattern.name and pattern.name.endswith("-detail")
)
BAD_IDS = ["abc", "0", "-1", str(10**30), "1.5", "%00", "1%00", "9" * 19]


@pytest.fixture
def superuser_client(db):
    from django.contrib.auth import get_user_model

    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("root", password="not-used"))
    return client


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("basename", [basename for basename, _ in DETAILS])
def test_detail_with_a_bad_id_is_404(superuser_client, basename, method):
    collection = list_url(basename)
    for bad_id in BAD_IDS:
        response = getattr(superuser_client, method)(f"{collection}{bad_id}/", {}, format="json")
        assert response.status_code == 404, (bad_id, response.status_code, response.content[:200])
        assert response.json() == {"detail": "Not found."} or "detail" in response.json()
