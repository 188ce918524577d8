"""The product's URLs plus ``/bench/raw/agreements/``: the list endpoint's reference, written by hand.

The reference answers ``?country=<ISO2>&status=<code>&limit=<n>`` with the same page as
``/api/v1/agreements/`` (the first ``limit`` agreements by id, the same nested parties, areas, signatories and
citations, the same field names), built from ``.values()`` queries and a ``JsonResponse``: no serializers,
no filterset, no pagination class and no COUNT. It is what the list endpoint is measured against; it is not
part of the product.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns
from cooperation import models as m

DATES = [f"{d}{s}" for d in ("announced", "signed", "start", "end") for s in ("", "_edtf", "_earliest", "_latest")]
FIELDS = ["id", "title", "kind", "status", "summary", *DATES, "created_at", "updated_at", "version"]


def brief_country(row: dict, prefix: str) -> dict | None:
    if row[f"{prefix}_id"] is None:
        return None
    return {
        "id": row[f"{prefix}_id"],
        "iso2": row[f"{prefix}__iso2"],
        "iso3": row[f"{prefix}__iso3"],
        "name": row[f"{prefix}__name"],
    }


def raw_agreements(request):
    agreements = m.Agreement.objects.all()
    if country := request.GET.get("country"):
        country_id = m.Country.objects.filter(iso2=country).values_list("pk", flat=True).get()
        # A party is the country, or one of its agencies (as the product's `country` filter counts it).
        parties = m.AgreementParty.objects.filter(Q(country_id=country_id) | Q(agency__country_id=country_id))
        agreements = agreements.filter(pk__in=parties.values("agreement_id"))
    if status := request.GET.get("status"):
        agreements = agreements.filter(status=status)
    limit = int(request.GET.get("limit", 50))
    announced_by = ["announced_by_id", "announced_by__name", "announced_by__country__iso2"]
    rows = list(agreements.order_by("id").values(*FIELDS, *announced_by)[:limit])
    ids = [row["id"] for row in rows]

    parties = defaultdict(list)
    party_fields = ["agency__name", "agency__acronym", "agency__country__iso2", "region__m49_code", "region__name"]
    for party in m.AgreementParty.objects.filter(agreement_id__in=ids).order_by("agreement_id", "id").values(
        "id", "agreement_id", "country_id", "country__iso2", "country__iso3", "country__name",
        "region_id", "agency_id", "role", "note", *party_fields,
    ):  # fmt: skip
        parties[party["agreement_id"]].append(
            {
                "id": party["id"],
                "country": brief_country(party, "country"),
                "region": party["region_id"]
                and {"id": party["region_id"], "m49_code": party["region__m49_code"], "name": party["region__name"]},
                "agency": party["agency_id"]
                and {
                    "id": party["agency_id"],
                    "name": party["agency__name"],
                    "acronym": party["agency__acronym"],
                    "country": party["agency__country__iso2"],
                },
                "role": party["role"],
                "note": party["note"],
            }
        )
    areas = defaultdict(list)
    for area in m.Agreement.areas.through.objects.filter(agreement_id__in=ids).values(
        "agreement_id", "cooperationarea_id", "cooperationarea__code", "cooperationarea__name"
    ):
        brief = {"code": area["cooperationarea__code"], "name": area["cooperationarea__name"]}
        areas[area["agreement_id"]].append({"id": area["cooperationarea_id"], **brief})
    signatories = defaultdict(list)
    for official in m.Agreement.signatories.through.objects.filter(agreement_id__in=ids).values(
        "agreement_id", "official_id", "official__name", "official__country__iso2"
    ):
        brief = {"name": official["official__name"], "country": official["official__country__iso2"]}
        signatories[official["agreement_id"]].append({"id": official["official_id"], **brief})
    citations = defaultdict(list)
    content_type = ContentType.objects.get_for_model(m.Agreement)
    citation_fields = ["quote", "locator", "confidence", "modality", "note"]
    for citation in m.Citation.objects.filter(content_type=content_type, object_id__in=ids).values(
        "id", "object_id", "source_id", "source__title", "source__url", *citation_fields
    ):
        citations[citation["object_id"]].append(
            {
                "id": citation["id"],
                "source": {
                    "id": citation["source_id"],
                    "title": citation["source__title"],
                    "url": citation["source__url"],
                },
                **{name: citation[name] for name in citation_fields},
            }
        )

    base = request.build_absolute_uri("/api/v1/agreements/")
    results = []
    for row in rows:
        record_id = row["id"]
        announced_by = row["announced_by_id"] and {
            "id": row["announced_by_id"],
            "name": row["announced_by__name"],
            "country": row["announced_by__country__iso2"],
        }
        results.append(
            {
                "id": record_id,
                "api_url": f"{base}{record_id}/",
                "display": row["title"],
                **{name: row[name] for name in FIELDS[1:5]},
                "areas": areas[record_id],
                "announced_by": announced_by,
                "signatories": signatories[record_id],
                **{name: row[name] for name in DATES},
                "parties": parties[record_id],
                "citations": citations[record_id],
                **{name: row[name] for name in ("created_at", "updated_at", "version")},
            }
        )
    return JsonResponse({"next": None, "previous": None, "results": results})


urlpatterns = [path("bench/raw/agreements/", raw_agreements), *product_urlpatterns]
