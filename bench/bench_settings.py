"""The benchmarks' settings: production's, plus the hand-written reference view of ``bench_urls`` (which the
product does not have). ``bench/run.py`` puts this directory on the path and selects this module."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
