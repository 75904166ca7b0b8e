"""Photos a resident uploads during a report, kept until the report is sent.

Each session of each tenant has its own folder, MEDIA_ROOT/portal-uploads/<hash>/, named by an HMAC of the
tenant and the session key (so the name says nothing about the session). Files are named by a random id: the
name the resident's device gave is kept only as data, never used as a path. The folder is removed when the report
is sent or started again, and `uploads_purge` removes folders left behind by journeys never finished.
"""

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.crypto import salted_hmac

from borough.crm.attachments import check_attachment

UPLOAD_FOLDER = "portal-uploads"
MAX_PHOTOS = 3
PHOTO_ID = re.compile(r"[0-9a-f]{32}")
LEFT_BEHIND_AFTER = 24 * 60 * 60  # seconds; a day, like the journey state itself
CHUNK = 64 * 1024


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER


def session_folder(request) -> Path:
    if request.session.session_key is None:
        request.session.save()  # an anonymous visitor's first write: the session needs its key now
    digest = salted_hmac(
        "borough.portal.uploads", f"{request.tenant.pk}:{request.session.session_key}", algorithm="sha256"
    ).hexdigest()
    return uploads_root() / digest[:40]


def _path(request, photo_id: str) -> Path:
    if not PHOTO_ID.fullmatch(str(photo_id)):
        raise ValidationError({"photos": "That photo is not one of yours. Upload it again."})
    return session_folder(request) / photo_id


def _display_name(name: str) -> str:
    base = Path(str(name or "photo")).name
    return re.sub(r"[^\w.\- ]+", "_", base)[:100] or "photo"


def upload_keep(request, uploaded: UploadedFile) -> dict[str, Any]:
    """Check an uploaded photo (its real type and size) and keep it; its description goes into the journey."""
    checked_type = check_attachment(uploaded)
    content_type = checked_type if isinstance(checked_type, str) else uploaded.content_type
    folder = session_folder(request)
    folder.mkdir(parents=True, exist_ok=True)
    photo_id = secrets.token_hex(16)
    with (folder / photo_id).open("wb") as target:
        for chunk in uploaded.chunks(CHUNK):
            target.write(chunk)
    return {"id": photo_id, "name": _display_name(uploaded.name), "type": content_type, "size": uploaded.size}


def upload_open(request, photo: dict[str, Any]) -> UploadedFile:
    """A kept photo as an uploaded file again, for checking and attaching when the report is sent.

    The caller closes it."""
    path = _path(request, photo.get("id", ""))
    if not path.is_file():
        raise ValidationError({"photos": f"We no longer have {photo.get('name', 'a photo')}. Upload it again."})
    return UploadedFile(
        file=path.open("rb"),
        name=_display_name(photo.get("name", "photo")),
        content_type=str(photo.get("type", "application/octet-stream")),
        size=path.stat().st_size,
    )


def upload_discard(request, photo_id: str) -> None:
    try:
        _path(request, photo_id).unlink(missing_ok=True)
    except ValidationError:
        return


def uploads_clear(request) -> None:
    """Remove every photo of this session and tenant (the report was sent, or started again)."""
    if request.session.session_key is None:
        return
    shutil.rmtree(session_folder(request), ignore_errors=True)


def uploads_purge(*, older_than: int = LEFT_BEHIND_AFTER, now: float | None = None) -> int:
    """Remove the folders of journeys left unfinished; returns how many. Run daily (borough portal_purge)."""
    root = uploads_root()
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - older_than
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and _newest_change(folder) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _newest_change(folder: Path) -> float:
    times = [folder.stat().st_mtime, *(child.stat().st_mtime for child in folder.iterdir())]
    return max(times)
