"""`borough portal_purge` removes left-behind uploads and old codes, and keeps what is still in use."""

import os
import time
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from borough.portal.models import PortalVerification
from borough.portal.tasks import portal_purge_task
from borough.portal.uploads import uploads_root
from borough.tenancy.scope import tenant_scope


def make_code(tenant, age: timedelta) -> None:
    created = timezone.now() - age
    with tenant_scope(tenant):
        PortalVerification.objects.create(
            tenant=tenant,
            reference="NOR-000001",
            sent_by="email",
            code_salt="s",
            code_hash="h",
            created_at=created,
            expires_at=created + timedelta(minutes=10),
        )


def test_the_command_purges_old_folders_and_codes_of_every_tenant(tenant_a, tenant_b):
    old_folder, new_folder = uploads_root() / "old", uploads_root() / "new"
    for folder in (old_folder, new_folder):
        folder.mkdir(parents=True)
        (folder / "photo").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    for path in (old_folder / "photo", old_folder):
        os.utime(path, (two_days_ago, two_days_ago))
    for tenant in (tenant_a, tenant_b):
        make_code(tenant, timedelta(days=8))
        make_code(tenant, timedelta(hours=1))
    out = StringIO()
    call_command("portal_purge", stdout=out)
    assert out.getvalue().strip() == "Removed 1 upload folders and 2 security codes."
    assert not old_folder.exists() and new_folder.exists()
    for tenant in (tenant_a, tenant_b):
        with tenant_scope(tenant):
            assert PortalVerification.objects.count() == 1


def test_the_task_reports_what_it_removed(tenant_a):
    make_code(tenant_a, timedelta(days=30))
    assert portal_purge_task() == {"upload_folders": 0, "codes": 1}
