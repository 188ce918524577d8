"""The README's data model diagram is the models' own: a field or a model added without redrawing it fails here."""

import pytest
from django.core.management import CommandError, call_command

from cooperation.management.commands.model_diagram import diagram
from cooperation.resources import RESOURCES
from tests.servers import PROJECT_DIR

README = PROJECT_DIR / "README.md"


def test_the_readme_shows_the_models_as_they_are():
    call_command("model_diagram", check=str(README))


def test_every_resource_and_its_relations_are_drawn():
    drawn = diagram()
    for resource in RESOURCES.values():
        assert f"    {resource.model.__name__} {{" in drawn
    assert '    AgreementParty }o--o| Agency : "agency"' in drawn  # optional: a party may be a country instead
    assert '    Post }o--|| Official : "official"' in drawn  # required


def test_a_diagram_out_of_date_is_an_error_that_says_how_to_redraw_it(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text(README.read_text(encoding="utf-8").replace("Char title", "Char headline", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="model_diagram --write"):
        call_command("model_diagram", check=str(stale))
    call_command("model_diagram", write=str(stale))
    call_command("model_diagram", check=str(stale))
