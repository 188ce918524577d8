import csv
import io

from cooperation.resources import RESOURCES
from cooperation.tabular.exports import ExportOptions, stream_csv


def export(name: str, queryset=None, **options) -> str:
    resource = RESOURCES[name]
    queryset = resource.model._default_manager.all() if queryset is None else queryset
    return b"".join(stream_csv(resource, queryset, ExportOptions(**options))).decode()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(records: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode()
