"""The ADDACS and AUDDIS report parser (pure): advices read, bad advices marked with their problem, unreadable
reports refused with the reason."""

from datetime import date

import pytest

from borough.revenues.payments.bacs_reports import ADDACS, AUDDIS, ReportRefused, parse_report


def report_xml(*advices: str, user_number: str = "123456", extra: str = "") -> bytes:
    header = f'<MessagingHeader user-number="{user_number}" report-generation-date="2026-05-04" />'
    body = "".join(advices)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<BACSDocument><Data><MessagingAdvices>{header}{body}</MessagingAdvices>{extra}</Data></BACSDocument>"
    ).encode()


def advice(reference="NFD-000001", code="0", **attributes) -> str:
    values = {
        "user-number": "123456",
        "record-type": "A",
        "effective-date": "2026-05-03",
        "reference": reference,
        "payer-name": "A EXAMPLE",
        "payer-sort-code": "309430",
        "payer-account-number": "12345678",
        "reason-code": code,
        **attributes,
    }
    return "<MessagingAdvice " + " ".join(f'{k}="{v}"' for k, v in values.items() if v is not None) + " />"


def test_an_addacs_report_is_read():
    content = report_xml(
        advice(code="0"),
        advice(
            reference="nfd-000002",
            code="3",
            **{"payer-new-sort-code": "20-00-00", "payer-new-account-number": "8765 4321"},
        ),
    )
    report = parse_report(content, kind=ADDACS, service_user_number="123456")
    assert report.service_user_number == "123456" and report.report_date == date(2026, 5, 4)
    first, second = report.advices
    assert (first.position, first.reference, first.reason_code, first.problem) == (1, "NFD-000001", "0", "")
    assert first.reason == "Instruction cancelled by the payer" and first.effective_date == date(2026, 5, 3)
    assert (second.reference, second.new_sort_code, second.new_account_number) == ("NFD-000002", "200000", "87654321")
    assert second.values()["new_account_number"] == "****4321" and "MessagingAdvice" in second.raw


def test_an_auddis_report_reads_its_reason_and_transaction_code():
    content = report_xml(advice(code="L", **{"record-type": None, "transaction-code": "0N"}))
    (item,) = parse_report(content, kind=AUDDIS).advices
    assert (item.reason_code, item.transaction_code, item.problem) == ("L", "0N", "")
    assert item.reason == "Incorrect payer's account details"


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"reference": ""}, "no reference"),
        ({"reason-code": ""}, "no reason code"),
        ({"reason-code": "9"}, "Reason code 9 is not one ADDACS uses"),
        ({"payer-sort-code": "12345"}, "The sort code is not 6 digits"),
        ({"effective-date": "03/05/2026"}, "not a date"),
        ({"record-type": "R"}, "not an ADDACS advice"),
        ({"user-number": "999999"}, "for service user 999999"),
        ({"reason-code": "3"}, "Reason 3 gives the new account details"),
    ],
)
def test_an_advice_that_cannot_be_applied_says_why(attributes, problem):
    values = {"reference": "NFD-000001", "code": "0"}
    if "reason-code" in attributes:
        values["code"] = attributes.pop("reason-code")
    if "reference" in attributes:
        values["reference"] = attributes.pop("reference")
    (item,) = parse_report(
        report_xml(advice(**values, **attributes)), kind=ADDACS, service_user_number="123456"
    ).advices
    assert problem in item.problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00x", "not UTF-8"),
        (b"<BACSDocument><Data>", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><BACSDocument/>', "DOCTYPE"),
        (b"<Something/>", "not a Bacs ADDACS or AUDDIS report"),
        (report_xml(), "no advices"),
        (report_xml(advice(), extra="<ARUDD/>"), "ARUDD report"),
        (report_xml(advice(), user_number="999999"), "for service user 999999"),
    ],
)
def test_an_unreadable_report_is_refused(content, message):
    with pytest.raises(ReportRefused, match=message):
        parse_report(content, kind=ADDACS, service_user_number="123456")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ReportRefused, match="Unknown kind"):
        parse_report(report_xml(advice()), kind="arudd")
