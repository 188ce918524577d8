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
the place it was signed at, ...) has triggers that find the records whose countries the rows written may change
and make their rows of the first layer what their paths give now (deleting the rows that are no longer so,
inserting the new ones). The first layer's own triggers add and take away the second's counts. On PostgreSQL a
trigger runs once per statement, on the rows it wrote (transition tables: an import's batch, a COPY, a bulk
update at once), and finds rows by index only; on SQLite, once per row. So every way of writing is counted: the
services, the admin, the bulk import, queryset updates, merges, raw SQL; an agency that changes country
recounts the records it is a party to. The SQL is derived from the resources' ``places``, so the counts cannot
mean another thing than the API's ``country`` filter. ``install_triggers`` runs in the migration and after
every ``migrate`` (SQLite drops a table's triggers when a migration rebuilds the table).

**Rebuild.** ``rebuild`` (the command ``rebuild_dossier_counts``) makes both layers again from the records, in
one transaction; ``expected`` computes them without writing, which the tests compare the kept rows to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
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

    def affected(self, rows: list[tuple[str, str | None]]) -> str:
        """The ids of the records that the rows written may change, as ``(SELECT ...)``. ``rows``: (how a row is
        named, the table it is read from): ``("NEW", None)`` in a row's trigger, ``("r", "new_rows r")`` in a
        statement's (PostgreSQL's transition tables)."""
        return "(" + " UNION ".join(make(row, source) for row, source in rows for make in self.ids) + ")"


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

    def select(self, table: str, pk: str, where: str, years: str) -> str:
        return (
            f"SELECT t0.{q(pk)} AS record_id, {self.country.format(p='t')} AS country_id, {years} "
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
            return lambda row, source: f"SELECT {column.format(row=row)}" + (f" FROM {source}" if source else "")
        return lambda row, source: (
            f"SELECT a0.{q(pk)} FROM {q(table)} a0{joined(before, 'a')}{f', {source}' if source else ''} "
            f"WHERE {condition.format(p='a', row=row)}"
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
        own.ids.insert(
            0,
            lambda row, source, pk=model._meta.pk.column: (
                f"SELECT {row}.{q(pk)}" + (f" FROM {source}" if source else "")
            ),
        )
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
    """(kind, record, country, earliest year, latest year) of the records ``ids`` (all: None), each once. ``ids``:
    how a record's id is one of them, ``IN (SELECT ...)`` or ``= ANY(array)``."""
    table, pk = kind.model._meta.db_table, kind.model._meta.pk.column
    where = f"t0.{q(pk)} {ids}" if ids else "1 = 1"
    if kind.dates:
        first, last = (year(vendor, f"t0.{q(column)}") for column in kind.dates)
    else:
        first = last = str(UNKNOWN_YEAR)
    years = f"{first} AS first_year, {last} AS last_year"
    union = " UNION ".join(path.select(table, pk, where, years) for path in kind.paths)
    return (
        # DISTINCT: one path can give a country twice (a route with two stops in it), and one path has no UNION.
        f"SELECT DISTINCT '{kind.name}' AS kind, x.record_id AS record_id, x.country_id AS country_id, x.first_year AS "
        f"first_year, x.last_year AS last_year FROM ({union}) x WHERE x.country_id IS NOT NULL"
    )


def parties_select(kind: Kind, ids: str | None) -> str:
    """(kind, record, country) of the parties of the records ``ids`` (all: None), each country once per record."""
    from cooperation import models as m

    table, back, country, agency = kind.party
    found = f"COALESCE(p.{q(country)}, a.{q(m.Agency._meta.get_field('country').column)})"
    where = f" AND p.{q(back)} {ids}" if ids else ""
    return (
        f"SELECT DISTINCT '{kind.name}' AS kind, p.{q(back)} AS record_id, {found} AS country_id FROM {q(table)} p "
        f"LEFT OUTER JOIN {q(m.Agency._meta.db_table)} a ON a.{q(m.Agency._meta.pk.column)} = p.{q(agency)} "
        f"WHERE {found} IS NOT NULL{where}"
    )


def refresh(kind: Kind, vendor: str, ids: str) -> list[str]:
    """Statements that make the first layer's rows of the records ``ids`` of ``kind`` what their paths give now,
    touching only the rows that change (each row deleted or inserted changes the counts, by the triggers of
    ``count_triggers``): the rows that are no longer so go, then the new ones come."""
    now = countries_select(kind, vendor, ids)
    statements = [
        # NOT IN, not NOT EXISTS: the rows found now are hashed once (no value of theirs is NULL).
        f"DELETE FROM {RC} WHERE kind = '{kind.name}' AND record_id {ids} AND (record_id, country_id, first_year, "
        f"last_year) NOT IN (SELECT n.record_id, n.country_id, n.first_year, n.last_year FROM ({now}) n)",
        # What is left of the records' rows is what has not changed: the others are new.
        f"INSERT INTO {RC} (kind, record_id, country_id, first_year, last_year) {now} EXCEPT SELECT kind, record_id, "
        f"country_id, first_year, last_year FROM {RC} WHERE kind = '{kind.name}' AND record_id {ids}",
    ]
    if kind.party:
        parties = parties_select(kind, ids)
        statements += [
            f"DELETE FROM {RP} WHERE kind = '{kind.name}' AND record_id {ids} AND (record_id, country_id) "
            f"NOT IN (SELECT n.record_id, n.country_id FROM ({parties}) n)",
            f"INSERT INTO {RP} (kind, record_id, country_id) {parties} EXCEPT SELECT kind, record_id, country_id "
            f"FROM {RP} WHERE kind = '{kind.name}' AND record_id {ids}",
        ]
    return statements


def changed(vendor: str, columns: set[str], old: str = "OLD", new: str = "NEW") -> str:
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"{old}.{q(c)} {differs} {new}.{q(c)}" for c in sorted(columns))


def primary_keys() -> dict[str, str]:
    """Each table's primary key column (the many-to-many tables' too)."""
    from django.apps import apps

    return {model._meta.db_table: model._meta.pk.column for model in apps.get_models(include_auto_created=True)}


def written_rows(vendor: str, table: str, event: str, columns: set[str]) -> list[tuple[str, str | None]]:
    """How a trigger reads the rows written: each row on SQLite (``NEW``, ``OLD``), and on PostgreSQL the
    statement's transition tables, an update's rows only where a column that matters changed."""
    if vendor != "postgresql":
        return {"INSERT": [("NEW", None)], "DELETE": [("OLD", None)], "UPDATE": [("OLD", None), ("NEW", None)]}[event]
    if event == "INSERT":
        return [("r", "new_rows r")]
    if event == "DELETE":
        return [("r", "old_rows r")]
    # The rows whose columns that matter changed, as they were and as they are: a set difference (which takes
    # NULLs as equal), not a join of the two transition tables (which the functions' plans would nest).
    kept = ", ".join(q(column) for column in [primary_keys()[table], *sorted(columns)])
    return [
        ("r", f"(SELECT {kept} FROM old_rows EXCEPT SELECT {kept} FROM new_rows) r"),
        ("r", f"(SELECT {kept} FROM new_rows EXCEPT SELECT {kept} FROM old_rows) r"),
    ]


def table_triggers(vendor: str) -> dict[str, dict[str, tuple[str | None, list[str]]]]:
    """For each table a count depends on: event -> (the condition for an update, on SQLite; the statements)."""
    by_table: dict[str, list[tuple[Kind, Watch]]] = {}
    for kind in kinds():
        for table, watch in kind.watches.items():
            by_table.setdefault(table, []).append((kind, watch))
    triggers = {}
    for table, watched in by_table.items():
        columns = set().union(*(watch.columns for _, watch in watched))
        events = {}
        for event in ("INSERT", "DELETE", "UPDATE"):
            rows = written_rows(vendor, table, event, columns)
            declare, statements = [], []
            for number, (kind, watch) in enumerate(watched):
                if vendor == "postgresql":
                    # The ids in an array: the statements find their rows by index whatever their number (a
                    # sub-query's size is a guess, and a wrong one reads whole tables).
                    declare.append(f"ids_{number} bigint[]")
                    statements.append(f"ids_{number} := ARRAY{watch.affected(rows)}")
                    statements += refresh(kind, vendor, f"= ANY(ids_{number})")
                else:
                    statements += refresh(kind, vendor, f"IN {watch.affected(rows)}")
            when = changed(vendor, columns) if event == "UPDATE" and vendor != "postgresql" else None
            events[event] = (when, declare, statements)
        triggers[table] = events
    return triggers


def count_triggers(vendor: str) -> dict[str, dict[str, tuple[None, list[str]]]]:
    """The first layer's triggers, which keep the second's counts: the rows inserted (deleted) counted by country,
    kind and years, and by country, partner and kind (a record's pair of an involved country and a party's other
    country is counted when the later of its two rows comes, and taken away when the first of them goes)."""
    rc = "kind, record_id, country_id, first_year, last_year"

    def rows(event: str, columns: str) -> str:
        if vendor == "postgresql":
            return f"{'new' if event == 'INSERT' else 'old'}_rows"
        row = "NEW" if event == "INSERT" else "OLD"
        return "(SELECT " + ", ".join(f"{row}.{c} AS {c}" for c in columns.split(", ")) + ")"

    def pairs(event: str, table: str) -> str:
        """(country, partner, kind) of each pair the rows written make with the other table's rows."""
        if table == RC:
            return (
                f"SELECT r.country_id AS country_id, p.country_id AS partner_id, r.kind AS kind "
                f"FROM {rows(event, rc)} r INNER JOIN {RP} p ON p.kind = r.kind AND p.record_id = r.record_id "
                f"AND p.country_id <> r.country_id"
            )
        return (
            f"SELECT c.country_id AS country_id, r.country_id AS partner_id, r.kind AS kind "
            f"FROM {rows(event, 'kind, record_id, country_id')} r INNER JOIN {RC} c ON c.kind = r.kind "
            f"AND c.record_id = r.record_id AND c.country_id <> r.country_id"
        )

    def add_pairs(table: str) -> str:
        return (
            f"INSERT INTO {PC} (country_id, partner_id, kind, records) SELECT country_id, partner_id, kind, COUNT(*) "
            f"FROM ({pairs('INSERT', table)}) x WHERE 1 = 1 GROUP BY country_id, partner_id, kind "
            f"ON CONFLICT (country_id, partner_id, kind) DO UPDATE SET records = {PC}.records + excluded.records"
        )

    def take(target: str, key: list[str], gone: str) -> str:
        """Take the rows ``gone`` away from ``target``'s counts, grouped by ``key``."""
        columns = ", ".join(key)
        if vendor == "postgresql":  # once per group (a statement's rows may be thousands)
            match = " AND ".join(f"{target}.{c} = d.{c}" for c in key)
            return (
                f"UPDATE {target} SET records = {target}.records - d.records FROM (SELECT {columns}, COUNT(*) AS "
                f"records FROM ({gone}) x GROUP BY {columns}) d WHERE {match}"
            )
        match = " AND ".join(f"x.{c} = {target}.{c}" for c in key)  # a row's: its one group
        return (
            f"UPDATE {target} SET records = records - (SELECT COUNT(*) FROM ({gone}) x WHERE {match}) "
            f"WHERE ({columns}) IN (SELECT {columns} FROM ({gone}) x)"
        )

    def take_pairs(table: str, side: str) -> list[str]:
        return [
            take(PC, ["country_id", "partner_id", "kind"], pairs("DELETE", table)),
            f"DELETE FROM {PC} WHERE records <= 0 AND ({side}, kind) IN (SELECT r.country_id, r.kind FROM "
            f"{rows('DELETE', rc if table == RC else 'kind, record_id, country_id')} r)",
        ]

    span = "country_id, kind, first_year, last_year"
    return {
        RC: {
            "INSERT": (None, [], [
                f"INSERT INTO {CC} ({span}, records) SELECT {span}, COUNT(*) FROM {rows('INSERT', rc)} r "
                f"WHERE 1 = 1 GROUP BY {span} ON CONFLICT ({span}) "
                f"DO UPDATE SET records = {CC}.records + excluded.records",
                add_pairs(RC),
            ]),
            "DELETE": (None, [], [
                take(CC, span.split(", "), f"SELECT {span} FROM {rows('DELETE', rc)} r"),
                f"DELETE FROM {CC} WHERE records <= 0 AND ({span}) IN (SELECT {span} FROM {rows('DELETE', rc)} r)",
                *take_pairs(RC, "country_id"),
            ]),
        },
        RP: {
            "INSERT": (None, [], [add_pairs(RP)]),
            "DELETE": (None, [], take_pairs(RP, "partner_id")),
        },
    }  # fmt: skip


#: What a statement's trigger reads on PostgreSQL: the rows the statement wrote.
TRANSITION = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def trigger_name(table: str, event: str) -> str:
    return f"{PREFIX}_{table.removeprefix('cooperation_')}_{event.lower()}"[:60]


def create_statements(
    vendor: str, table: str, event: str, when: str | None, declare: list[str], body: list[str]
) -> list[str]:
    name = trigger_name(table, event)
    if vendor == "postgresql":
        statements = "".join(f"    {s};\n" for s in body)
        variables = "DECLARE\n" + "".join(f"    {d};\n" for d in declare) if declare else ""
        return [
            # A statement writes a few rows or a few thousand, whose records' rows are found by their indexes: a
            # hash or merge join, or a sequential scan, would read whole tables (the planner takes a batch of
            # 1,000 for a reason to, and tables just emptied and filled again for small), and compiling the
            # plans (JIT) costs more than running them.
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET enable_hashjoin = off "
            f"SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$\n{variables}BEGIN\n{statements}"
            f"    RETURN NULL;\nEND $$",
            f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {q(table)} {TRANSITION[event]} FOR EACH STATEMENT "
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


def every_trigger(vendor: str, *layers: dict) -> Iterator[tuple[str, str, tuple]]:
    """(table, event, (when, declare, body)) of each trigger of ``layers`` (default: both layers)."""
    for triggers in layers or (table_triggers(vendor), count_triggers(vendor)):
        for table, events in triggers.items():
            for event, definition in events.items():
                yield table, event, definition


def install_triggers(connection=None) -> None:
    """Create (or replace) every trigger that keeps the counts. Safe to run any number of times."""
    connection = connection or default_connection
    _check(connection)
    with connection.cursor() as cursor:
        for table, event, (when, declare, body) in every_trigger(connection.vendor):
            for statement in create_statements(connection.vendor, table, event, when, declare, body):
                cursor.execute(statement)


def drop_triggers(connection=None) -> None:
    """Drop every trigger (and on PostgreSQL its function) that keeps the counts: the migration's way back."""
    connection = connection or default_connection
    _check(connection)
    with connection.cursor() as cursor:
        for table, event, _ in every_trigger(connection.vendor):
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
        for table, event, _ in every_trigger(vendor, count_triggers(vendor)):
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
