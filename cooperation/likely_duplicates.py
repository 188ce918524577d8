"""Likely duplicates, for analysts to look at and merge (``cooperation.merging``): pairs of records that are
probably one record entered twice, though not alike by the exact rules of ``cooperation.duplicates``.

- Agencies, officials and training centres: two of one country (a centre's host country) whose names match
  closely: rapidfuzz's ``token_sort_ratio`` of their names, case-folded and without accents ("Policia Nacional
  del Peru" and "Policía Nacional del Perú" score 100, "Nacional Policía del Perú" too), at least ``THRESHOLD``;
  or an agency named as the other's acronym ("PNP" and "Policía Nacional del Perú", acronym PNP).
- Agreements: two with the same parties and the same signing date (as written in EDTF, unknown included) whose
  titles match closely.

Records are compared only within their block (a country; a set of parties and a date), never each with every
other: the cost grows with the size of the largest block, not with the square of the table. Each model is read
in one query (agreements in two), whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import models
from rapidfuzz import fuzz, process

from cooperation import models as m
from cooperation.duplicates import PARTY_FIELDS, party_identity
from cooperation.names import search_form

#: How closely two names (or titles) must match, out of 100, to be listed.
THRESHOLD = 90
#: The kinds of record compared, by model name (as a citation's ``record_type`` names them).
KINDS: dict[str, type[models.Model]] = {
    "agency": m.Agency,
    "official": m.Official,
    "trainingcentre": m.TrainingCentre,
    "agreement": m.Agreement,
}
SIMILAR_NAMES, ACRONYM, SIMILAR_TITLES = (
    "similar names in the same country",
    "one is named as the other's acronym",
    "same parties and signing date, similar titles",
)


@dataclass(frozen=True)
class Pair:
    """Two records (the lower id first) that are likely one, how closely they match (0-100), and why."""

    first: int
    second: int
    score: float
    reason: str


def _similar(block: list[tuple[int, str]], threshold: float, reason: str) -> Iterator[Pair]:
    """The pairs of a block whose texts match at least ``threshold``."""
    for index, (pk, text) in enumerate(block[:-1]):
        others = [other for _, other in block[index + 1 :]]
        for _, score, position in process.extract(
            text, others, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None
        ):
            other = block[index + 1 + position][0]
            yield Pair(min(pk, other), max(pk, other), round(score, 1), reason)


def _named_pairs(model: type[models.Model], threshold: float) -> Iterator[Pair]:
    country = "host_country_id" if model is m.TrainingCentre else "country_id"
    acronyms = hasattr(model, "acronym")
    columns = ("pk", "name", country, *(("acronym",) if acronyms else ()))
    blocks: dict[int | None, list[tuple]] = defaultdict(list)
    for row in model._default_manager.order_by("pk").values_list(*columns):
        blocks[row[2]].append(row)
    for rows in blocks.values():
        yield from _similar([(row[0], search_form(row[1])) for row in rows], threshold, SIMILAR_NAMES)
        if acronyms:
            by_acronym = defaultdict(list)
            for row in rows:
                if row[3]:
                    by_acronym[search_form(row[3])].append(row[0])
            for row in rows:
                for other in by_acronym.get(search_form(row[1]), ()):
                    if other != row[0]:
                        yield Pair(min(row[0], other), max(row[0], other), 100.0, ACRONYM)


def _agreement_pairs(threshold: float) -> Iterator[Pair]:
    parties: dict[int, set[str]] = defaultdict(set)
    columns = [f"{name}_id" for name in PARTY_FIELDS]
    for agreement, *values in m.AgreementParty.objects.order_by().values_list("agreement_id", *columns):
        parties[agreement].add(party_identity(dict(zip(PARTY_FIELDS, values, strict=True))))
    blocks: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for pk, title, signed in m.Agreement.objects.order_by("pk").values_list("pk", "title", "signed_edtf"):
        blocks[(signed, frozenset(parties.get(pk, ())))].append((pk, search_form(title)))
    for block in blocks.values():
        yield from _similar(block, threshold, SIMILAR_TITLES)


def likely_pairs(kind: str, *, threshold: float = THRESHOLD) -> list[Pair]:
    """The likely duplicates of a kind of record (a key of ``KINDS``), closest first, then by id; a pair found
    for two reasons is listed once, with its best score."""
    model = KINDS[kind]
    found: Iterable[Pair] = _agreement_pairs(threshold) if model is m.Agreement else _named_pairs(model, threshold)
    best: dict[tuple[int, int], Pair] = {}
    for pair in found:
        key = (pair.first, pair.second)
        if key not in best or pair.score > best[key].score:
            best[key] = pair
    return sorted(best.values(), key=lambda pair: (-pair.score, pair.first, pair.second))
