from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation Tracker"
    default_auto_field = "django.db.models.BigAutoField"
