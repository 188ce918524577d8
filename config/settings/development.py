"""Local development: the default for manage.py. DEBUG is on unless DEBUG=0."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
