from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    """The explorer's pages, and the counts its dossiers read (``counts``): an app of its own, so that those
    counts, derived from the data and kept by database triggers, are no data model of ``cooperation`` (no admin,
    no dump, no role permission)."""

    name = "cooperation.explorer"
    label = "explorer"
    verbose_name = "Explorer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cooperation.explorer import counts

        counts.connect()
