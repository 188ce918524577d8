from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation Tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cooperation import changes, checks, login_guard, signals  # noqa: F401  (registered by importing them)
        from cooperation.api import schema  # noqa: F401  (registers the OpenAPI extensions)

        signals.connect()
        changes.connect()


class CooperationAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the site of ``cooperation/admin_site.py`` (its index in sections, with row counts)."""

    default = False  # named in INSTALLED_APPS; CooperationConfig stays this module's default
    default_site = "cooperation.admin_site.CooperationAdminSite"
