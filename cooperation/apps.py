from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation Tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cooperation import checks, login_guard, signals  # noqa: F401  (registered by importing them)
        from cooperation.api import schema  # noqa: F401  (registers the OpenAPI extensions)

        signals.connect()
