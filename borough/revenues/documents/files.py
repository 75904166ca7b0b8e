"""Files the documents write under MEDIA_ROOT: each written to a temporary name and renamed over its place, so a
reader (or a resumed run) finds the whole file or none."""

import os
from pathlib import Path

from django.conf import settings

# Spreadsheet programs run cells starting with these as formulas (CSV injection); a leading quote stops that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
