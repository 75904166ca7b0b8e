"""Serving a case's file to staff and API clients: only through a view that checked who asks (never a guessable
public URL), under a file name that cannot mislead the browser or the desktop it is saved to."""

import re
import unicodedata

from django.http import FileResponse, Http404

from borough.crm.models import CaseAttachment

# The extensions a file of each accepted type may keep; any other gets the first one added.
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/heic": ("heic", "heif"),
    "application/pdf": ("pdf",),
}
MAX_NAME = 120
UNSAFE_CHARACTERS = re.compile(r'[\\/:*?"<>|;]+')


def download_name(original_name: str, content_type: str) -> str:
    """The sender's name without control characters, path separators or quotes, ending in the extension of the
    file's real type: "report.html" holding a PNG is saved as "report.html.png", so it opens as a picture."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", original_name) if unicodedata.category(ch)[0] != "C")
    cleaned = " ".join(UNSAFE_CHARACTERS.sub("_", cleaned).split()).lstrip(".")
    extensions = EXTENSIONS.get(content_type, ("bin",))
    stem, dot, extension = cleaned.rpartition(".")
    if not (dot and stem and extension.lower() in extensions):
        stem, extension = cleaned or "attachment", extensions[0]
    return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"


def attachment_response(attachment: CaseAttachment, *, inline: bool = False) -> FileResponse:
    """The file, as a download (`inline` only shows an image in the browser); 404 when it is missing from storage."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:  # gone from storage, or never stored
        raise Http404 from error
    shown = inline and attachment.content_type.startswith("image/")
    response = FileResponse(
        handle,
        as_attachment=not shown,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing in a file may run or load anything, even when a browser shows it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
