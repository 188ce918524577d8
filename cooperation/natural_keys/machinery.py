"""The machinery of natural keys: ``NaturalKey`` (a model's canonical key in SQL, the tiers of lookups that
read a key back, the brief nested form), resolving many keys at once, and the building blocks of keys and tiers.
The keys themselves are declared in ``cooperation.natural_keys``."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, Replace
from django.db.models.lookups import Contains, Exact, IContains, IExact, IsNull
from django.urls import NoReverseMatch, reverse

from cooperation.names import search_form, tidy

_BRACKETED_COUNTRY = re.compile(r"^(?P<name>.+?)\s*\[(?P<country>[A-Za-z]{2})\]$")
#: ``<key> #<id>``, or ``#<id>`` alone: the record with that id (and that key, when one is given).
_WITH_ID = re.compile(r"^(?:(?P<key>.*?\S)\s+)?#(?P<id>[0-9]{1,18})$")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_WWW = re.compile(r"^www\.", re.IGNORECASE)
#: How many matches an ambiguity error lists.
LISTED = 5

#: The order in which the records a value may name are listed: by id, written ``id + 0`` so that PostgreSQL
#: cannot walk the primary key for it. With a ``LIMIT``, it does so whenever it cannot tell how few rows a
#: condition keeps (the lines of the places' other names: 170 of 34,000 estimated), and a value that names
#: nothing then reads the whole table (130 ms per place name) where the condition's own index answers in 0.1 ms.
_BY_ID = F("pk") + 0


class NaturalKeyError(ValueError):
    """The value names no record, or several."""


class UnknownKey(NaturalKeyError):
    """The value names no record."""


class AmbiguousKey(NaturalKeyError):
    """The value names several records."""


MAX_ID = 2**63 - 1


def as_id(value: str) -> int | None:
    """The id written as ``value`` (ASCII digits, 1 to 2**63 - 1), or None. Never raises: "²", 5,000 digits and
    "1e9" are simply not ids."""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def canonical_url(url: str) -> str:
    """A web address without what does not tell two sources apart: its http/https scheme, a leading ``www.``
    and one trailing slash (``https://www.example.org/a/`` is ``example.org/a``)."""
    url = _WWW.sub("", _SCHEME.sub("", url.strip()))
    return url[:-1] if url.endswith("/") else url


def url_variants(url: str) -> list[str]:
    """Every stored form that ``canonical_url`` makes the same as ``url``, and ``url`` as written."""
    bare = canonical_url(url)
    forms = [f"{s}{w}{bare}{t}" for s in ("https://", "http://", "") for w in ("", "www.") for t in ("", "/")]
    return list(dict.fromkeys([url.strip(), *forms]))


def same_source(url: str) -> Q:
    """Sources at ``url`` give or take its scheme, ``www.`` and a trailing slash (an index lookup)."""
    return Q(url__in=url_variants(url)) if url.strip() else Q(pk__in=[])


_resolved: ContextVar[dict | None] = ContextVar("natural_keys_resolved", default=None)


@contextmanager
def remembering_resolutions() -> Iterator[None]:
    """Within this block, a key resolved once is not looked up again (an import names Peru a thousand
    times). Only successful lookups are remembered, so a record created meanwhile is still found."""
    token = _resolved.set({})
    try:
        yield
    finally:
        _resolved.reset(token)


#: Values looked up per query by ``resolve_many`` (SQLite allows 500 SELECTs in one compound statement).
RESOLVED_PER_QUERY = 400


def resolve_many(model: type[models.Model], values: Iterable[str]) -> None:
    """Within ``remembering_resolutions``, look up many values at once, as ``NaturalKey.resolve_reference``
    would one by one: one query for every value not remembered yet (a UNION ALL of each value's first tier,
    so each record found is known to match the value it was asked for). A value whose first tier finds
    exactly one record is remembered; the others (none found: a looser tier may; several: an ambiguity to
    explain) are left for ``resolve_reference`` to look up and explain, one by one, as before."""
    remembered = _resolved.get()
    if remembered is None:
        return
    from cooperation.natural_keys import natural_key  # the declarations, which import this module

    key = natural_key(model)
    wanted: dict[tuple, Q] = {}
    for value in values:
        memo, condition = key.first_condition(value)
        if condition is not None and (model, memo) not in remembered and memo not in wanted:
            wanted[memo] = condition
    memos = list(wanted)
    for start in range(0, len(memos), RESOLVED_PER_QUERY):
        chunk = memos[start : start + RESOLVED_PER_QUERY]
        queries = [
            model._default_manager.filter(wanted[memo]).order_by().annotate(_asked=Value(n))
            for n, memo in enumerate(chunk)
        ]
        found: dict[int, list[models.Model]] = {}
        union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for record in union:
            found.setdefault(record._asked, []).append(record)
        for n, records in found.items():
            if len(records) == 1:
                del records[0]._asked
                remembered[model, chunk[n]] = records[0]


Tier = Callable[[str], Q | None]


@dataclass(frozen=True)
class NaturalKey:
    model: type[models.Model]
    #: Fields of the brief nested form (besides ``id``); ``country`` is rendered as its ISO alpha-2 code.
    brief_fields: tuple[str, ...]
    #: The canonical key of the record at a path (``""``: the record itself; ``"country"``: its country), in SQL.
    canonical: Callable[[str], models.Expression]
    #: The conditions matching a value as a client may write it, tried in order (None: the tier does not apply).
    #: The first is the canonical key exactly as ``canonical`` writes it.
    tiers: tuple[Tier, ...]
    #: Other records with the canonical key of the record at a path (``OuterRef``s), when keys may be shared.
    clash: Callable[[str], Q] | None = None
    #: Relations the brief form reads.
    select_related: tuple[str, ...] = field(default=())
    #: Whether a value of digits alone is a key (ISO numeric, M49 codes) rather than an id.
    digits_are_keys: bool = False

    def expression(self, path: str = "") -> models.Expression:
        """The key written for the record at ``path``: canonical, with `` #<id>`` where others share it or where
        it is digits, which ``resolve_reference`` would read as an id (unless they are the record's own id)."""
        key = self.canonical(path)
        prefix = f"{path}__" if path else ""
        pk = Cast(F(f"{prefix}pk"), CharField())
        needs_id = Q()
        if not self.digits_are_keys:
            # Read back as an id: only the record's own id may be written as digits alone.
            needs_id |= Q(_Digits(key)) & ~Q(Exact(key, pk))
        if self.clash is not None:
            others = self.model._default_manager.filter(self.clash(prefix)).exclude(pk=OuterRef(f"{prefix}pk"))
            needs_id |= Q(Exists(others))
        if not needs_id:
            return key
        if path:
            # No record there (a party that is a country, not an agency): no key, and no look for others first.
            needs_id = Q(IsNull(F(f"{prefix}pk"), False)) & needs_id
        with_id = Concat(key, Value(" #"), pk, output_field=CharField())
        return Case(When(needs_id, then=with_id), default=key, output_field=CharField())

    def key(self, record: models.Model) -> str:
        """The key of one record, as an export writes it."""
        return self.model._default_manager.filter(pk=record.pk).values_list(self.expression(), flat=True).get()

    def resolve(self, value: str, queryset: models.QuerySet | None = None) -> models.Model:
        """The one record ``value`` names. Raises NaturalKeyError naming what went wrong."""
        value = tidy(value)  # as names are stored: NFC, single spaces
        if not value or "\x00" in value:
            raise UnknownKey(f"{value!r} is not a valid {self.model._meta.verbose_name}.")
        remembered = _resolved.get() if queryset is None else None
        if remembered is not None and (self.model, value) in remembered:
            return remembered[self.model, value]
        records = self.model._default_manager.all() if queryset is None else queryset
        for condition in self.conditions(value):
            matches = list(records.filter(condition).order_by(_BY_ID)[: LISTED + 1])
            if len(matches) == 1:
                if remembered is not None:
                    remembered[self.model, value] = matches[0]
                return matches[0]
            if matches:
                raise AmbiguousKey(self.ambiguous(value, matches))
        raise UnknownKey(f"No {self.model._meta.verbose_name} {value!r}.")

    def resolve_reference(self, value: str) -> models.Model:
        """The one record ``value`` names where an id may be given as text (filters, CSV cells): digits are the
        id, except where they are keys (countries, regions); anything else is a key, as ``resolve`` reads it."""
        if not value.isdigit() or self.digits_are_keys:
            return self.resolve(value)
        number = as_id(value)
        remembered = _resolved.get()
        if remembered is not None and (self.model, f"#{number}") in remembered:  # "#12" is resolve's id form
            return remembered[self.model, f"#{number}"]
        record = None if number is None else self.model._default_manager.filter(pk=number).first()
        if record is None:
            raise UnknownKey(f"No {self.model._meta.verbose_name} with id {value[:50]}.")
        if remembered is not None:
            remembered[self.model, f"#{number}"] = record
        return record

    def conditions(self, value: str) -> Iterator[Q]:
        """The tiers in the order they are tried: exact, ignoring case, the id form, then the looser ones."""
        exact, *looser = self.tiers
        for tier in (exact, *looser[:1], self.with_id, *looser[1:]):
            condition = tier(value)
            if condition is not None:
                yield condition

    def first_condition(self, written: str) -> tuple[str | None, Q | None]:
        """How ``resolve_reference`` remembers ``written`` and the first condition it tries for it, or
        (None, None) when it would not look it up (nothing to find, or not an id)."""
        if written.isdigit() and not self.digits_are_keys:
            number = as_id(written)
            return (f"#{number}", Q(pk=number)) if number is not None else (None, None)
        value = tidy(written)
        if not value or "\x00" in value:
            return None, None
        return value, next(self.conditions(value), None)

    def with_id(self, value: str) -> Q | None:
        """``<key> #<id>``: the record with that id, if ``<key>`` names it too; ``#<id>``: the record."""
        written = _WITH_ID.match(value)
        if not written:
            return None
        if not written["key"]:
            return Q(pk=int(written["id"]))
        exact, nocase, *_ = (*self.tiers, None)
        named = [condition for condition in (exact(written["key"]), nocase and nocase(written["key"])) if condition]
        if not named:
            return None  # what precedes the id cannot be a key of this kind: it names nothing
        return Q(pk=int(written["id"])) & functools.reduce(operator.or_, named)

    def ambiguous(self, value: str, matches: list[models.Model]) -> str:
        listed = "; ".join(f"{self.key(record)!r} (id {record.pk}, {api_path(record)})" for record in matches[:LISTED])
        more = ", and more" if len(matches) > LISTED else ""
        return (
            f"{value!r} names several {self.model._meta.verbose_name_plural}: {listed}{more}. Give the one you mean "
            "by its key as listed, or by its id."
        )


def api_path(record: models.Model) -> str:
    try:
        return reverse(f"api:{record._meta.model_name}-detail", kwargs={"pk": record.pk})
    except NoReverseMatch:
        return f"id {record.pk}"


# --- Keys of each kind of record ----------------------------------------------------------------------------
def _column(name: str) -> Callable[[str], models.Expression]:
    return lambda path: F(f"{path}__{name}" if path else name)


def _exact(name: str) -> Tier:
    return lambda value: Q(**{name: value})


def _nocase(name: str) -> Tier:
    return lambda value: Q(**{f"{name}__iexact": value})


def _same(*names: str, nullable: tuple[str, ...] = ()) -> Callable[[str], Q]:
    """Records whose fields are exactly those of the record at the prefix (NULL equal to NULL in ``nullable``).
    Exact, not ignoring case: the first tier of a lookup is exact, so only an exact twin makes a key ambiguous."""

    def clash(prefix: str) -> Q:
        condition = Q()
        for name in names:
            outer = OuterRef(f"{prefix}{name}")
            same = Q(**{name: outer})
            if name in nullable:
                same |= Q(**{f"{name}__isnull": True}) & Q(_IsNull(outer))
            condition &= same
        return condition

    return clash


class _Digits(models.Func):
    """``<expression>`` is ASCII digits alone (``LTRIM(x, '0123456789')`` is the same in SQLite and PostgreSQL,
    and cheaper per row than a regular expression, which SQLite calls back into Python for)."""

    output_field = models.BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} <> '' AND LTRIM({sql}, '0123456789') = '')", (*params, *params)


class _Joined(models.Func):
    """``a || b || c``: text joined flat (Django's ``Concat`` nests a function per pair, which overflows SQLite's
    parser in an export that writes several keys made of keys), and NULL where any part is: no post, no key."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # PostgreSQL reads a bare parameter of unknown type in ``||`` as text only when told.
        parts = [Cast(part, models.TextField()) for part in self.source_expressions]
        return models.Func(*parts, arg_joiner=self.arg_joiner, template=self.template, output_field=CharField()).as_sql(
            compiler, connection, **extra
        )


class _IsNull(models.Func):
    """``<expression> IS NULL`` as a condition (for an ``OuterRef``)."""

    template = "%(expressions)s IS NULL"
    output_field = models.BooleanField()
    conditional = True


def _in_country(name_lookup: str) -> Tier:
    """``Name [RU]``: that name in that country; ``Name``: that name with no country."""

    def tier(value: str) -> Q:
        bracketed = _BRACKETED_COUNTRY.match(value)
        if bracketed:
            return Q(**{name_lookup: bracketed["name"], "country__iso2__iexact": bracketed["country"]})
        return Q(**{name_lookup: value, "country__isnull": True})

    return tier


def _anywhere(value: str) -> Q | None:
    """A name without its country: that name in any country."""
    return None if _BRACKETED_COUNTRY.match(value) else Q(name__iexact=value)


class _HasLine(models.Func):
    """A text of lines (``other_names``, ``search_names``) has one equal to ``value``, in upper case both where
    ``ignore_case``. On PostgreSQL, its lines as an array contain the value: a GIN index of the same expression
    (``lines_index_sql``) answers it from the index, where ``LIKE '%\n<value>\n%'`` reads every row (migration
    0023). Elsewhere, that ``LIKE``."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, column: str, value: str, *, ignore_case: bool):
        self.value, self.ignore_case = value, ignore_case
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra):
        text = Replace(self.source_expressions[0], Value("\r"), Value(""), output_field=models.TextField())
        lines = Concat(Value("\n"), text, Value("\n"), output_field=models.TextField())
        lookup = IContains if self.ignore_case else Contains
        return compiler.compile(lookup(lines, f"\n{self.value}\n"))

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        value = "UPPER(%s)" if self.ignore_case else "%s"
        return f"{lines_sql(column, self.ignore_case)} @> ARRAY[{value}]::text[]", (*params, self.value)


def lines_sql(column: str, ignore_case: bool) -> str:
    """A text column's lines as a PostgreSQL array (in upper case where ``ignore_case``): what ``_HasLine`` asks
    and what the GIN index that answers it holds, written once for both."""
    text = f"REPLACE({column}, E'\\r', '')"
    return f"string_to_array({f'UPPER({text})' if ignore_case else text}, E'\\n')"


def _other_name(value: str) -> Q:
    """One of the lines of ``other_names``, whole and ignoring case."""
    return Q(_HasLine("other_names", value, ignore_case=True))


def _aliases(*, acronym: bool) -> Tier:
    """An acronym or another name, as such or followed by the country (``DEA [US]``)."""

    def tier(value: str) -> Q:
        bracketed = _BRACKETED_COUNTRY.match(value)
        name = bracketed["name"] if bracketed else value
        condition = _other_name(name) | (Q(acronym__iexact=name) if acronym else Q())
        return condition & Q(country__iso2__iexact=bracketed["country"]) if bracketed else condition

    return tier


def _folded_names(value: str) -> Q:
    """One of the names written without its accents or in another case (``Policia Nacional del Peru [PE]``),
    as a record that keeps its names folded stores them (``FoldedNames``): tried after every other form."""
    bracketed = _BRACKETED_COUNTRY.match(value)
    name = bracketed["name"] if bracketed else value
    condition = Q(_HasLine("search_names", search_form(name), ignore_case=False))
    return condition & Q(country__iso2__iexact=bracketed["country"]) if bracketed else condition


def _key_in_country(path: str) -> models.Expression:
    prefix = f"{path}__" if path else ""
    return Case(
        When(
            **{f"{prefix}country__isnull": False},
            then=Concat(F(f"{prefix}name"), Value(" ["), F(f"{prefix}country__iso2"), Value("]")),
        ),
        default=F(f"{prefix}name"),
        output_field=CharField(),
    )


def _named(model: type[models.Model], name: str) -> NaturalKey:
    """A record named by one text field (a title, a name), written with its id where others share it."""
    return NaturalKey(model, (name,), _column(name), (_exact(name), _nocase(name)), clash=_same(name))


def _named_in_country(model, fields: tuple[str, ...], aliases: Tier, by_id: Tier | None = None) -> NaturalKey:
    """A record named in its country (an agency, an official, a place): found by its name there, exactly, then
    ignoring case; by an id of its own; by its name anywhere; by its other names. A place always has a country."""
    lookups = (_in_country("name"), _in_country("name__iexact"), *([by_id] if by_id else []), _anywhere, aliases)
    if any(field.name == "search_names" for field in model._meta.concrete_fields):
        lookups = (*lookups, _folded_names)
    nullable = () if not model._meta.get_field("country").null else ("country",)
    return NaturalKey(
        model,
        fields,
        _key_in_country,
        lookups,
        clash=_same("name", "country", nullable=nullable),
        select_related=("country",),
    )


def _whole_key(canonical: Callable[[str], models.Expression], lookup: type, separators: tuple[str, ...] = ()) -> Tier:
    """The value compared with the whole canonical key (a key made of others' keys, such as a post's). A value
    without each of the key's ``separators`` (in any case for ``IExact``) cannot be one, and is not asked: the
    SQL of such a key takes 40 ms to build, for every name that is no key (a fuzzer's, a typing slip)."""

    def tier(value: str) -> Q | None:
        written = value.casefold() if lookup is IExact else value
        if not all(separator in written for separator in separators):
            return None
        return Q(lookup(canonical(""), value))

    return tier
