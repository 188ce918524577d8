from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "synthetic"
    verbose_name = "Synthetic data"

    def ready(self) -> None:
        from cooperation.history import leave_out_of_initial_history
        from synthetic.marks import is_synthetic

        # Generated rows have no history on purpose (bulk test data, not analysts' work): the history's
        # backfill of rows loaded without it must not give them any.
        leave_out_of_initial_history(is_synthetic)
