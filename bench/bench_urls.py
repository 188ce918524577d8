"""The product's URLs plus ``/bench/raw/agreements/``: the list endpoint's reference, written by hand.

The reference answers the list benchmark's and the filtered benchmark's URLs (``country``, ``region``,
``status``, ``date_from``/``date_to``, ``limit``) with the same bytes as ``/api/v1/agreements/``: the first
``limit`` agreements by id, every field, the nested parties, areas, drugs, signatories, links and citations, the
record's ``unsupported_fields`` and the link to the next page. It is built from ``.values()`` queries, one per
relation, and ``json.dumps``: no serializers, no filterset, no pagination class, no COUNT, nothing derived
from the resource declarations. ``bench/run.py`` checks that its bytes are the product's. It is not part of
the product.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse
from django.urls import path
from rest_framework.utils.urls import replace_query_param

from config.urls import urlpatterns as product_urlpatterns
from cooperation import models as m
from cooperation.explorer.models import RecordCountry

DATES = ("announced", "signed", "start", "end")
PARTIAL = {name: [f"{name}{s}" for s in ("", "_edtf", "_earliest", "_latest")] for name in DATES}
OWN = ["id", "title", "kind", "status", "summary", "announced_by_id", "place_id", "created_at", "updated_at"]
OWN += ["version", *(column for columns in PARTIAL.values() for column in columns)]
#: The facts a citation can support, in the resource's order (``unsupported_fields``).
FACTS = ("title", "kind", "status", "areas", "drugs", "summary", "announced_by", "signatories", "announced")
FACTS += ("signed", "place", "start", "end", "links", "parties")


def stamp(value: datetime.datetime) -> str:
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def country_ids(codes: str) -> list[int]:
    return list(m.Country.objects.filter(iso2__in=codes.split(",")).values_list("id", flat=True))


def region_tree(codes: str) -> list[int]:
    """The regions given by M49 code and every region under them."""
    parents = dict(m.Region.objects.values_list("id", "parent_id"))
    found = set(m.Region.objects.filter(m49_code__in=codes.split(",")).values_list("id", flat=True))
    while True:
        more = {pk for pk, parent in parents.items() if parent in found and pk not in found}
        if not more:
            return list(found)
        found |= more


def involving(countries, regions=None):
    """Agreements that involve one of the countries, read from the rows the database keeps for that (the
    dossier's ``explorer_recordcountry``: one index of (country, kind, record), which the best SQL by hand would
    read as the product does), or with a party that is one of the regions."""
    kept = RecordCountry.objects.filter(kind="agreements", country_id__in=countries).order_by().values("record_id")
    if regions is None:
        return Q(pk__in=kept)
    parties = m.AgreementParty.objects.filter(region_id__in=regions).order_by().values("agreement_id")
    return Q(pk__in=kept.union(parties, all=True))


def overlapping(start: str, end: str, date_from, date_to) -> Q:
    """The period from ``start`` to ``end`` (a single date: the same) may overlap [date_from, date_to]."""
    known = Q(**{f"{start}_earliest__isnull": False}) | Q(**{f"{start}_latest__isnull": False})
    condition = known | Q(**{f"{end}_latest__isnull": False})
    if date_from:
        condition &= Q(**{f"{end}_latest__isnull": True}) | Q(**{f"{end}_latest__gte": date_from})
    if date_to:
        condition &= Q(**{f"{start}_earliest__isnull": True}) | Q(**{f"{start}_earliest__lte": date_to})
    return condition


def agreements_asked(request):
    agreements = m.Agreement.objects.all()
    get = request.GET
    if codes := get.get("country"):
        agreements = agreements.filter(involving(country_ids(codes)))
    if codes := get.get("region"):
        tree = region_tree(codes)
        agreements = agreements.filter(involving(m.Country.objects.filter(regions__in=tree).values("id"), tree))
    if status := get.get("status"):
        agreements = agreements.filter(status__in=status.split(","))
    date_from, date_to = get.get("date_from"), get.get("date_to")
    if date_from or date_to:
        date_from = date_from and datetime.date.fromisoformat(date_from)
        date_to = date_to and datetime.date.fromisoformat(date_to)
        condition = Q()
        for start, end in (("announced", "announced"), ("signed", "signed"), ("start", "end")):
            condition |= overlapping(start, end, date_from, date_to)
        agreements = agreements.filter(condition)
    return agreements


def brief_country(iso2: str | None, row: dict, prefix: str) -> dict | None:
    if row[f"{prefix}_id"] is None:
        return None
    return {
        "id": row[f"{prefix}_id"],
        "iso2": row[f"{prefix}__iso2"],
        "iso3": row[f"{prefix}__iso3"],
        "name": row[f"{prefix}__name"],
    }


def grouped(rows, key: str) -> dict[int, list[dict]]:
    groups = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def raw_agreements(request):
    limit = int(request.GET.get("limit", 50))
    rows = list(agreements_asked(request).order_by("id").values(*OWN)[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    ids = [row["id"] for row in rows]

    parties = grouped(
        m.AgreementParty.objects.filter(agreement_id__in=ids)
        .order_by("agreement_id", "id")
        .values(
            "id", "agreement_id", "role", "note", "country_id", "country__iso2", "country__iso3", "country__name",
            "region_id", "region__m49_code", "region__name",
            "agency_id", "agency__name", "agency__acronym", "agency__country__iso2",
        ),
        "agreement_id",
    )  # fmt: skip
    signatories = grouped(
        m.AgreementSignatory.objects.filter(agreement_id__in=ids)
        .order_by("agreement_id", "id")
        .values(
            "id", "agreement_id", "note", "official_id", "official__name", "official__country__iso2",
            "post_id", "post__official__name", "post__title", "post__agency__name",
            "agency_id", "agency__name", "agency__acronym", "agency__country__iso2",
        ),
        "agreement_id",
    )  # fmt: skip
    links = grouped(
        m.AgreementLink.objects.filter(agreement_id__in=ids)
        .order_by("agreement_id", "id")
        .values("id", "agreement_id", "kind", "target_id", "target__title", "note"),
        "agreement_id",
    )
    areas = grouped(
        m.Agreement.areas.through.objects.filter(agreement_id__in=ids)
        .order_by("cooperationarea__name", "cooperationarea_id")
        .values("agreement_id", "cooperationarea_id", "cooperationarea__code", "cooperationarea__name"),
        "agreement_id",
    )
    drugs = grouped(
        m.Agreement.drugs.through.objects.filter(agreement_id__in=ids)
        .order_by("drug__name", "drug_id")
        .values("agreement_id", "drug_id", "drug__name"),
        "agreement_id",
    )
    content_type = ContentType.objects.get_for_model(m.Agreement)
    citations = grouped(
        m.Citation.objects.filter(content_type=content_type, object_id__in=ids)
        .order_by("id")
        .values(
            "id", "object_id", "source_id", "source__title", "source__url", "quote", "kind", "supports",
            "position", "locator", "confidence", "modality", "note",
        ),
        "object_id",
    )  # fmt: skip
    firsts = {row["announced_by_id"] for row in rows} | {row["place_id"] for row in rows}
    officials = {
        o["id"]: {"id": o["id"], "name": o["name"], "country": o["country__iso2"]}
        for o in m.Official.objects.filter(id__in=[row["announced_by_id"] for row in rows if row["announced_by_id"]])
        .values("id", "name", "country__iso2")
    } if firsts else {}  # fmt: skip
    places = {
        p["id"]: {"id": p["id"], "name": p["name"], "country": p["country__iso2"], "geonames_id": p["geonames_id"]}
        for p in m.Place.objects.filter(id__in=[row["place_id"] for row in rows if row["place_id"]]).values(
            "id", "name", "country__iso2", "geonames_id"
        )
    }

    base = request.build_absolute_uri("/api/v1/agreements/")
    results = []
    for row in rows:
        pk = row["id"]
        url = f"{base}{pk}/"
        brief = {"type": "agreement", "id": pk, "display": row["title"], "api_url": url}
        own_parties = [
            {
                "id": p["id"],
                "country": brief_country(None, p, "country"),
                "region": p["region_id"]
                and {"id": p["region_id"], "m49_code": p["region__m49_code"], "name": p["region__name"]},
                "agency": p["agency_id"]
                and {
                    "id": p["agency_id"],
                    "name": p["agency__name"],
                    "acronym": p["agency__acronym"],
                    "country": p["agency__country__iso2"],
                },
                "role": p["role"],
                "note": p["note"],
            }
            for p in parties[pk]
        ]
        own_signatories = [
            {
                "id": s["id"],
                "official": s["official_id"]
                and {"id": s["official_id"], "name": s["official__name"], "country": s["official__country__iso2"]},
                "post": s["post_id"]
                and {
                    "id": s["post_id"],
                    "official": s["post__official__name"],
                    "title": s["post__title"],
                    "agency": s["post__agency__name"],
                },
                "agency": s["agency_id"]
                and {
                    "id": s["agency_id"],
                    "name": s["agency__name"],
                    "acronym": s["agency__acronym"],
                    "country": s["agency__country__iso2"],
                },
                "note": s["note"],
            }
            for s in signatories[pk]
        ]
        own_links = [
            {
                "id": link["id"],
                "kind": link["kind"],
                "target": {"id": link["target_id"], "title": link["target__title"]},
                "note": link["note"],
            }
            for link in links[pk]
        ]
        own_areas = [
            {"id": a["cooperationarea_id"], "code": a["cooperationarea__code"], "name": a["cooperationarea__name"]}
            for a in areas[pk]
        ]
        own_drugs = [{"id": d["drug_id"], "name": d["drug__name"]} for d in drugs[pk]]
        own_citations = [
            {
                "id": c["id"],
                "record": brief,
                "source": {"id": c["source_id"], "title": c["source__title"], "url": c["source__url"]},
                "quote": c["quote"],
                "kind": c["kind"],
                "supports": c["supports"].split(),
                "position": c["position"],
                "locator": c["locator"],
                "confidence": c["confidence"],
                "modality": c["modality"],
                "note": c["note"],
            }
            for c in citations[pk]
        ]
        supported = {name for c in own_citations for name in c["supports"]}
        stated = {
            "title": row["title"], "kind": row["kind"], "status": row["status"], "areas": own_areas,
            "drugs": own_drugs, "summary": row["summary"], "announced_by": row["announced_by_id"],
            "signatories": own_signatories, "announced": row["announced"], "signed": row["signed"],
            "place": row["place_id"], "start": row["start"], "end": row["end"], "links": own_links,
            "parties": own_parties,
        }  # fmt: skip
        dates = {
            name: {
                name: row[name],
                f"{name}_edtf": row[f"{name}_edtf"],
                f"{name}_earliest": day(row[f"{name}_earliest"]),
                f"{name}_latest": day(row[f"{name}_latest"]),
            }
            for name in DATES
        }
        results.append(
            {
                "id": pk,
                "api_url": url,
                "display": row["title"],
                "title": row["title"],
                "kind": row["kind"],
                "status": row["status"],
                "areas": own_areas,
                "drugs": own_drugs,
                "summary": row["summary"],
                "announced_by": officials.get(row["announced_by_id"]),
                "signatories": own_signatories,
                **dates["announced"],
                **dates["signed"],
                "place": places.get(row["place_id"]),
                **dates["start"],
                **dates["end"],
                "links": own_links,
                "parties": own_parties,
                "citations": own_citations,
                "unsupported_fields": [
                    name for name in FACTS if stated[name] not in (None, "", []) and name not in supported
                ],
                "created_at": stamp(row["created_at"]),
                "updated_at": stamp(row["updated_at"]),
                "version": row["version"],
            }
        )
    following = None
    if more and rows:
        cursor = json.dumps({"o": ["id"], "p": [rows[-1]["id"]], "r": False}, separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
        # The link of the product's list, whose bytes these are.
        asked = request.build_absolute_uri(f"/api/v1/agreements/?{request.META.get('QUERY_STRING', '')}")
        following = replace_query_param(asked, "cursor", cursor)
    body = json.dumps(
        {"next": following, "previous": None, "results": results},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    )
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(body.encode(), content_type="application/json")


urlpatterns = [path("bench/raw/agreements/", raw_agreements), *product_urlpatterns]
