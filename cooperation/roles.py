"""The two roles analysts are given: editors curate the data, viewers only read it.

Each role is a Django group holding model permissions on every data model of the app (never on users or
groups). Migrations call ``sync_role_groups`` so the groups exist in every database; a migration that adds
models calls it again, and a test checks that every data model is covered.
"""

from __future__ import annotations

from django.apps import apps as global_apps

EDITOR = "editor"
VIEWER = "viewer"
ROLE_ACTIONS = {EDITOR: ("add", "change", "delete", "view"), VIEWER: ("view",)}


def data_models(apps=global_apps) -> list:
    """The app's own models, without the logs the app writes itself, never by hand: the history tables and the
    change feed's log (written by database triggers)."""
    return [
        model
        for model in apps.get_app_config("cooperation").get_models()
        if not model.__name__.startswith("Historical") and model.__name__ != "Change"
    ]


def sync_role_groups(apps=global_apps) -> None:
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("cooperation")
    app_config.models_module = getattr(app_config, "models_module", None) or True  # a migration stub has none
    create_permissions(app_config, apps=apps, verbosity=0)

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    codenames = {model._meta.model_name for model in data_models(apps)}
    for role, actions in ROLE_ACTIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = permission_model.objects.filter(
            content_type__app_label="cooperation",
            codename__in=[f"{action}_{model}" for action in actions for model in codenames],
        )
        group.permissions.set(wanted)
