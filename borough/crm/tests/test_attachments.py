"""Attachment checks: the type comes from the file's first bytes, never its name or declared type."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.crm.attachments import MAX_ATTACHMENT_BYTES, check_attachment, check_attachments, sniff_content_type
from borough.crm.tests.case_factories import JPEG, PDF, PNG


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00\x01\x00", "image/gif"),
        (PDF, "application/pdf"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", None),  # an MP4 video
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a sound
        (b"PK\x03\x04", None),  # a zip (or an Office document)
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),  # SVG can carry script
        (b"MZ\x90\x00", None),  # a Windows program
        (b"", None),
    ],
)
def test_sniffing(head, content_type):
    assert sniff_content_type(head) == content_type


def test_the_declared_type_and_name_are_ignored():
    assert check_attachment(SimpleUploadedFile("notes.txt", PNG, content_type="text/plain")) == "image/png"
    with pytest.raises(ValidationError, match="photo.jpg must be a photo or a PDF"):
        check_attachment(SimpleUploadedFile("photo.jpg", b"<?php system($_GET['c']);", content_type="image/jpeg"))


def test_size_limits():
    exactly = SimpleUploadedFile("big.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF)))
    assert check_attachment(exactly) == "application/pdf"
    over = SimpleUploadedFile("bigger.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="bigger.pdf is 10.0 MB: it must be 10 MB or smaller"):
        check_attachment(over)
    with pytest.raises(ValidationError, match="empty.png is empty"):
        check_attachment(SimpleUploadedFile("empty.png", b""))
    with pytest.raises(ValidationError, match="is not a file"):
        check_attachment("just a string")


def test_the_file_is_left_at_its_start():
    upload = SimpleUploadedFile("photo.png", PNG)
    upload.read(5)
    check_attachment(upload)
    assert upload.read() == PNG


def test_every_bad_file_is_reported_at_once():
    files = [
        SimpleUploadedFile("a.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("ok.png", PNG),
        SimpleUploadedFile("b.png", b""),
    ]
    with pytest.raises(ValidationError) as raised:
        check_attachments(files)
    assert raised.value.message_dict["attachments"][1] == "b.png is empty"
    assert len(raised.value.message_dict["attachments"]) == 2
