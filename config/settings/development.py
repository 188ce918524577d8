"""Local development: the default for manage.py. DEBUG is on unless DEBUG=0."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)

# The synthetic data for measuring at scale (``manage.py generate_data``): for development and the tests, never
# production (see synthetic/__init__.py).
INSTALLED_APPS = [*INSTALLED_APPS, "synthetic"]  # noqa: F405
