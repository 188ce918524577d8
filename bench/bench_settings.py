"""The benchmarks' settings: production's, plus the hand-written reference view of ``bench_urls`` and the
synthetic data app (``generate_data``), which the product does not have. ``bench/run.py`` and ``bench/load.py``
put this directory on the path and select this module."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

INSTALLED_APPS = [*INSTALLED_APPS, "synthetic"]  # noqa: F405
