"""The name a case's file is downloaded under: no control characters, separators or quotes, and the extension of
its real type."""

import pytest

from borough.crm.attachment_downloads import MAX_NAME, download_name


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("photo.png", "image/png", "photo.png"),
        ("IMG_0001.JPEG", "image/jpeg", "IMG_0001.JPEG"),
        ("IMG_0001.heif", "image/heic", "IMG_0001.heif"),
        ("report.html", "image/png", "report.html.png"),  # never saved to a desktop as a web page
        ("letter", "application/pdf", "letter.pdf"),
        ('in"voice\r\n.pdf', "application/pdf", "in_voice.pdf"),
        ("C:\\fakepath\\..\\secret.pdf", "application/pdf", "C_fakepath_.._secret.pdf"),
        ("../../etc/passwd", "image/png", "_.._etc_passwd.png"),
        ("..png", "image/png", "png.png"),
        (".png", "image/png", "png.png"),
        ("", "image/gif", "attachment.gif"),
        ("\x00\x1b", "image/gif", "attachment.gif"),
        ("  spaced   out  name .pdf", "application/pdf", "spaced out name .pdf"),
        ("Straße – plan.pdf", "application/pdf", "Straße – plan.pdf"),
    ],
)
def test_download_name(original, content_type, expected):
    assert download_name(original, content_type) == expected


def test_a_long_name_is_cut_before_its_extension():
    name = download_name("x" * 300 + ".pdf", "application/pdf")
    assert len(name) == MAX_NAME and name.endswith("x.pdf")
