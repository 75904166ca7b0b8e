"""The staff payments pages: upload (a bad file is a form error and nothing is lost), review and resolve rows,
mandates, BACS files and their download, ARUDD upload; another role is refused."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.revenues.models import LedgerEntry, PaymentFile, PaymentFileRow, RevenuesSettings
from borough.revenues.payments.collections import collection_file_create
from borough.revenues.payments.direct_debit import auddis_file_create, mandate_create
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill

pytestmark = pytest.mark.django_db
BASE = "/staff/revenues/payments/"


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def upload(client, content, source="bank", name="statement.csv"):
    return client.post(f"{BASE}upload", {"source": source, "file": SimpleUploadedFile(name, content)})


def test_upload_review_and_resolve(council, officer):
    account = make_account(council)
    content = f"Date,Amount,Reference\n03/04/2026,25.00,{account.number}\n04/04/2026,40.00,MRS SMITH\n".encode()
    response = upload(officer, content)
    file = PaymentFile.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}files/{file.pk}/"
    page = officer.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 posted, 1 waiting for review" in text and "No account matches" in text and "MRS SMITH" in text
    row = file.rows.get(status=PaymentFileRow.Status.REJECTED)
    bad = officer.post(f"{BASE}rows/{row.pk}/post", {"account_number": "NOR-999999", "note": ""})
    assert bad.status_code == 400 and "There is no account NOR-999999" in bad.content.decode()
    assert "There is a problem" in bad.content.decode()
    good = officer.post(f"{BASE}rows/{row.pk}/post", {"account_number": account.number.lower(), "note": "Phoned"})
    assert good.status_code == 302
    row.refresh_from_db()
    assert row.status == PaymentFileRow.Status.RESOLVED and row.entry.account == account
    home = officer.get(BASE).content.decode()
    assert "statement.csv" in home and "£65.00" in home


def test_dismiss_needs_a_note(council, officer):
    upload(officer, b"Date,Amount,Reference\n03/04/2026,oops,X\n")
    row = PaymentFileRow.objects.get()
    response = officer.post(f"{BASE}rows/{row.pk}/dismiss", {"note": ""})
    assert response.status_code == 400 and "Say how the row was resolved" in response.content.decode()
    assert officer.post(f"{BASE}rows/{row.pk}/dismiss", {"note": "Returned"}).status_code == 302
    row.refresh_from_db()
    assert (row.status, row.note) == (PaymentFileRow.Status.RESOLVED, "Returned")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01binary", "not a text file"), (b"Amount\n1.00\n", "no &#x27;date&#x27; column")],
)
def test_a_bad_file_is_a_form_error_and_nothing_is_kept(council, officer, content, message):
    response = upload(officer, content)
    assert response.status_code == 400
    assert message in response.content.decode() and "There is a problem" in response.content.decode()
    assert not PaymentFile.objects.exists()


def test_the_same_file_twice_is_a_form_error(council, officer):
    account = make_account(council)
    content = f"Date,Amount,Reference\n03/04/2026,25.00,{account.number}\n".encode()
    upload(officer, content)
    again = upload(officer, content, name="copy.csv")
    assert again.status_code == 400 and "imported already" in again.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_mandates_and_bacs_pages_and_download(council, officer):
    RevenuesSettings.objects.create(
        tenant=council, bacs_service_user_number="123456", bacs_sort_code="401234", bacs_account_number="87654321"
    )
    account = make_account(council)
    make_bill(account)
    mandate_create(account=account, payer_name="Ann Example", sort_code="112233", account_number="12345678")
    auddis = auddis_file_create(tenant=council, processing_day=date(2026, 3, 20))
    collection_file_create(tenant=council, due_date=date(2026, 4, 1))
    mandates = officer.get(f"{BASE}mandates/?status=active").content.decode()
    assert account.number in mandates and "ANN EXAMPLE" not in mandates and "Ann Example" in mandates
    assert "ending 5678" in mandates and "12345678" not in mandates
    bacs_page = officer.get(f"{BASE}bacs/").content.decode()
    assert "Mandates (AUDDIS)" in bacs_page and "Collections" in bacs_page
    download = officer.get(f"{BASE}bacs/{auddis.pk}/download")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download.content.decode("ascii") == auddis.content


def test_arudd_upload(council, officer):
    response = officer.post(f"{BASE}bacs/", {"file": SimpleUploadedFile("arudd.xml", b"<nope")})
    assert response.status_code == 400 and "not well-formed" in response.content.decode()


def test_other_roles_are_refused(council, make_staff, client_for):
    client = client_for(council, make_staff(council, roles=("crm.agent",)))
    assert client.get(BASE).status_code == 403
