"""The change feed (issue 18): ``GET /api/v1/changes/`` gives every create, update, delete and merge, in commit
order, from a cursor that never skips a change, not even one whose transaction commits after later ones.

The tests commit for real (``transaction=True``): on PostgreSQL the feed gives a change only once its
transaction has committed, and a test wrapped in one transaction would never see its own writes in it."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cooperation import changes
from cooperation import models as m
from cooperation.models import Change
from tests import factories as f

#: For tests that write and then read what committed.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)
pytestmark = pytest.mark.django_db

SOURCE = "https://diario.example.pe/2019/03/convenio"
QUOTE = "la Policía firmó el convenio"


def page(client, after=None, **params) -> dict:
    response = client.get("/api/v1/changes/", {**params, **({"after": after} if after else {})})
    assert response.status_code == 200, response.content
    return response.json()


def read_on(client, after, limit=100) -> tuple[list[dict], str]:
    """Every entry after ``after``, page by page, and the cursor to read on from."""
    entries = []
    while True:
        body = page(client, after, limit=limit)
        entries += body["results"]
        after = body["cursor"]
        if not body["results"]:
            return entries, after


def cited(body: dict) -> dict:
    return {**body, "citations": [{"source": SOURCE, "quote": QUOTE}]}


def agency(name: str, country: str, kind: str = "police") -> dict:
    return cited({"name": name, "country": country, "kind": kind})


def agreement(title: str, **fields) -> dict:
    return cited({"title": title, "kind": "inter_agency_agreement", "status": "signed", "signed": "2020", **fields})


@pytest.fixture
def source(editor_client):
    response = editor_client.post(
        "/api/v1/sources/", {"title": "Convenio firmado", "url": SOURCE, "text": f"Ayer {QUOTE} en Lima."}
    )
    assert response.status_code == 201, response.content
    return response.json()


def create(client, resource: str, body: dict) -> dict:
    response = client.post(f"/api/v1/{resource}/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def ops(entries, *resources) -> list[tuple[str, str, int]]:
    return [(e["op"], e["resource"], e["id"]) for e in entries if not resources or e["resource"] in resources]


@committing
def without_cursors(entries: list[dict]) -> list[dict]:
    return [{name: value for name, value in e.items() if name != "cursor"} for e in entries]


def in_order(seen: list, expected: list) -> bool:
    """Whether ``expected`` occurs in ``seen`` in this order (other entries may come between)."""
    rest = iter(seen)
    return all(item in rest for item in expected)


@committing
def test_writes_through_the_api_appear_in_order_once_each(editor_client, anonymous_client, source):
    start = page(anonymous_client, "now")
    assert start["results"] == []
    # Two agencies of one name in two countries (a key must tell them apart), and a duplicate to merge.
    police = create(editor_client, "agencies", cited({"name": "Policía Nacional", "country": "PE", "kind": "police"}))
    create(editor_client, "agencies", cited({"name": "Policía Nacional", "country": "CO", "kind": "police"}))
    twin = create(
        editor_client, "agencies", cited({"name": "Policia Nacional del Peru", "country": "PE", "kind": "police"})
    )
    pact = create(
        editor_client,
        "agreements",
        agreement("Convenio antidrogas", signed="c. 2019", parties=[{"agency": twin["id"]}]),
    )
    assert editor_client.patch(f"/api/v1/agreements/{pact['id']}/", {"summary": "Intercambio"}).status_code == 200
    merged = editor_client.post(f"/api/v1/agencies/{police['id']}/merge/", {"duplicate": twin["id"]}, format="json")
    assert merged.status_code == 200, merged.content
    kept = create(editor_client, "agreements", agreement("Acta de Tumbes", signed="2016"))
    assert editor_client.delete(f"/api/v1/agreements/{kept['id']}/").status_code == 204

    entries, middle = read_on(anonymous_client, start["cursor"], limit=3)
    # In this order (a merge also logs the records whose key it stores again: no change of what they show).
    assert in_order(
        ops(entries, "agencies", "agreements"),
        [
            ("create", "agencies", police["id"]),
            ("create", "agencies", police["id"] + 1),
            ("create", "agencies", twin["id"]),
            ("create", "agreements", pact["id"]),
            ("update", "agreements", pact["id"]),
            ("update", "agreements", pact["id"]),  # the merge moved its party
            ("merge", "agencies", twin["id"]),
            ("update", "agencies", police["id"]),  # the survivor has the duplicate's name among its other names
            ("create", "agreements", kept["id"]),
            ("delete", "agreements", kept["id"]),
        ],
    )
    assert {(op, name) for op, name, pk in ops(entries) if pk not in (police["id"], police["id"] + 1, twin["id"])} <= {
        (op, name) for op in ("create", "update", "delete") for name in ("agreements", "citations")
    }
    by_key = {(e["op"], e["resource"], e["id"]): e for e in entries}
    survivor = anonymous_client.get(f"/api/v1/agencies/{police['id']}/").json()
    entry = by_key["update", "agencies", police["id"]]
    assert entry["data"] == survivor  # the record as the API shows it now
    assert entry["key"] == "Policía Nacional [PE]"
    assert by_key["create", "agencies", police["id"]]["data"] == survivor  # now, not as it was created
    assert by_key["merge", "agencies", twin["id"]]["data"] is None
    assert by_key["merge", "agencies", twin["id"]]["merged_into"] == {
        "id": police["id"],
        "api_url": survivor["api_url"],
    }
    gone = by_key["create", "agreements", kept["id"]]
    assert gone["data"] is None and gone["key"] is None  # deleted since: the next entry says so
    assert by_key["delete", "agreements", kept["id"]]["merged_into"] is None
    assert all(e["at"] for e in entries)
    assert ("create", "sources", source["id"]) not in ops(entries)  # before the cursor

    # Pages of any size give the same entries, each once; from any entry's cursor on, those after it. (A cursor
    # names the snapshots its read was made between: two reads give the same entries under other cursors.)
    whole = page(anonymous_client, start["cursor"], limit=1000)["results"]
    assert without_cursors(entries) == without_cursors(whole)
    assert len({e["cursor"] for e in whole}) == len(whole)
    assert page(anonymous_client, whole[4]["cursor"], limit=1000)["results"] == whole[5:]
    response = anonymous_client.get("/api/v1/changes/", {"after": start["cursor"], "format": "jsonl", "limit": 1000})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert response["Link"].startswith("<http://testserver/api/v1/changes/?") and 'rel="next"' in response["Link"]
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    assert without_cursors(lines) == without_cursors(whole)
    assert "format" not in json.dumps(lines)  # the records' addresses are theirs, not this request's

    # Renaming a record changes the records that show its name: they are logged as updated too.
    assert editor_client.patch(f"/api/v1/agencies/{police['id']}/", {"description": "Policía"}).status_code == 200
    entries, middle = read_on(anonymous_client, middle)
    assert ops(entries) == [("update", "agencies", police["id"])]  # not shown elsewhere: nothing else changed
    assert editor_client.patch(f"/api/v1/agencies/{police['id']}/", {"name": "Policía del Perú"}).status_code == 200
    entries, _ = read_on(anonymous_client, middle)
    citations = m.Citation.objects.filter(object_id=police["id"], content_type__model="agency")
    assert sorted(ops(entries)) == sorted(
        [("update", "agencies", police["id"]), ("update", "agreements", pact["id"])]  # its parties show the name
        + [("update", "citations", citation.pk) for citation in citations]  # they show their record's name
    )
    shown = next(e for e in entries if e["resource"] == "agreements")["data"]["parties"][0]["agency"]
    assert shown["name"] == "Policía del Perú"


@pytest.mark.parametrize(
    "after",
    [
        "x",
        "-1",
        "1.5",
        "now!",
        "1" * 40,
        "MTox",
        "YTpiOmM7MTox",
        "NToxOjsxOjE6OzA",
        "MToxOjsxOjE6Ozk5OTk5OTk5OTk5OTk5OTk5OTk5",
    ],
)
def test_a_bad_cursor_is_a_400_naming_after(anonymous_client, after):
    response = anonymous_client.get("/api/v1/changes/", {"after": after})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["after"]


def test_a_cursor_of_the_other_database_and_unknown_parameters_are_400s(anonymous_client):
    start = page(anonymous_client, "now")["cursor"]
    other = "12" if connection.vendor == "postgresql" else "MToxOjsxOjE6OzA"
    assert list(anonymous_client.get("/api/v1/changes/", {"after": other}).json()) == ["after"]
    response = anonymous_client.get("/api/v1/changes/", {"after": start, "resource": "agreements"})
    assert response.status_code == 400 and list(response.json()) == ["resource"]
    assert list(anonymous_client.get("/api/v1/changes/", {"limit": "0"}).json()) == ["limit"]


@committing
def test_a_transaction_that_commits_after_later_ones_is_not_skipped(anonymous_client):
    """A writes first and commits last: a reader that read B meanwhile still gets A from its cursor."""
    start = page(anonymous_client, "now")["cursor"]
    written, reader_done = threading.Event(), threading.Event()

    def writer_a() -> int:
        try:
            with transaction.atomic():
                record = f.DrugFactory(name="Fentanilo A")
                written.set()
                reader_done.wait()
                return record.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(writer_a)
        written.wait()
        concurrent = connection.vendor == "postgresql"  # SQLite lets one writer at a time: B would wait for A
        later = f.DrugFactory(name="Carfentanilo B") if concurrent else None
        seen = page(anonymous_client, start, limit=1000)
        reader_done.set()
        a = first.result()
    read = [(e["op"], e["resource"], e["id"]) for e in seen["results"]]
    assert ("create", "drugs", a) not in read  # not committed when read
    if later is not None:
        assert ("create", "drugs", later.pk) in read
        entry_of = {c.record_id: c.id for c in Change.objects.filter(resource="drugs", record_id__in=[a, later.pk])}
        assert entry_of[a] < entry_of[later.pk]  # A's entry was written first: ids alone would skip it
    after, _ = read_on(anonymous_client, seen["cursor"])
    assert ops(after, "drugs") == [("create", "drugs", a)]  # A, once, though its entry's id is the smaller


def until_done_or_waiting_for_a_lock(done: threading.Event, pid: list[int]) -> bool:
    """Wait until ``done`` is set (True) or PostgreSQL's backend ``pid[0]`` waits for a lock (False)."""
    with connection.cursor() as cursor:
        while not done.wait(0.02):
            if pid:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", pid)
                if cursor.fetchone()[0] == "Lock":
                    return False
    return True


@committing
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: no race to lose")
@pytest.mark.parametrize("renamed", ["source", "record"])
def test_a_citation_committed_while_what_it_names_is_renamed_is_read_again_with_the_new_name(renamed, anonymous_client):
    """A writer cites a source for a record while another renames the source (or the record). Whichever order the
    database lets them commit in, a mirror that reads the feed between the two commits and after them ends with
    what the API answers: the citation showing the new name."""
    source = f.SourceFactory(title="Informe de la DEA", text=f"Según el informe, {QUOTE}.")
    record = f.AgreementFactory(title="Memorando de Lima")
    cursor, mirror = [page(anonymous_client, "now")["cursor"]], {}
    cited, renamed_, cite_committed, commit_citation, commit_rename = (threading.Event() for _ in range(5))
    citer, renamer = [], []

    def follow() -> None:
        entries, cursor[0] = read_on(anonymous_client, cursor[0])
        mirror.update({e["id"]: e["data"] for e in entries if e["resource"] == "citations" and e["data"]})

    def in_a_transaction(pid: list[int], work, written: threading.Event, commit: threading.Event):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor_:
                    cursor_.execute("SELECT pg_backend_pid()")
                    pid.append(cursor_.fetchone()[0])
                result = work()
                written.set()
                commit.wait()
            return result
        finally:
            connection.close()

    def cite() -> int:
        return m.Citation.objects.create(record=record, source=source, quote=QUOTE).pk

    def rename() -> None:
        cited.wait()
        target = m.Source.objects.get(pk=source.pk) if renamed == "source" else m.Agreement.objects.get(pk=record.pk)
        target.title += " (actualizado)"
        target.save()

    with ThreadPoolExecutor(2) as pool:
        citing = pool.submit(in_a_transaction, citer, cite, cited, commit_citation)
        renaming = pool.submit(in_a_transaction, renamer, rename, renamed_, commit_rename)
        cited.wait()
        until_done_or_waiting_for_a_lock(renamed_, renamer)  # the rename went as far as the database lets it
        commit_citation.set()
        citing.add_done_callback(lambda _: cite_committed.set())
        if until_done_or_waiting_for_a_lock(cite_committed, citer):
            follow()  # the citation committed first: the mirror reads it before the rename commits
        commit_rename.set()
        citation = citing.result()
        renaming.result()
    follow()
    assert mirror[citation] == anonymous_client.get(f"/api/v1/citations/{citation}/").json()
    shown = mirror[citation]["source"]["title"] if renamed == "source" else mirror[citation]["record"]["display"]
    assert shown.endswith("(actualizado)")


@committing
def test_a_mirror_reading_only_the_feed_ends_identical_with_concurrent_writers(editor, anonymous_client, source):
    """Writers create, rename, merge and delete at once while a mirror follows the feed; at the end the mirror
    holds what the API exports, record for record, byte for byte."""
    kept = ("sources", "agencies", "officials", "agreements", "citations")
    cursor = [page(anonymous_client, "now")["cursor"]]  # first the cursor, then the copy: nothing falls between

    def export(name: str) -> dict[int, dict]:
        return {r["id"]: r for r in anonymous_client.get(f"/api/v1/{name}/", {"limit": 1000}).json()["results"]}

    mirror = {name: export(name) for name in kept}

    def follow() -> int:
        read = 0
        while True:
            body = page(anonymous_client, cursor[0], limit=50)
            for entry in body["results"]:
                records = mirror.setdefault(entry["resource"], {})
                if entry["op"] in ("create", "update") and entry["data"] is not None:
                    records[entry["id"]] = entry["data"]
                elif entry["op"] in ("delete", "merge"):
                    records.pop(entry["id"], None)
            cursor[0] = body["cursor"]
            read += len(body["results"])
            if not body["results"]:
                return read

    def client() -> APIClient:
        c = APIClient()
        c.force_authenticate(editor)
        return c

    def agreements(n: int) -> None:
        c = client()
        try:
            for i in range(n):
                made = create(c, "agreements", agreement(f"Acuerdo {n}-{i}"))
                url = f"/api/v1/agreements/{made['id']}/"
                assert c.patch(url, {"title": f"Acuerdo {n}-{i} (enmendado)"}).status_code == 200  # cited: shown
                if i % 3 == 0:
                    assert c.delete(url).status_code == 204
        finally:
            connections.close_all()

    def agencies() -> None:
        c = client()
        try:
            for i in range(3):
                kept_ = create(c, "agencies", agency(f"Fiscalía {i}", "EC", "judiciary"))
                twin = create(c, "agencies", agency(f"Fiscalia {i} del Ecuador", "EC", "judiciary"))
                create(c, "agreements", agreement(f"Pacto {i}", parties=[{"agency": twin["id"]}]))
                create(c, "officials", cited({"name": f"Fiscal {i}", "country": "EC"}))
                merge = c.post(f"/api/v1/agencies/{kept_['id']}/merge/", {"duplicate": twin["id"]}, format="json")
                assert merge.status_code == 200, merge.content
                renamed = c.patch(f"/api/v1/agencies/{kept_['id']}/", {"name": f"Fiscalía General {i}"})
                assert renamed.status_code == 200, renamed.content  # the pact's parties show the new name
        finally:
            connections.close_all()

    def sources() -> None:
        c = client()
        try:
            for i in range(3):  # every citation of it, and every record citing it, shows its title
                renamed = c.patch(f"/api/v1/sources/{source['id']}/", {"title": f"Convenio firmado ({i})"})
                assert renamed.status_code == 200, renamed.content
        finally:
            connections.close_all()

    with ThreadPoolExecutor(5) as pool:
        writes = [pool.submit(agreements, 4), pool.submit(agreements, 5), pool.submit(agencies), pool.submit(sources)]
        while not all(w.done() for w in writes):  # the mirror reads while they write
            follow()
        for w in writes:
            w.result()
    follow()

    for name in kept:
        assert json.dumps(mirror[name], sort_keys=True) == json.dumps(export(name), sort_keys=True), name
    assert len(mirror["agreements"]) == 2 + 3 + 3  # (every third of the writers' agreements deleted)


def test_a_page_costs_the_same_queries_however_many_entries(anonymous_client):
    """From the feed's start (the reference data the migrations loaded, regions first): pages of the same kinds
    of record, one twice as long, cost the same queries."""

    def cost(limit: int) -> tuple[int, set[str]]:
        with CaptureQueriesContext(connection) as queries:
            body = page(anonymous_client, limit=limit)
        assert len(body["results"]) == limit
        return len(queries), {e["resource"] for e in body["results"]}

    assert cost(8) == cost(16) == (cost(8)[0], {"regions"})


def test_every_resource_table_is_logged_and_reads_follow_view_permissions(settings, anonymous_client):
    from tests.api.test_read_permissions import client_of, user_with

    assert changes.tables_without_triggers() == []
    settings.API_READ_REQUIRES_LOGIN = True
    assert anonymous_client.get("/api/v1/changes/").status_code in (401, 403)
    reader = client_of(user_with("view_drug"))
    entries = reader.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert ops(entries) == [
        ("create", "drugs", pk) for pk in m.Drug.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert client_of(user_with()).get("/api/v1/changes/").json()["results"] == []


def test_the_readme_mirror_example_ends_identical_to_the_api(anonymous_client, monkeypatch, capsys):
    """The mirror of the README's "Change feed", with the API answering through the test client, from the feed's
    start: it holds every record the migrations loaded, as the API lists them."""
    import re
    from pathlib import Path
    from types import SimpleNamespace

    import requests

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Change feed") :]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)

    def get(url, params):
        given = {name: value for name, value in params.items() if value is not None}  # as requests sends them
        response = anonymous_client.get(url.removeprefix("http://127.0.0.1:8000"), given)
        return SimpleNamespace(json=response.json)

    monkeypatch.setattr(requests, "get", get)
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)
    for name in ("regions", "countries", "drugs", "cooperation-areas"):
        listed = anonymous_client.get(f"/api/v1/{name}/", {"limit": 1000}).json()["results"]
        assert scope["mirror"][name] == {record["id"]: record for record in listed}, name
    assert "'countries': 249" in capsys.readouterr().out
