"""Files the documents write under MEDIA_ROOT: each written to a temporary name and renamed over its place, so a
reader (or a resumed run) finds the whole file or none."""

import csv
import io
import os
from pathlib import Path

from django.conf import settings

from borough.revenues.documents.render import pdf_of

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


def print_chunk_write(pdf_path: Path, csv_path: Path, documents: list, rows: list[list]) -> None:
    """A print run's chunk: its documents as one PDF (if any) and its manifest rows as a CSV part."""
    if documents:
        write_atomically(pdf_path, pdf_of(documents))
    manifest = io.StringIO()
    csv.writer(manifest).writerows([[csv_cell(value) for value in row] for row in rows])
    write_atomically(csv_path, manifest.getvalue().encode("utf-8"))


def print_manifest_join(parts: list[Path], header: list[str], path: Path) -> tuple[int, int]:
    """The run's manifest from its chunks' CSV parts, under `header`; (documents printed, pages). Column 3 of a
    row is its page count."""
    manifest = io.StringIO()
    csv.writer(manifest).writerow(header)
    printed = pages = 0
    for part in parts:
        text = part.read_text(encoding="utf-8")
        manifest.write(text)
        for row in csv.reader(io.StringIO(text)):
            printed += 1
            pages += int(row[2])
    write_atomically(path, manifest.getvalue().encode("utf-8-sig"))  # the BOM tells spreadsheets it is UTF-8
    return printed, pages
