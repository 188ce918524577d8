from pathlib import Path

import pytest
from django.core.management import call_command

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seed"
SEED_FIXTURE = SEED_DIR / "insightcrime-russia-latin-america.yaml"
SEED_ARTICLE = SEED_DIR / "insightcrime-russia-latin-america.txt"
SEED_URL = "https://insightcrime.org/news/brief/russia-influence-latin-america-drug-war/"


@pytest.fixture
def seed(db):
    """The database as `make run` ships it: reference data (from the migrations) plus the seed article."""
    call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
