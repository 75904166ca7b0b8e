"""The Standard 18 layout, byte by byte (pure: no database)."""

from datetime import date

import pytest

from borough.revenues.payments import bacs

COUNCIL = bacs.Originator(
    service_user_number="123456", sort_code="401234", account_number="87654321", name="Northfield DC"
)
DAY = date(2026, 4, 30)


def debit(code="17", pence=12345, reference="NFD-000123", day=DAY):
    return bacs.Instruction(
        sort_code="112233",
        account_number="12345678",
        payer_name="Ann O'Example",
        reference=reference,
        code=code,
        pence=pence,
        processing_day=day,
    )


def test_bacs_day_is_blank_year_and_day_of_year():
    assert bacs.bacs_day(date(2026, 4, 1)) == " 26091"
    assert bacs.bacs_day(date(2028, 12, 31)) == " 28366"
    assert bacs.parse_bacs_day(" 26091") == date(2026, 4, 1)


def test_data_record_fields_at_their_positions():
    record = bacs.data_record(COUNCIL, debit())
    assert len(record) == 106
    assert record[0:6] == "112233"  # 1-6 destination sort code
    assert record[6:14] == "12345678"  # 7-14 destination account
    assert record[14] == "0"  # 15 account type
    assert record[15:17] == "17"  # 16-17 transaction code
    assert record[17:23] == "401234"  # 18-23 originating sort code
    assert record[23:31] == "87654321"  # 24-31 originating account
    assert record[31:35] == "    "  # 32-35 free format
    assert record[35:46] == "00000012345"  # 36-46 amount in pence
    assert record[46:64] == "NORTHFIELD DC     "  # 47-64 originator's name
    assert record[64:82] == "NFD-000123        "  # 65-82 reference
    assert record[82:100] == "ANN O EXAMPLE     "  # 83-100 payer, apostrophe outside the Bacs set
    assert record[100:106] == " 26120"  # 101-106 processing day


def test_collection_file_labels_contra_and_totals():
    text = bacs.standard18_file(
        originator=COUNCIL,
        serial="000042",
        created_on=date(2026, 4, 27),
        processing_day=DAY,
        instructions=[debit("01", 10000), debit("17", 2550, "NFD-000124"), debit("18", 99, "NFD-000125")],
        file_number=7,
    )
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert [line[:4] for line in lines] == [
        "VOL1",
        "HDR1",
        "HDR2",
        "UHL1",
        "1122",
        "1122",
        "1122",
        "4012",
        "EOF1",
        "EOF2",
        "UTL1",
    ]
    assert [len(line) for line in lines] == [80, 80, 80, 80, 106, 106, 106, 106, 80, 80, 80]
    vol1, hdr1, hdr2, uhl1, *_, contra, eof1, eof2, utl1 = lines
    assert vol1[4:10] == "000042" and vol1[41:47] == "123456" and vol1[79] == "1"
    assert hdr1[4] == "A" and hdr1[5:11] == "123456" and hdr1[11] == "S" and hdr1[15:21] == "123456"
    assert hdr1[21:27] == "000042" and hdr1[27:35] == "00010001" and hdr1[41:47] == " 26117" and hdr1[47:53] == " 26127"
    assert hdr2[4] == "F" and hdr2[5:10] == "02000" and hdr2[10:15] == "00106"
    assert uhl1[4:10] == " 26120" and uhl1[10:16] == "999999" and uhl1[20:22] == "00"
    assert uhl1[28:37] == "4 MULTI  " and uhl1[37:40] == "007"
    # The contra credits the council's own account with the day's debits.
    assert contra[0:14] == "40123487654321" and contra[15:17] == "99" and contra[17:31] == "40123487654321"
    assert contra[35:46] == f"{10000 + 2550 + 99:011d}" and contra[64:82].rstrip() == "CONTRA"
    assert eof1 == "EOF1" + hdr1[4:] and eof2 == "EOF2" + hdr2[4:]
    assert utl1[4:17] == f"{12649:013d}" and utl1[17:30] == f"{12649:013d}"
    assert utl1[30:37] == "0000003" and utl1[37:44] == "0000001" and utl1[52:59] == "0000000"
    parsed = bacs.read_standard18(text)
    assert [r.code for r in parsed.records] == ["01", "17", "18", "99"]


def test_auddis_file_has_zero_amounts_no_contra_and_counts_instructions():
    text = bacs.standard18_file(
        originator=COUNCIL,
        serial="000001",
        created_on=DAY,
        processing_day=DAY,
        instructions=[debit("0N", 0), debit("0C", 0, "NFD-000999")],
    )
    parsed = bacs.read_standard18(text)
    assert [(r.code, r.pence) for r in parsed.records] == [("0N", 0), ("0C", 0)]
    utl1 = parsed.labels["UTL1"]
    assert utl1[4:44] == "0" * 40 and utl1[52:59] == "0000002"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (debit("0N", 100), "amount of zero"),
        (debit("17", 0), "more than zero"),
        (debit("17", 10**11), "does not fit"),
        (debit("17", 1, "AB1"), "at least 6"),
        (debit("42", 1), "not a transaction code"),
        (bacs.Instruction("11223", "12345678", "X", "NFD-000001", "17", 1, DAY), "sort code must be 6 digits"),
    ],
)
def test_values_that_cannot_go_in_a_file_are_refused(item, message):
    with pytest.raises(bacs.BacsError, match=message):
        bacs.data_record(COUNCIL, item)


def test_the_reader_refuses_totals_that_disagree():
    text = bacs.standard18_file(
        originator=COUNCIL, serial="000001", created_on=DAY, processing_day=DAY, instructions=[debit()]
    )
    lines = text.split("\r\n")
    lines[-2] = lines[-2][:4] + "9" * 13 + lines[-2][17:]
    with pytest.raises(bacs.BacsError, match="debit total"):
        bacs.read_standard18("\r\n".join(lines))


def test_a_credit_file_has_a_debit_contra_per_day_and_totals_both_ways():
    """Refunds: 99 credits each payee; the contra (17) debits the council's account with each day's total."""
    other_day = date(2026, 5, 1)
    items = [debit("99", 1000), debit("99", 250, reference="NFD-000124"), debit("99", 5, day=other_day)]
    text = bacs.standard18_file(
        originator=COUNCIL, serial="000042", created_on=DAY, processing_day=DAY, instructions=items
    )
    lines = text.split("\r\n")[:-1]
    contras = lines[7:9]
    assert [line[15:17] for line in lines[4:9]] == ["99", "99", "99", "17", "17"]
    assert contras[0] == (
        "401234" "87654321" "0" "17" "401234" "87654321" "    " "00000001250"
        "NORTHFIELD DC     " "CONTRA            " "NORTHFIELD DC     " " 26120"
    )  # fmt: skip
    assert contras[1][35:46] == "00000000005" and contras[1][100:] == " 26121"
    utl1 = lines[-1]
    assert utl1[4:17] == utl1[17:30] == "0000000001255"
    assert (utl1[30:37], utl1[37:44], utl1[52:59]) == ("0000002", "0000003", "0000000")
    assert [r.code for r in bacs.read_standard18(text).records] == ["99", "99", "99", "17", "17"]


def test_a_file_of_debits_and_credits_balances_each_side():
    text = bacs.standard18_file(
        originator=COUNCIL, serial="000043", created_on=DAY, processing_day=DAY,
        instructions=[debit("17", 700), debit("99", 300)],
    )  # fmt: skip
    records = bacs.read_standard18(text).records
    assert [(r.code, r.pence, r.reference) for r in records] == [
        ("17", 700, "NFD-000123"), ("99", 300, "NFD-000123"), ("99", 700, "CONTRA"), ("17", 300, "CONTRA"),
    ]  # fmt: skip
    utl1 = text.split("\r\n")[-2]
    assert utl1[4:17] == utl1[17:30] == "0000000001000" and (utl1[30:37], utl1[37:44]) == ("0000002", "0000002")


def test_a_credit_of_nothing_is_refused():
    with pytest.raises(bacs.BacsError, match="A credit must be for more than zero"):
        bacs.data_record(COUNCIL, debit("99", 0))
