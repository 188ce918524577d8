"""The operation a deletion was part of gets columns of its own: ``history_operation`` on every history entry
and a UUID ``operation`` on tombstones, instead of ``deleted together: <uuid>`` written into the entries'
change reason (and copied to the tombstones) and parsed back. The change reason is left for people: the
entries carried over say "deleted". Reversible: going back writes the old reasons again."""

import uuid

from django.db import migrations, models

PREFIX = "deleted together: "
HISTORIES = (
    "historicalagency",
    "historicalagreement",
    "historicalagreementparty",
    "historicalassessment",
    "historicalcitation",
    "historicalcooperationarea",
    "historicalcountry",
    "historicalcourseparticipant",
    "historicaldrug",
    "historicalevent",
    "historicalofficial",
    "historicaloperation",
    "historicaloperationoutcome",
    "historicaloperationparticipant",
    "historicalpost",
    "historicalregion",
    "historicalroutenode",
    "historicalsource",
    "historicaltraffickingroute",
    "historicaltrainingcentre",
    "historicaltrainingcourse",
    "historicaltrainingtopic",
)


def parsed(reason: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(reason.removeprefix(PREFIX)) if reason.startswith(PREFIX) else None
    except ValueError:
        return None  # a reason someone wrote that only looks like a mark: left as it is


def check_now(schema_editor) -> None:
    """Run PostgreSQL's deferred foreign key checks of the rows just updated: the table cannot be altered in
    this transaction while they are pending. Constraints are deferred again afterwards, as Django has them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def to_columns(apps, schema_editor):
    # One UPDATE per operation, not per entry: a deletion marks a record and all its parts alike.
    for name in HISTORIES:
        entries = apps.get_model("cooperation", name).objects
        reasons = entries.filter(history_change_reason__startswith=PREFIX).values_list("history_change_reason")
        for (reason,) in reasons.distinct().iterator():
            if (operation := parsed(reason)) is not None:
                entries.filter(history_change_reason=reason).update(
                    history_operation=operation, history_change_reason="deleted"
                )
    tombstones = apps.get_model("cooperation", "Deletion").objects
    for (mark,) in tombstones.filter(operation__startswith=PREFIX).values_list("operation").distinct().iterator():
        tombstones.filter(operation=mark).update(operation_uuid=parsed(mark))
    check_now(schema_editor)


def to_reasons(apps, schema_editor):
    for name in HISTORIES:
        entries = apps.get_model("cooperation", name).objects
        operations = entries.filter(history_operation__isnull=False).values_list("history_operation")
        for (operation,) in operations.distinct().iterator():
            entries.filter(history_operation=operation).update(history_change_reason=f"{PREFIX}{operation}")
    tombstones = apps.get_model("cooperation", "Deletion").objects
    operations = tombstones.filter(operation_uuid__isnull=False).values_list("operation_uuid")
    for (operation,) in operations.distinct().iterator():
        tombstones.filter(operation_uuid=operation).update(operation=f"{PREFIX}{operation}")
    check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0008_duplicate_keys_and_normal_names"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="history_operation",
                field=models.UUIDField(
                    blank=True,
                    db_index=True,
                    editable=False,
                    help_text="Shared by the entries of records deleted together (a record, its parts and citations).",
                    null=True,
                    verbose_name="deleted together",
                ),
            )
            for name in HISTORIES
        ),
        # The tombstones' text mark becomes a UUID through a column beside it (a text column holding
        # "deleted together: ..." cannot be cast in place).
        migrations.AddField(
            model_name="deletion",
            name="operation_uuid",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RunPython(to_columns, to_reasons),
        migrations.RemoveField(model_name="deletion", name="operation"),
        migrations.RenameField(model_name="deletion", old_name="operation_uuid", new_name="operation"),
        migrations.AlterField(
            model_name="deletion",
            name="operation",
            field=models.UUIDField(
                blank=True,
                db_index=True,
                help_text="Shared by the records deleted together (a record and its parts), and by their history "
                "entries.",
                null=True,
            ),
        ),
    ]
