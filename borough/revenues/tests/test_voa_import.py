"""The VOA list import: good rows kept, bad rows reported by line, idempotent, backdated changes re-bill."""

import io
from datetime import date
from pathlib import Path

import pytest

from borough.core.models import AuditEvent
from borough.revenues.models import BandHistory, Dwelling, Hereditament, ValueHistory
from borough.revenues.tests.factories import make_account
from borough.revenues.voa import importer
from borough.revenues.voa.importer import voa_import

FIXTURES = Path(__file__).parent / "fixtures"


def _import(tenant, name, kind="council-tax", **kwargs):
    return voa_import(tenant=tenant, kind=kind, file=FIXTURES / name, **kwargs)


def test_council_tax_list_imports_every_row(council):
    report = _import(council, "council_tax_list.csv")
    assert (report.rows_read, report.created, report.rejected) == (3, 3, [])
    flat = Dwelling.objects.get(voa_reference="1003")
    assert (flat.address, flat.band, flat.uprn) == ("Flat 1, Rose Court, Station Road, Northfield, NF2 3CD", "A", "")
    assert Dwelling.objects.get(voa_reference="1001").band_effective_from == date(1993, 4, 1)
    assert BandHistory.objects.filter(source="list").count() == 3


def test_schedule_keeps_good_rows_and_reports_bad_ones(council):
    _import(council, "council_tax_list.csv")
    account = make_account(council, dwelling=Dwelling.objects.get(voa_reference="1002"), start=date(2024, 4, 1))
    report = _import(council, "council_tax_schedule.csv")
    assert (report.rows_read, report.created, report.updated, report.deleted) == (9, 1, 1, 1)
    reasons = {r.line: (r.reference, r.reason) for r in report.rejected}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 10]
    assert "band 'I' is not a valuation band here: use A to H" in reasons[4][1]
    assert reasons[5] == ("", "voa_reference is missing")
    assert "'31/02/2026' is not a date" in reasons[6][1]
    assert reasons[7] == ("1004", "duplicate reference: also on line 3")
    assert reasons[8][1] == "has 10 fields, the header has 11"
    assert reasons[10][0] == "1009" and "postcode" in reasons[10][1]
    # The good rows were kept.
    assert Dwelling.objects.get(voa_reference="1004").band == "B"
    assert Dwelling.objects.get(voa_reference="1003").status == "deleted"
    assert not Dwelling.objects.filter(voa_reference__in=["1005", "1007", "1008", "1009"]).exists()
    # The backdated band change is history and re-bills the account from its date.
    changed = Dwelling.objects.get(voa_reference="1002")
    assert (changed.band, changed.band_effective_from) == ("E", date(2025, 10, 1))
    assert list(BandHistory.objects.filter(dwelling=changed).values_list("band", "source")) == [
        ("D", "list"),
        ("E", "alteration"),
    ]
    account.refresh_from_db()
    assert account.rebill_from == date(2025, 10, 1)


def test_importing_twice_changes_nothing(council):
    _import(council, "council_tax_list.csv")
    _import(council, "council_tax_schedule.csv")
    events, history = AuditEvent.objects.count(), BandHistory.objects.count()
    again = _import(council, "council_tax_schedule.csv")
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 3)
    assert len(again.rejected) == 6
    assert (AuditEvent.objects.count(), BandHistory.objects.count()) == (events, history)
    assert "3 unchanged" in again.as_text()


def test_band_i_imports_for_a_welsh_council(welsh_council):
    report = _import(welsh_council, "council_tax_schedule.csv")
    assert Dwelling.objects.get(voa_reference="1005").band == "I"
    assert not any(r.reference == "1005" for r in report.rejected)
    # Deleting a dwelling the council does not have is reported, not a crash.
    assert any(r.line == 9 and "no property with this reference" in r.reason for r in report.rejected)


def test_each_council_has_its_own_list(council, tenant_b):
    from borough.core.audit import Actor, acting_as
    from borough.tenancy.scope import tenant_scope

    _import(council, "council_tax_list.csv")
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        report = _import(tenant_b, "council_tax_list.csv")
        assert (report.created, report.unchanged) == (3, 0)  # the same references are new for another council
        assert Dwelling.objects.count() == 3
    assert Dwelling.objects.count() == 3


def test_dry_run_saves_nothing(council):
    report = _import(council, "council_tax_list.csv", dry_run=True)
    assert (report.created, report.dry_run) == (3, True)
    assert report.as_text().startswith("Dry run (nothing saved): 3 rows read")
    assert not Dwelling.objects.exists()


def test_a_file_without_the_needed_columns_is_refused_whole(council):
    report = voa_import(tenant=council, kind="council-tax", file=io.BytesIO(b"reference,band\n1,A\n"))
    assert "lacks the column(s) voa_reference, address_line_1, effective_date, change_type" in report.error
    assert voa_import(tenant=council, kind="council-tax", file=io.BytesIO(b"")).error.startswith("The file is empty")
    with pytest.raises(ValueError, match="kind"):
        voa_import(tenant=council, kind="water", file=io.BytesIO(b""))


def test_windows_1252_bytes_and_a_byte_order_mark_are_read(council):
    data = (
        b"\xef\xbb\xbfvoa_reference,address_line_1,band,effective_date,change_type\n"
        b"2001,Caf\xe9 House,C,2026-04-01,new\n"
        b"2002,\xc3\x89cole Lane,C,2026-04-01,new\n"
    )
    report = voa_import(tenant=council, kind="council-tax", file=io.BytesIO(data))
    assert report.created == 2
    assert Dwelling.objects.get(voa_reference="2001").address_line_1 == "Café House"
    assert Dwelling.objects.get(voa_reference="2002").address_line_1 == "École Lane"


def test_large_files_are_applied_in_chunks(council, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 7)
    applied = []
    real = importer._apply_chunk
    monkeypatch.setattr(
        importer, "_apply_chunk", lambda t, k, chunk, r: (applied.append(len(chunk)), real(t, k, chunk, r))
    )
    lines = ["voa_reference,address_line_1,band,effective_date,change_type"]
    lines += [f"{n},{n} Long Road,B,2026-04-01,list" for n in range(1, 31)]
    report = voa_import(tenant=council, kind="council-tax", file=io.BytesIO("\n".join(lines).encode()))
    assert report.created == 30
    assert applied == [7, 7, 7, 7, 2]


def test_business_rates_list_entries(council):
    report = _import(council, "ndr_list_entries.txt", kind="business-rates")
    assert (report.rows_read, report.created, report.rejected) == (3, 3, [])
    shop = Hereditament.objects.get(voa_reference="00001234500001")
    assert (shop.address_line_1, shop.town, shop.postcode) == ("12 HIGH STREET", "NORTHFIELD", "NF1 4EF")
    assert (shop.rateable_value, shop.value_effective_from, shop.description) == (
        15500,
        date(2023, 4, 1),
        "SHOP AND PREMISES",
    )
    assert (shop.uarn, shop.firm_name, shop.description_code) == ("1234567001", "NORTHFIELD BAKERY LTD", "CS")
    unit = Hereditament.objects.get(voa_reference="00001234500002")
    assert (unit.address_line_1, unit.address_line_2) == ("UNIT 3", "MARKET YARD")
    again = _import(council, "ndr_list_entries.txt", kind="business-rates")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def _ndr_line(reference, value="15500", effective="01-APR-2023", current_to="", fields=28):
    cells = [
        "1",
        "4615",
        "00000",
        reference,
        "CS",
        "SHOP",
        "99",
        "",
        "",
        "1",
        "HIGH STREET",
        "NORTHFIELD",
        "",
        "NORTHSHIRE",
        "NF1 4EF",
        effective,
        "",
        value,
        "",
        "",
        "",
        "249G",
        "",
        "",
        "",
        "",
        effective,
        current_to,
    ]
    return "*".join(cells[:fields]) + "*"


def test_business_rates_bad_rows_value_changes_and_deletions(council):
    from borough.revenues.models import Hereditament as H
    from borough.revenues.services import account_open

    _import(council, "ndr_list_entries.txt", kind="business-rates")
    shop = H.objects.get(voa_reference="00001234500001")
    account = account_open(tenant=council, hereditament=shop, parties=[{"name": "Bakery"}], start=date(2023, 4, 1))
    lines = [
        _ndr_line("00001234500001", value="14250", effective="01-JAN-2025"),  # backdated reduction
        _ndr_line("00001234500002", current_to="31-MAR-2026"),  # left the list
        _ndr_line("", value="100"),
        _ndr_line("X4", value="12,5OO"),
        _ndr_line("X5", effective="32-APR-2023"),
        _ndr_line("X6", fields=20),
        "",
        _ndr_line("X7", value="1,000"),
    ]
    report = voa_import(tenant=council, kind="business-rates", file=io.BytesIO("\n".join(lines).encode()))
    assert (report.rows_read, report.created, report.updated, report.deleted) == (7, 1, 1, 1)
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "BA reference number (field 4) is missing" in reasons[3]
    assert "'12,5OO' is not a whole number" in reasons[4]
    assert "'32-APR-2023' is not a date" in reasons[5]
    assert "has 21 fields" in reasons[6]
    shop.refresh_from_db()
    account.refresh_from_db()
    assert (shop.rateable_value, account.rebill_from) == (14250, date(2025, 1, 1))
    assert list(ValueHistory.objects.filter(hereditament=shop).values_list("rateable_value", flat=True)) == [
        15500,
        14250,
    ]
    gone = H.objects.get(voa_reference="00001234500002")
    assert (gone.status, gone.deleted_from) == ("deleted", date(2026, 4, 1))
    assert H.objects.get(voa_reference="X7").rateable_value == 1000


def test_odd_csv_and_clashing_or_huge_values_are_rows_rejected(council):
    data = (
        "voa_reference,uprn,address_line_1,band,effective_date,change_type\n"
        "3001,555,1 Clash Road,A,2026-04-01,new\n"
        "3002,555,2 Clash Road,A,2026-04-01,new\n"
        "3003,,3 Nul\x00 Road,A,2026-04-01,new\n"
        f"{'9' * 30},,4 Long Road,A,2026-04-01,new\n"
        f"3006,,6 {'x' * 200_000},A,2026-04-01,new\n"
        "3005,,5 Fine Road,A,2026-04-01,new\n"
    ).encode()
    report = voa_import(tenant=council, kind="council-tax", file=io.BytesIO(data))
    reasons = {r.line: r.reason for r in report.rejected}
    assert report.created == 2, reasons
    assert "UPRN 555 exists already" in reasons[3]
    assert "control characters" in reasons[4]
    assert "at most 25 characters" in reasons[5]
    assert "cannot be read as CSV: field larger than field limit" in reasons[6]
    assert Dwelling.objects.filter(voa_reference="3005").exists()


def test_a_rateable_value_too_large_to_store_is_rejected(council):
    report = voa_import(
        tenant=council, kind="business-rates", file=io.BytesIO(_ndr_line("X1", value="9" * 15).encode())
    )
    assert report.created == 0
    assert "rateable_value" in report.rejected[0].reason


def test_reinstated_and_minor_address_change(council):
    _import(council, "council_tax_list.csv")
    header = (
        "voa_reference,address_line_1,address_line_2,address_line_3,town,postcode,band,effective_date,change_type\n"
    )
    rows = [
        "1003,Flat 1,Rose Court,Station Road,Northfield,NF2 3CD,A,2026-04-30,deleted",
        "1003,Flat 1,Rose Court,Station Road,Northfield,NF2 3CD,A,2026-06-01,reinstated",
        "1001,1 Mill Lane,,,Northfield Town,NF1 2AB,H,2026-06-01,minor address change",
    ]
    first = voa_import(tenant=council, kind="council-tax", file=io.BytesIO((header + rows[0]).encode()))
    assert first.deleted == 1
    second = voa_import(tenant=council, kind="council-tax", file=io.BytesIO((header + "\n".join(rows[1:])).encode()))
    assert (second.updated, second.rejected) == (2, [])
    flat = Dwelling.objects.get(voa_reference="1003")
    assert (flat.status, flat.deleted_from) == ("live", None)
    renamed = Dwelling.objects.get(voa_reference="1001")
    assert (renamed.town, renamed.band) == ("Northfield Town", "C")  # an address change never changes the band
