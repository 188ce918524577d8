"""Duplicates: a record that is already on record is not created twice, not even by twenty clients at once.

Each rule below says what makes two records of a kind *alike*: the same name (compared case-folded, see
``cooperation.names``) and country for agencies, officials and training centres; the same title, the same
parties and the same signing date for agreements. A record alike to one on record is refused with
``DuplicateRecordError`` (the API's 409, a row error in a CSV import) naming the records it is alike to:

- an agency's name and country are its natural key (``Name [PE]``), which must name one agency: always refused;
- two officials (or centres, or agreements) may really share a name (or title, parties and date): refused as
  a *likely* duplicate unless the client confirms it is another one (``confirm_duplicate=true``).

The database holds the rule too, so that it holds under concurrency: each record stores a digest of what
makes it alike (``duplicate_key``), unique among the records not confirmed as distinct from a like one
(``confirmed_distinct``). An ``IntegrityError`` on that constraint (a concurrent create won the race)
becomes the same ``DuplicateRecordError``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from cooperation.names import comparable

#: The query parameter (API writes and CSV imports) by which a client confirms a likely duplicate.
CONFIRM_PARAMETER = "confirm_duplicate"
#: The columns holding the digest and the confirmation, on every model with a rule.
KEY_FIELD, CONFIRMED_FIELD = "duplicate_key", "confirmed_distinct"
KEY_LENGTH = 64  # a SHA-256 digest in hex


@dataclass(frozen=True)
class Likeness:
    """What makes two records of one kind alike."""

    #: Fields compared: text case-folded, a foreign key by its id, anything else as it is.
    fields: tuple[str, ...]
    #: A relation whose parts are compared as a set (an agreement's parties), or None.
    parties: str | None = None
    #: Whether a client may confirm that a record alike to another is another one all the same.
    confirmable: bool = True

    def describe(self, model: type[models.Model]) -> str:
        """What is compared, in words: "name and country", "title, parties and signed date"."""
        names = [str(model._meta.get_field(name).verbose_name).replace(" (EDTF)", " date") for name in self.fields]
        if self.parties:
            names.insert(1, self.parties)
        return " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"


#: The rules, by model name (so that migrations, with their historical models, apply the same ones).
RULES: dict[str, Likeness] = {
    "agency": Likeness(("name", "country"), confirmable=False),
    "official": Likeness(("name", "country")),
    "trainingcentre": Likeness(("name", "host_country")),
    "agreement": Likeness(("title", "signed_edtf"), parties="parties"),
}
#: A party's identity: a party given as an agency is that agency, with or without its country beside it.
PARTY_FIELDS = ("agency", "country", "region")


def rule_for(model: type[models.Model]) -> Likeness | None:
    return RULES.get(model._meta.model_name)


class DuplicateRecordError(Exception):
    """The record is alike to records already on record (``existing``)."""

    def __init__(self, record: models.Model, existing: list[models.Model], rule: Likeness):
        self.record, self.existing, self.rule = record, existing, rule
        self.confirmable = rule.confirmable
        self.field = rule.fields[0]
        meta = type(record)._meta
        kind = "likely duplicate" if rule.confirmable else "duplicate"
        what = f"same {rule.describe(type(record))}"
        named = "; ".join(f"\u201c{other}\u201d (id {other.pk})" for other in existing)
        message = f"A {kind}: {len(existing)} {meta.verbose_name if len(existing) == 1 else meta.verbose_name_plural}"
        message += f" with the {what} already on record: {named}."
        if rule.confirmable:
            message += f" If this is another {meta.verbose_name}, send {CONFIRM_PARAMETER}=true."
        else:
            message += " Refer to the existing record, or change it."
        self.code = kind.replace(" ", "_")
        super().__init__(message)


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def party_identity(values: Mapping[str, Any]) -> str:
    for name in PARTY_FIELDS:  # the agency first: a party given as an agency is that agency
        if values.get(name) is not None:
            return f"{name}:{values[name]}"
    return ""


def likeness(record: models.Model, parts: Mapping[str, list[Mapping[str, Any]]] | None = None) -> tuple | None:
    """What the record is compared by (None for a kind without a rule). ``parts`` are the parts being
    written, when the write replaces them; else the stored ones count."""
    rule = rule_for(type(record))
    if rule is None:
        return None
    values: list[Any] = []
    for name in rule.fields:
        value = getattr(record, record._meta.get_field(name).attname)
        values.append(comparable(value) if isinstance(value, str) else value)
    if rule.parties:
        if parts is not None and rule.parties in parts:
            items = [{name: _pk(item.get(name)) for name in PARTY_FIELDS} for item in parts[rule.parties]]
        elif record.pk is not None:
            items = getattr(record, rule.parties).values(*(f"{name}_id" for name in PARTY_FIELDS))
            items = [{name: item[f"{name}_id"] for name in PARTY_FIELDS} for item in items]
        else:
            items = []
        values.append(sorted({party_identity(item) for item in items}))
    return tuple(values)


def digest(values: tuple) -> str:
    return hashlib.sha256(json.dumps(values, default=str, ensure_ascii=False).encode()).hexdigest()


def alike(record: models.Model, values: tuple, *, limit: int = 10) -> list[models.Model]:
    """The stored records (other than this one) alike to ``values``: those with its digest, and those stored
    without one (written by a bulk load) that match in the database, then in Python."""
    model, rule = type(record), rule_for(type(record))
    text = {name: getattr(record, model._meta.get_field(name).attname) for name in rule.fields}
    matching = Q()
    for name, value in text.items():
        field = model._meta.get_field(name)
        matching &= Q(**{f"{name}__iexact": value}) if isinstance(value, str) else Q(**{field.attname: value})
    candidates = model._default_manager.filter(Q(**{KEY_FIELD: digest(values)}) | (Q(**{KEY_FIELD: None}) & matching))
    if record.pk is not None:
        candidates = candidates.exclude(pk=record.pk)
    return [other for other in candidates.order_by("pk")[: limit * 5] if likeness(other) == values][:limit]


def check(record: models.Model, *, parts: Mapping[str, list] | None, confirmed: bool) -> None:
    """Set the record's ``duplicate_key``, or raise DuplicateRecordError if it is alike to a stored record.

    A record that stays alike to what it was (an update that changes none of the compared values) keeps its
    key: it is not checked again.
    """
    rule = rule_for(type(record))
    if rule is None:
        return
    values = likeness(record, parts)
    if record.pk is not None:
        stored = type(record)._default_manager.filter(pk=record.pk).first()
        if stored is not None and likeness(stored) == values:
            setattr(record, KEY_FIELD, getattr(stored, KEY_FIELD))
            setattr(record, CONFIRMED_FIELD, getattr(stored, CONFIRMED_FIELD))
            return
    others = alike(record, values)
    if others and not (confirmed and rule.confirmable):
        raise DuplicateRecordError(record, others, rule)
    setattr(record, KEY_FIELD, digest(values))
    setattr(record, CONFIRMED_FIELD, bool(others))


def after_integrity_error(record: models.Model, parts: Mapping[str, list] | None) -> None:
    """After the database refused a write: raise DuplicateRecordError if a record alike to this one is there
    now (created by a concurrent write); else return, and the caller re-raises."""
    rule = rule_for(type(record))
    if rule is None:
        return
    others = alike(record, likeness(record, parts))
    if others:
        raise DuplicateRecordError(record, others, rule)


def rekey(record: models.Model) -> None:
    """Store the key the record has now that its parts were saved another way (the admin's inline rows, saved
    after the record): a record then alike to another counts as confirmed distinct, as the admin saved it."""
    if rule_for(type(record)) is None:
        return
    values = likeness(record)
    others = alike(record, values)
    type(record)._default_manager.filter(pk=record.pk).update(
        **{KEY_FIELD: digest(values), CONFIRMED_FIELD: bool(others)}
    )


def fill_keys(model: type[models.Model], parts_model: type[models.Model] | None = None) -> int:
    """Give the records of ``model`` that have no key theirs: for data written without the services (a
    migration's existing rows, loaded fixtures). Of records already alike, the first (by id) is the one on
    record and the others count as confirmed distinct: they are kept, not merged. Return how many changed.

    Works with a migration's historical models: it reads only fields, never the models' methods.
    """
    rule = rule_for(model)
    attnames = [model._meta.get_field(name).attname for name in rule.fields]
    rows = list(model._default_manager.order_by("pk").values("pk", KEY_FIELD, CONFIRMED_FIELD, *attnames))
    parties: dict[int, set[str]] = {}
    if rule.parties:
        relation = model._meta.get_field(rule.parties)
        link = relation.field.attname
        for item in relation.related_model._default_manager.values(link, *(f"{n}_id" for n in PARTY_FIELDS)):
            identity = party_identity({name: item[f"{name}_id"] for name in PARTY_FIELDS})
            parties.setdefault(item[link], set()).add(identity)
    taken = {row[KEY_FIELD] for row in rows if row[KEY_FIELD] and not row[CONFIRMED_FIELD]}
    changed = []
    for row in rows:
        if row[KEY_FIELD]:
            continue
        values = [comparable(row[a]) if isinstance(row[a], str) else row[a] for a in attnames]
        if rule.parties:
            values.append(sorted(parties.get(row["pk"], ())))
        key = digest(tuple(values))
        changed.append(model(pk=row["pk"], **{KEY_FIELD: key, CONFIRMED_FIELD: key in taken}))
        taken.add(key)
    model._default_manager.bulk_update(changed, [KEY_FIELD, CONFIRMED_FIELD], batch_size=1000)
    return len(changed)
