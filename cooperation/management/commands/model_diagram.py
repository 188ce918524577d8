"""The data model as a Mermaid entity-relationship diagram, drawn from the models themselves.

``manage.py model_diagram`` prints it; ``--write README.md`` puts it between the README's diagram markers;
``--check README.md`` fails when the README's diagram is not the models' (CI runs it through the tests)."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.management.base import BaseCommand, CommandError
from simple_history.models import HistoricalChanges

BEGIN, END = "<!-- model diagram: begin (manage.py model_diagram --write README.md) -->", "<!-- model diagram: end -->"
#: What a generic reference (a citation's, an event's) may point at: any cited record.
ANY_RECORD = "AnyRecord"


def diagram() -> str:
    """Mermaid ``erDiagram`` of the cooperation app: each model with the fields one enters (not the version,
    timestamps and columns derived from others), each relation once, from the model that holds it."""
    models = [
        model
        for model in apps.get_app_config("cooperation").get_models()
        if not issubclass(model, HistoricalChanges) and not model._meta.proxy
    ]
    names = {model: model.__name__ for model in models}
    lines = ["erDiagram"]
    for model in sorted(models, key=lambda model: model.__name__):
        for field in model._meta.get_fields():
            if getattr(field, "auto_created", False) and not field.concrete:
                continue  # the reverse side of a relation, drawn from the other model
            target = names.get(getattr(field, "related_model", None))
            if isinstance(field, GenericForeignKey):
                lines.append(f'    {names[model]} }}o--|| {ANY_RECORD} : "{field.name}"')
            elif field.many_to_many and target:
                lines.append(f'    {names[model]} }}o--o{{ {target} : "{field.name}"')
            elif (field.many_to_one or field.one_to_one) and target:
                arrow = "}o--o|" if field.null else "}o--||"
                lines.append(f'    {names[model]} {arrow} {target} : "{field.name}"')
    for model in sorted(models, key=lambda model: model.__name__):
        attributes = [
            f"        {type(field).__name__.removesuffix('Field') or 'Field'} {field.name}"
            for field in model._meta.concrete_fields
            if field.editable and not field.is_relation and not field.primary_key
        ]
        lines += [f"    {names[model]} {{", *attributes, "    }"]
    return "\n".join(lines) + "\n"


def with_diagram(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return f"{text[:start]}\n```mermaid\n{diagram()}```\n{text[end:]}"


class Command(BaseCommand):
    help = "Print the data model as a Mermaid diagram, write it into a file's diagram markers, or check it there."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--write", metavar="FILE", help="Put the diagram between FILE's markers.")
        action.add_argument("--check", metavar="FILE", help="Fail when FILE's diagram is not the models'.")

    def handle(self, *args, write=None, check=None, **options):
        if not (write or check):
            self.stdout.write(diagram(), ending="")
            return
        path = Path(write or check)
        text = path.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            raise CommandError(f"{path} has no diagram markers: {BEGIN} ... {END}")
        if write:
            path.write_text(with_diagram(text), encoding="utf-8")
        elif with_diagram(text) != text:
            raise CommandError(f"The diagram in {path} is not the models': run manage.py model_diagram --write {path}")
