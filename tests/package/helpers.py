import io
import json
import zipfile
from pathlib import Path

import pandas as pd


def unpacked(response_or_bytes, directory: Path) -> Path:
    """The package's files, written into ``directory``."""
    data = response_or_bytes
    if not isinstance(data, bytes):
        assert data.status_code == 200, getattr(data, "content", b"")
        assert data["Content-Type"] == "application/zip"
        data = b"".join(data.streaming_content)
    zipfile.ZipFile(io.BytesIO(data)).extractall(directory)
    return directory


def descriptor(directory: Path) -> dict:
    return json.loads((directory / "datapackage.json").read_text())


def tables(directory: Path) -> dict[str, pd.DataFrame]:
    """Every table as pandas reads it, by the descriptor (ids as nullable integers, text as text)."""
    read = {}
    for resource in descriptor(directory)["resources"]:
        types = {
            field["name"]: "Int64" if field["type"] == "integer" else "string"
            for field in resource["schema"]["fields"]
            if field["type"] in ("integer", "string")
        }
        read[resource["name"]] = pd.read_csv(
            directory / resource["path"], dtype=types, keep_default_na=False, na_values=[""]
        )
    return read


def unresolved_keys(directory: Path) -> list[str]:
    """Every foreign key value that names no row of the table it refers to."""
    found = tables(directory)
    problems = []
    for resource in descriptor(directory)["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            values = set(found[resource["name"]][key["fields"]].dropna())
            targets = set(found[key["reference"]["resource"]][key["reference"]["fields"]])
            problems += [f"{resource['name']}.{key['fields']}={value}" for value in sorted(values - targets)]
    return problems
