"""The counts a country's dossier reads, kept up to date in the transaction of every write.

A dossier counts the records that involve a country (each resource's ``country`` filter: its ``places``) by
kind and by the years their dates may fall in (its timeline, and each section's total), and the countries that
are their parties (its partners). Counted from the records, that reads every record of the country's on each
page: 110,000 party rows for the United States among 100,000 agreements (bench/RESULTS.md, issue 15). They are
kept instead, in two layers (``cooperation.explorer.models``):

- **per record**: the countries it involves, with the years of its date (``RecordCountry``), and the countries
  of its parties, a party given as an agency counting for the agency's country (``RecordParty``);
- **per country**: its records by kind and pair of years (``CountryCount``), and by kind and partner
  (``PartnerCount``): a few hundred rows, whatever the number of records.

**Triggers.** Every table a ``country`` path goes through (an agreement, its parties, the agencies they name,
the place it was signed at, ...) has triggers that, for each row written, find the records whose countries it
may change and make their rows of the first layer again (delete, then insert what their paths give now). The
first layer's own triggers add and take away the second's counts. So every way of writing is counted: the
services, the admin, the bulk import, queryset updates, merges, raw SQL; an agency that changes country
recounts the records it is a party to. The SQL is derived from the resources' ``places``, so the counts cannot
mean another thing than the API's ``country`` filter. ``install_triggers`` runs in the migration and after
every ``migrate`` (SQLite drops a table's triggers when a migration rebuilds the table).

**Rebuild.** ``rebuild`` (the command ``rebuild_dossier_counts``) makes both layers again from the records, in
one transaction; ``expected`` computes them without writing, which the tests compare the kept rows to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection as default_connection
from django.db import models, transaction
from django.db.models.signals import post_migrate

from cooperation.explorer.models import UNKNOWN_YEAR, CountryCount, PartnerCount, RecordCountry, RecordParty

RC, RP = RecordCountry._meta.db_table, RecordParty._meta.db_table
CC, PC = CountryCount._meta.db_table, PartnerCount._meta.db_table
PREFIX = "dossier_counts"


# --- What is counted, derived from the resources ------------------------------------------------------------
def counted_kinds() -> dict[str, object]:
    """The kinds of record a dossier counts: those on its timeline and in its sections (resource name -> Resource)."""
    from cooperation.explorer.dossier import KINDS
    from cooperation.explorer.timeline import WHEN
    from cooperation.resources import RESOURCES

    return {name: RESOURCES[name] for name in (*KINDS, *(n for n in WHEN if n not in KINDS))}


def party_relations() -> dict[str, str]:
    from cooperation.explorer.dossier import PARTIES

    return PARTIES


@dataclass
class Watch:
    """What a table's rows change about the records of a kind: the columns that matter, and for a row (``NEW``
    or ``OLD``) the ids of the records it may change (functions: row -> a SELECT of ids)."""

    columns: set[str] = field(default_factory=set)
    ids: list = field(default_factory=list)

    def affected(self, rows: tuple[str, ...]) -> str:
        """The ids of the records that the rows (``NEW``, ``OLD`` or both) may change, as ``(SELECT ...)``."""
        return "(" + " UNION ".join(make(row) for row in rows for make in self.ids) + ")"


def q(name: str) -> str:
    return f'"{name}"'


#: A join of a path: (table, its alias's number, the ON condition with ``{p}`` for the aliases' prefix).
Join = tuple[str, int, str]


def joined(joins: list[Join], prefix: str) -> str:
    return "".join(f" INNER JOIN {q(table)} {prefix}{n} ON {on.format(p=prefix)}" for table, n, on in joins)


@dataclass
class Path:
    """A ``country`` path of a kind, as SQL: the joins from the record's table (alias ``t0``) and the column that
    holds the country."""

    joins: list[Join]
    country: str  # with {p}

    def select(self, table: str, pk: str, where: str) -> str:
        return (
            f"SELECT t0.{q(pk)} AS record_id, {self.country.format(p='t')} AS country_id "
            f"FROM {q(table)} t0{joined(self.joins, 't')} WHERE {where}"
        )


def walk(model: type[models.Model], path: str, watches: dict[str, Watch]) -> Path:
    """The path's SQL, and for each table it goes through, what a row written there changes (into ``watches``)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    joins: list[Join] = []
    current = model
    names = path.split("__")

    def ids_where(before: list[Join], condition: str):
        """The records reached through the joins ``before`` whose last table meets ``condition`` (with ``{p}``
        for the aliases and ``{row}`` for the row written)."""
        if not before and condition.startswith(f"{{p}}0.{q(pk)} = "):
            column = condition.split(" = ", 1)[1]
            return lambda row: f"SELECT {column.format(row=row)}"
        return lambda row: (
            f"SELECT a0.{q(pk)} FROM {q(table)} a0{joined(before, 'a')} WHERE {condition.format(p='a', row=row)}"
        )

    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        fld = current._meta.get_field(name)
        here, here_pk = current._meta.db_table, current._meta.pk.column
        alias = f"{{p}}{depth}"
        if fld.many_to_one:  # a foreign key of the current table: the country, or a record it names
            watches.setdefault(here, Watch()).columns.add(fld.column)
            if last:
                return Path(joins, f"{alias}.{q(fld.column)}")
            target = fld.related_model
            before = list(joins)
            joins.append(
                (
                    target._meta.db_table,
                    depth + 1,
                    f"{{p}}{depth + 1}.{q(target._meta.pk.column)} = {alias}.{q(fld.column)}",
                )
            )
            # A row of the target (an agency that changes country) changes the records that name it.
            watch = watches.setdefault(target._meta.db_table, Watch())
            watch.ids.append(ids_where(before, f"{alias}.{q(fld.column)} = {{row}}.{q(target._meta.pk.column)}"))
            current = target
        elif fld.one_to_many:  # the current table's parts (an agreement's parties)
            child, back = fld.related_model, fld.field.column
            before = list(joins)
            joins.append((child._meta.db_table, depth + 1, f"{{p}}{depth + 1}.{q(back)} = {alias}.{q(here_pk)}"))
            watch = watches.setdefault(child._meta.db_table, Watch())
            watch.columns.add(back)
            watch.ids.append(ids_where(before, f"{alias}.{q(here_pk)} = {{row}}.{q(back)}"))
            current = child
        elif fld.many_to_many and last:  # countries named through a many-to-many table (an event's concerned)
            through, source, target = fld.m2m_db_table(), fld.m2m_column_name(), fld.m2m_reverse_name()
            before = list(joins)
            joins.append((through, depth + 1, f"{{p}}{depth + 1}.{q(source)} = {alias}.{q(here_pk)}"))
            watch = watches.setdefault(through, Watch())
            watch.columns |= {source, target}
            watch.ids.append(ids_where(before, f"{alias}.{q(here_pk)} = {{row}}.{q(source)}"))
            return Path(joins, f"{{p}}{depth + 1}.{q(target)}")
        else:
            raise ValueError(f"{model.__name__}: the country path {path!r} is not one the dossier's counts follow.")
    raise ValueError(f"{model.__name__}: the country path {path!r} does not end at a country.")


@dataclass
class Kind:
    """One kind of record as the counts follow it."""

    name: str
    model: type[models.Model]
    paths: list[Path]
    dates: tuple[str, str] | None  # the columns of its earliest and latest years, when it is on the timeline
    party: tuple[str, str, str, str] | None  # (party table, its column to the record, country, agency)
    watches: dict[str, Watch]


def kinds() -> list[Kind]:
    from cooperation import models as m
    from cooperation.explorer.timeline import WHEN

    found = []
    for name, resource in counted_kinds().items():
        model = resource.model
        watches: dict[str, Watch] = {}
        paths = [walk(model, path, watches) for path in resource.places.countries]
        own = watches.setdefault(model._meta.db_table, Watch())
        own.ids.insert(0, lambda row, pk=model._meta.pk.column: f"SELECT {row}.{q(pk)}")
        dates = None
        if name in WHEN:
            start, end = WHEN[name]
            dates = (model._meta.get_field(f"{start}_earliest").column, model._meta.get_field(f"{end}_latest").column)
            own.columns |= set(dates)
        party = None
        if name in party_relations():
            relation = model._meta.get_field(party_relations()[name]).remote_field  # the part's foreign key
            part = relation.model
            party = (
                part._meta.db_table,
                relation.column,
                part._meta.get_field("country").column,
                part._meta.get_field("agency").column,
            )
            agency = part._meta.get_field("agency").related_model
            if agency is not m.Agency or party[0] not in watches:
                raise ValueError(f"{name}: its parties are not among its country paths.")
        found.append(Kind(name, model, paths, dates, party, watches))
    return found


# --- SQL ----------------------------------------------------------------------------------------------------
def year(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"COALESCE(CAST(EXTRACT(YEAR FROM {column}) AS integer), {UNKNOWN_YEAR})"
    return f"COALESCE(CAST(strftime('%Y', {column}) AS integer), {UNKNOWN_YEAR})"


def countries_select(kind: Kind, vendor: str, ids: str | None) -> str:
    """(kind, record, country, earliest year, latest year) of the records ``ids`` (all: None), each once."""
    table, pk = kind.model._meta.db_table, kind.model._meta.pk.column
    where = f"t0.{q(pk)} IN {ids}" if ids else "1 = 1"
    union = " UNION ".join(path.select(table, pk, where) for path in kind.paths)
    if kind.dates:
        first, last = (year(vendor, f"r.{q(column)}") for column in kind.dates)
    else:
        first = last = str(UNKNOWN_YEAR)
    return (
        f"SELECT '{kind.name}', x.record_id, x.country_id, {first}, {last} FROM ({union}) x "
        f"INNER JOIN {q(table)} r ON r.{q(pk)} = x.record_id WHERE x.country_id IS NOT NULL"
    )


def parties_select(kind: Kind, ids: str | None) -> str:
    """(kind, record, country) of the parties of the records ``ids`` (all: None), each country once per record."""
    from cooperation import models as m

    table, back, country, agency = kind.party
    found = f"COALESCE(p.{q(country)}, a.{q(m.Agency._meta.get_field('country').column)})"
    where = f" AND p.{q(back)} IN {ids}" if ids else ""
    return (
        f"SELECT DISTINCT '{kind.name}', p.{q(back)}, {found} FROM {q(table)} p "
        f"LEFT OUTER JOIN {q(m.Agency._meta.db_table)} a ON a.{q(m.Agency._meta.pk.column)} = p.{q(agency)} "
        f"WHERE {found} IS NOT NULL{where}"
    )


def refresh(kind: Kind, vendor: str, ids: str) -> list[str]:
    """Statements that make the first layer's rows of the records ``ids`` of ``kind`` again."""
    statements = [
        f"DELETE FROM {RC} WHERE kind = '{kind.name}' AND record_id IN {ids}",
        f"INSERT INTO {RC} (kind, record_id, country_id, first_year, last_year) {countries_select(kind, vendor, ids)}",
    ]
    if kind.party:
        statements += [
            f"DELETE FROM {RP} WHERE kind = '{kind.name}' AND record_id IN {ids}",
            f"INSERT INTO {RP} (kind, record_id, country_id) {parties_select(kind, ids)}",
        ]
    return statements


def changed(vendor: str, columns: set[str]) -> str:
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{q(c)} {differs} NEW.{q(c)}" for c in sorted(columns))


def table_triggers(vendor: str) -> dict[str, dict[str, tuple[str | None, list[str]]]]:
    """For each table a count depends on: event -> (the condition for an update, the statements for a row)."""
    by_table: dict[str, list[tuple[Kind, Watch]]] = {}
    for kind in kinds():
        for table, watch in kind.watches.items():
            by_table.setdefault(table, []).append((kind, watch))
    triggers = {}
    for table, watched in by_table.items():
        columns = set().union(*(watch.columns for _, watch in watched))
        events = {}
        for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
            statements = []
            for kind, watch in watched:
                statements += refresh(kind, vendor, watch.affected(rows))
            events[event] = (changed(vendor, columns) if event == "UPDATE" and columns else None, statements)
        triggers[table] = events
    return triggers


def upsert_partner(country: str, partner: str, source: str, where: str, conflict_sign: str = "+") -> str:
    return (
        f"INSERT INTO {PC} (country_id, partner_id, kind, records) SELECT {country}, {partner}, {source}, 1 {where} "
        f"ON CONFLICT (country_id, partner_id, kind) DO UPDATE SET records = {PC}.records {conflict_sign} 1"
    )


def count_triggers() -> dict[str, dict[str, tuple[None, list[str]]]]:
    """The first layer's triggers, which keep the second's counts."""
    same_span = (
        "country_id = OLD.country_id AND kind = OLD.kind AND first_year = OLD.first_year AND last_year = OLD.last_year"
    )
    return {
        RC: {
            "INSERT": (None, [
                f"INSERT INTO {CC} (country_id, kind, first_year, last_year, records) "
                f"VALUES (NEW.country_id, NEW.kind, NEW.first_year, NEW.last_year, 1) "
                f"ON CONFLICT (country_id, kind, first_year, last_year) DO UPDATE SET records = {CC}.records + 1",
                upsert_partner("NEW.country_id", "p.country_id", "NEW.kind",
                               f"FROM {RP} p WHERE p.kind = NEW.kind AND p.record_id = NEW.record_id "
                               f"AND p.country_id <> NEW.country_id"),
            ]),
            "DELETE": (None, [
                f"UPDATE {CC} SET records = records - 1 WHERE {same_span}",
                f"DELETE FROM {CC} WHERE {same_span} AND records <= 0",
                f"UPDATE {PC} SET records = records - 1 WHERE country_id = OLD.country_id AND kind = OLD.kind "
                f"AND partner_id IN (SELECT p.country_id FROM {RP} p WHERE p.kind = OLD.kind "
                f"AND p.record_id = OLD.record_id AND p.country_id <> OLD.country_id)",
                f"DELETE FROM {PC} WHERE country_id = OLD.country_id AND kind = OLD.kind AND records <= 0",
            ]),
        },
        RP: {
            "INSERT": (None, [
                upsert_partner("c.country_id", "NEW.country_id", "NEW.kind",
                               f"FROM {RC} c WHERE c.kind = NEW.kind AND c.record_id = NEW.record_id "
                               f"AND c.country_id <> NEW.country_id"),
            ]),
            "DELETE": (None, [
                f"UPDATE {PC} SET records = records - 1 WHERE partner_id = OLD.country_id AND kind = OLD.kind "
                f"AND country_id IN (SELECT c.country_id FROM {RC} c WHERE c.kind = OLD.kind "
                f"AND c.record_id = OLD.record_id AND c.country_id <> OLD.country_id)",
                f"DELETE FROM {PC} WHERE partner_id = OLD.country_id AND kind = OLD.kind AND records <= 0",
            ]),
        },
    }  # fmt: skip


def trigger_name(table: str, event: str) -> str:
    return f"{PREFIX}_{table.removeprefix('cooperation_')}_{event.lower()}"[:60]


def create_statements(vendor: str, table: str, event: str, when: str | None, body: list[str]) -> list[str]:
    name = trigger_name(table, event)
    if vendor == "postgresql":
        statements = "".join(f"    {s};\n" for s in body)
        condition = f" WHEN ({when})" if when else ""
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}"
            f"    RETURN NULL;\nEND $$",
            f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {q(table)} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {name}()",
        ]
    condition = f" WHEN {when}" if when else ""
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {event} ON {q(table)} FOR EACH ROW{condition} BEGIN "
        + " ".join(f"{s};" for s in body)
        + " END",
    ]


def drop_statements(vendor: str, table: str, event: str) -> list[str]:
    name = trigger_name(table, event)
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {q(table)}"]
    return [f"DROP TRIGGER IF EXISTS {name}"]


def _check(connection) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"The dossier's counts are kept for PostgreSQL and SQLite, not {connection.vendor}.")


def install_triggers(connection=None) -> None:
    """Create (or replace) every trigger that keeps the counts. Safe to run any number of times."""
    connection = connection or default_connection
    _check(connection)
    with connection.cursor() as cursor:
        for triggers in (table_triggers(connection.vendor), count_triggers()):
            for table, events in triggers.items():
                for event, (when, body) in events.items():
                    for statement in create_statements(connection.vendor, table, event, when, body):
                        cursor.execute(statement)


def drop_triggers(connection=None) -> None:
    """Drop every trigger (and on PostgreSQL its function) that keeps the counts: the migration's way back."""
    connection = connection or default_connection
    _check(connection)
    with connection.cursor() as cursor:
        for triggers in (table_triggers(connection.vendor), count_triggers()):
            for table, events in triggers.items():
                for event in events:
                    for statement in drop_statements(connection.vendor, table, event):
                        cursor.execute(statement)
                    if connection.vendor == "postgresql":
                        cursor.execute(f"DROP FUNCTION IF EXISTS {trigger_name(table, event)}()")


# --- Rebuilding and checking --------------------------------------------------------------------------------
def expected(connection=None) -> dict[str, Counter]:
    """Both layers as the records give them now, computed without writing: table -> Counter of rows (a count's
    row with its number as the value)."""
    connection = connection or default_connection
    rows: dict[str, Counter] = {RC: Counter(), RP: Counter(), CC: Counter(), PC: Counter()}
    with connection.cursor() as cursor:
        for kind in kinds():
            cursor.execute(countries_select(kind, connection.vendor, None))
            rows[RC].update(tuple(r) for r in cursor.fetchall())
            if kind.party:
                cursor.execute(parties_select(kind, None))
                rows[RP].update(tuple(r) for r in cursor.fetchall())
    parties: dict[tuple, list[int]] = {}
    for kind, record, country in rows[RP]:
        parties.setdefault((kind, record), []).append(country)
    for kind, record, country, first, last in rows[RC]:
        rows[CC][(country, kind, first, last)] += 1
        for partner in parties.get((kind, record), ()):
            if partner != country:
                rows[PC][(country, partner, kind)] += 1
    return rows


def kept(connection=None) -> dict[str, Counter]:
    """Both layers as the tables hold them, in the form of ``expected``."""
    connection = connection or default_connection
    queries = {
        RC: f"SELECT kind, record_id, country_id, first_year, last_year FROM {RC}",
        RP: f"SELECT kind, record_id, country_id FROM {RP}",
        CC: f"SELECT country_id, kind, first_year, last_year, records FROM {CC}",
        PC: f"SELECT country_id, partner_id, kind, records FROM {PC}",
    }
    rows: dict[str, Counter] = {}
    with connection.cursor() as cursor:
        for table, sql in queries.items():
            cursor.execute(sql)
            found = cursor.fetchall()
            if table in (CC, PC):
                rows[table] = Counter({tuple(r[:-1]): r[-1] for r in found})
            else:
                rows[table] = Counter(tuple(r) for r in found)
    return rows


def rebuild(connection=None) -> dict[str, int]:
    """Make both layers again from the records, in one transaction (the first layer's triggers set aside while
    it is filled: the counts are made from it in one statement each). Returns the rows written per table."""
    connection = connection or default_connection
    _check(connection)
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table, events in count_triggers().items():
            for event in events:
                for statement in drop_statements(vendor, table, event):
                    cursor.execute(statement)
        for table in (PC, CC, RP, RC):
            cursor.execute(f"DELETE FROM {table}")
        for kind in kinds():
            cursor.execute(
                f"INSERT INTO {RC} (kind, record_id, country_id, first_year, last_year) "
                f"{countries_select(kind, vendor, None)}"
            )
            if kind.party:
                cursor.execute(f"INSERT INTO {RP} (kind, record_id, country_id) {parties_select(kind, None)}")
        cursor.execute(
            f"INSERT INTO {CC} (country_id, kind, first_year, last_year, records) "
            f"SELECT country_id, kind, first_year, last_year, COUNT(*) FROM {RC} "
            f"GROUP BY country_id, kind, first_year, last_year"
        )
        cursor.execute(
            f"INSERT INTO {PC} (country_id, partner_id, kind, records) "
            f"SELECT c.country_id, p.country_id, c.kind, COUNT(*) FROM {RC} c INNER JOIN {RP} p "
            f"ON p.kind = c.kind AND p.record_id = c.record_id AND p.country_id <> c.country_id "
            f"GROUP BY c.country_id, p.country_id, c.kind"
        )
        install_triggers(connection)
        written = {}
        for table in (RC, RP, CC, PC):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            written[table] = cursor.fetchone()[0]
    return written


def _reinstall(sender, using="default", **kwargs) -> None:
    from django.db import connections

    if sender.label == "explorer" and RC in connections[using].introspection.table_names():
        install_triggers(connections[using])


def connect() -> None:
    post_migrate.connect(_reinstall, dispatch_uid="dossier-counts-triggers")


# --- Reading ------------------------------------------------------------------------------------------------
@dataclass
class Counted:
    """A country's counts, read in one query: per kind, its records by pair of years (``(earliest, latest)``,
    None where not known -> records), and its total."""

    years: dict[str, dict[tuple[int | None, int | None], int]]

    def total(self, kind: str) -> int:
        return sum(self.years.get(kind, {}).values())


def _year(value: int) -> int | None:
    return None if value == UNKNOWN_YEAR else value


def of_country(country) -> Counted:
    years: dict[str, dict] = {}
    rows = CountryCount.objects.filter(country=country).values_list("kind", "first_year", "last_year", "records")
    for kind, first, last, records in rows.order_by():
        years.setdefault(kind, {})[(_year(first), _year(last))] = records
    return Counted(years)


def partners_of(country, kinds: list[str]) -> list[tuple[int, str, str, int]]:
    """(partner's id, its name, kind, records) of the country's partners in records of ``kinds`` (one query)."""
    rows = PartnerCount.objects.filter(country=country, kind__in=kinds).order_by("partner_id", "kind")
    return list(rows.values_list("partner_id", "partner__name", "kind", "records"))


def first_ids(country, kind: str, number: int) -> models.QuerySet:
    """The ids of the first ``number`` records of ``kind`` (by id) that involve the country, as a sub-query: read
    from ``RecordCountry``'s index, not sorted out of all of the country's records."""
    rows = RecordCountry.objects.filter(country=country, kind=kind).order_by("record_id")
    return rows.values("record_id")[:number]
