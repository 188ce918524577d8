"""A route's stops name their place as the other records do: a place of the gazetteer, or one an analyst adds,
in the stop's country (issue 14, pattern 1), instead of free text.

The text is carried over: a place of that name (or other name) in the stop's country, the largest when several
share it; else a new place in that country. A stop in a region only has no country to put a place in: its text
is kept in the route's summary, marked as such. History entries get the same places.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def place_named(place_model, text, country_id, made):
    """The place ``text`` names in the country: found by its name or another name, else added."""
    from cooperation.names import search_form

    name = " ".join(text.split())
    key = (search_form(name), country_id)
    if key not in made:
        in_country = place_model.objects.filter(country_id=country_id).order_by("-population", "pk")
        found = (
            in_country.filter(search_name=key[0]).first()
            or in_country.filter(
                Q(other_names__iexact=name)
                | Q(other_names__istartswith=f"{name}\n")
                | Q(other_names__iendswith=f"\n{name}")
                | Q(other_names__icontains=f"\n{name}\n")
            ).first()
        )
        made[key] = found or place_model.objects.create(
            name=name[:200], country_id=country_id, search_name=key[0][:200]
        )
    return made[key]


def places_from_text(apps, schema_editor):
    place_model = apps.get_model("cooperation", "Place")
    made = {}
    for model_name in ("RouteNode", "HistoricalRouteNode"):
        for stop in apps.get_model("cooperation", model_name).objects.exclude(place_text="").order_by("pk"):
            if stop.country_id is not None:
                stop.place = place_named(place_model, stop.place_text, stop.country_id, made)
                stop.save(update_fields=["place"])
            elif model_name == "RouteNode":
                route = stop.route
                route.summary = f"{route.summary}\n\nStop {stop.position} (as recorded): {stop.place_text}".strip()
                route.save(update_fields=["summary"])


def text_from_places(apps, schema_editor):
    for model_name in ("RouteNode", "HistoricalRouteNode"):
        model = apps.get_model("cooperation", model_name)
        for stop in model.objects.filter(place__isnull=False).select_related("place"):
            stop.place_text = stop.place.name
            stop.save(update_fields=["place_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0001_squashed_0015_events_concern_agreements_cover"),
    ]

    operations = [
        migrations.RenameField(model_name="routenode", old_name="place", new_name="place_text"),
        migrations.RenameField(model_name="historicalroutenode", old_name="place", new_name="place_text"),
        migrations.AddField(
            model_name="routenode",
            name="place",
            field=models.ForeignKey(
                blank=True,
                help_text="The port, city or border crossing, when known; it lies in the stop's country.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="route_nodes",
                to="cooperation.place",
                verbose_name="place",
            ),
        ),
        migrations.AddField(
            model_name="historicalroutenode",
            name="place",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The port, city or border crossing, when known; it lies in the stop's country.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cooperation.place",
                verbose_name="place",
            ),
        ),
        migrations.RunPython(places_from_text, text_from_places, elidable=False),
        migrations.RemoveField(model_name="routenode", name="place_text"),
        migrations.RemoveField(model_name="historicalroutenode", name="place_text"),
    ]
