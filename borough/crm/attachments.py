"""Files residents and staff attach to cases: photos and PDFs only, at most 10 MB each.

The type is read from the file's first bytes (its "magic number"), never from its name or the browser's
Content-Type, which the sender chooses: a script renamed photo.jpg is refused.
"""

from django.core.exceptions import ValidationError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ALLOWED_CONTENT_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "application/pdf": "PDF",
}
# The ISO base media "ftyp" brands of HEIF images (as iPhones take them).
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def _name(uploaded_file) -> str:
    return str(getattr(uploaded_file, "name", "") or "the file").rsplit("/", 1)[-1][:200]


def check_attachment(uploaded_file) -> str:
    """The file's real content type; ValidationError({"attachments": ...}) if it is empty, too big or not allowed."""
    name = _name(uploaded_file)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        raise ValidationError({"attachments": f"{name} is not a file"})
    if size == 0:
        raise ValidationError({"attachments": f"{name} is empty"})
    if size > MAX_ATTACHMENT_BYTES:
        limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
        raise ValidationError(
            {"attachments": f"{name} is {size / 1024 / 1024:.1f} MB: it must be {limit} MB or smaller"}
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(32)
    uploaded_file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        kinds = ", ".join(ALLOWED_CONTENT_TYPES.values())
        raise ValidationError({"attachments": f"{name} must be a photo or a PDF ({kinds})"})
    return content_type


def check_attachments(files) -> list[tuple[object, str]]:
    """Each file with its content type; every problem reported at once under `attachments`."""
    files = list(files or ())
    messages: list[str] = []
    checked = []
    if len(files) > MAX_ATTACHMENTS:
        messages.append(f"Attach {MAX_ATTACHMENTS} files or fewer (there are {len(files)})")
    for uploaded_file in files:
        try:
            checked.append((uploaded_file, check_attachment(uploaded_file)))
        except ValidationError as error:
            messages.extend(error.message_dict["attachments"])
    if messages:
        raise ValidationError({"attachments": messages})
    return checked
