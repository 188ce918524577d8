"""Mass assignment, structurally: no serializer of the API, nested parts included, takes an id, a timestamp, a
version or history from a client. (tests/api/resources.py sends such fields to every resource and checks
that none is stored.)"""

from rest_framework import serializers

from cooperation.api.serializers import serializer_for
from cooperation.resources import RESOURCES

SERVER_OWNED = {"id", "pk", "created_at", "updated_at", "version", "history"}


def writable_server_owned_fields(serializer: serializers.Serializer, path: str = "") -> list[str]:
    found = []
    for name, field in serializer.fields.items():
        if name in SERVER_OWNED and not field.read_only:
            found.append(f"{path}{name}")
        nested = getattr(field, "child", field)
        if isinstance(nested, serializers.Serializer):
            found += writable_server_owned_fields(nested, f"{path}{name}.")
    return found


def test_no_serializer_lets_a_client_set_what_the_server_owns():
    assert {
        name: fields
        for name, resource in RESOURCES.items()
        if (fields := writable_server_owned_fields(serializer_for(resource)()))
    } == {}
