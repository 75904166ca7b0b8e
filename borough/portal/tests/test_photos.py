"""Photos: checked by their real type and size, kept in the session's own folder between pages, attached to the
case when it is sent, and cleaned up."""

import os
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import CaseAttachment
from borough.portal.tests.helpers import JPEG, cases, png, walk_to_check
from borough.portal.uploads import uploads_purge, uploads_root
from borough.tenancy.scope import tenant_scope

PHOTOS = "/report/missed-bin/photos/"


def open_photos_page(client):
    client.post("/report/missed-bin/")
    return client.get(PHOTOS)


def upload(client, photo, action="upload"):
    return client.post(PHOTOS, {"photo": photo, "action": action})


def kept_files() -> list:
    root = uploads_root()
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_the_photo_page_is_a_gov_uk_file_upload(resident, catalogue):
    html = open_photos_page(resident).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'class="govuk-file-upload"' in html
    assert "Add photos (optional)" in html


def test_an_uploaded_photo_is_kept_in_the_sessions_folder_and_listed(resident, catalogue):
    open_photos_page(resident)
    response = upload(resident, png("my bin.png"))
    assert response.status_code == 302 and response["Location"] == PHOTOS
    page = resident.get(PHOTOS).content.decode()
    assert "my bin.png" in page and "my bin.png added" in page
    [kept] = kept_files()
    assert kept.parent.parent == uploads_root()
    assert kept.read_bytes().startswith(b"\x89PNG")
    assert "bin" not in kept.name  # named by a random id, not the resident's file name


def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(resident, catalogue):
    open_photos_page(resident)
    fake = SimpleUploadedFile("holiday.jpg", b"#!/bin/sh\necho gotcha\n", content_type="image/jpeg")
    response = upload(resident, fake)
    html = response.content.decode()
    assert response.status_code == 400
    assert "holiday.jpg must be a photo or a PDF" in html
    assert 'href="#id_photo"' in html and "govuk-file-upload--error" in html
    assert kept_files() == []


def test_an_oversize_photo_is_refused(resident, catalogue):
    open_photos_page(resident)
    big = SimpleUploadedFile("huge.jpg", JPEG + b"\0" * MAX_ATTACHMENT_BYTES, content_type="image/jpeg")
    response = upload(resident, big)
    assert response.status_code == 400
    assert "huge.jpg is 10.0 MB: it must be 10 MB or smaller" in response.content.decode()
    assert kept_files() == []


def test_upload_without_a_file_says_to_choose_one(resident, catalogue):
    open_photos_page(resident)
    response = resident.post(PHOTOS, {"action": "upload"})
    assert response.status_code == 400
    assert "Select a photo to upload" in response.content.decode()


def test_an_empty_file_is_refused(resident, catalogue):
    open_photos_page(resident)
    response = upload(resident, SimpleUploadedFile("empty.png", b"", content_type="image/png"))
    assert response.status_code == 400
    assert "The selected file is empty" in response.content.decode()


def test_at_most_three_photos(resident, catalogue):
    open_photos_page(resident)
    for number in range(3):
        assert upload(resident, png(f"photo{number}.png")).status_code == 302
    page = resident.get(PHOTOS).content.decode()
    assert "the most you can add" in page and 'type="file"' not in page
    response = upload(resident, png("photo4.png"))
    assert response.status_code == 400
    assert "You can add 3 photos at most" in response.content.decode()
    assert len(kept_files()) == 3


def test_a_photo_can_be_removed(resident, catalogue, tenant_a):
    open_photos_page(resident)
    upload(resident, png("first.png"))
    upload(resident, png("second.png"))
    photo_id = resident.get(PHOTOS).context["photos"][0]["id"]
    response = resident.post("/report/missed-bin/photos/remove/", {"photo": photo_id})
    assert response["Location"] == PHOTOS
    page = resident.get(PHOTOS).content.decode()
    assert "first.png removed" in page and "second.png" in page
    assert len(kept_files()) == 1


def test_choosing_a_photo_and_pressing_continue_keeps_it(resident, catalogue):
    open_photos_page(resident)
    response = upload(resident, png(), action="continue")
    assert response["Location"] == "/report/missed-bin/about-you/"
    assert len(kept_files()) == 1


def test_photos_are_attached_to_the_case_and_the_folder_removed(resident, catalogue, tenant_a):
    walk_to_check(resident, photo=png("evidence.png"))
    assert "evidence.png" in resident.get("/report/missed-bin/check-your-answers/").content.decode()
    assert resident.post("/report/missed-bin/check-your-answers/").status_code == 302
    [case] = cases(tenant_a)
    with tenant_scope(tenant_a):
        [attachment] = CaseAttachment.objects.filter(case=case)
    assert (attachment.original_name, attachment.content_type) == ("evidence.png", "image/png")
    assert attachment.file.read().startswith(b"\x89PNG")
    assert kept_files() == []


def test_starting_again_removes_the_photos(resident, catalogue):
    open_photos_page(resident)
    upload(resident, png())
    resident.post("/report/missed-bin/")
    assert kept_files() == []


def test_each_session_has_its_own_folder(client_for, tenant_a, catalogue):
    first, second = client_for(tenant_a), client_for(tenant_a)
    for client in (first, second):
        open_photos_page(client)
        upload(client, png())
    assert len({path.parent for path in kept_files()}) == 2
    other_id = second.get(PHOTOS).context["photos"][0]["id"]
    first.post("/report/missed-bin/photos/remove/", {"photo": other_id})  # not in first's journey
    assert len(kept_files()) == 2


def test_left_behind_folders_are_purged(resident, catalogue):
    open_photos_page(resident)
    upload(resident, png())
    [kept] = kept_files()
    assert uploads_purge() == 0
    old = time.time() - 2 * 24 * 60 * 60
    os.utime(kept, (old, old))
    os.utime(kept.parent, (old, old))
    assert uploads_purge() == 1
    assert kept_files() == []
