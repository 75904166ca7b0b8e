"""The council's revenues settings (council_settings.revenues_settings_update and /staff/revenues/settings/): every
field checked, all problems at once on their fields, nothing saved on a refusal, audited before and after, the
country fixed once a bill is issued, managers only, and one council's settings never seen or changed from another's
host."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.revenues.council_settings import revenues_settings_update
from borough.revenues.models import Bill, RevenuesSettings
from borough.revenues.tests.factories import make_account
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
PAGE = "/staff/revenues/settings/"
ACTION = "revenues.settings_update"
GOOD = {
    "country": "england",
    "billing_authority_name": "Northfield District Council",
    "billing_address": "Town Hall\nMarket Street\nNorthfield\nNF1 1AA",
    "enquiries_phone": "01632 960001",
    "greater_london": False,
    "bacs_service_user_number": "123456",
    "bacs_sort_code": "12-34-56",
    "bacs_account_number": "12345678",
    "bacs_account_name": "Northfield DC",
    "summons_costs": "70.00",
    "liability_order_costs": "40.50",
}
NO_BACS = {"bacs_service_user_number": "", "bacs_sort_code": "", "bacs_account_number": "", "bacs_account_name": ""}


def update(tenant, **changes):
    return revenues_settings_update(tenant=tenant, changes={**GOOD, **changes})


def refusal(tenant, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        update(tenant, **changes)
    return error.value.message_dict


def issue_a_bill(tenant) -> Bill:
    account = make_account(tenant)
    return Bill.objects.create(
        tenant=tenant,
        account=account,
        financial_year="2026-27",
        kind=Bill.Kind.ANNUAL,
        number=f"2026-27/{account.number}",
        issued_on=date(2026, 3, 10),
        charge=Decimal("1500.00"),
        balance=Decimal("1500.00"),
        instalments=[],
    )


# The service -------------------------------------------------------------------------------------------------------


def test_the_settings_are_created_tidied_and_audited_before_and_after(council):
    settings = update(
        council, bacs_sort_code="12 34-56", bacs_account_number="1234 5678", bacs_account_name="a&b/c.d-e"
    )
    stored = RevenuesSettings.objects.get()
    assert stored.pk == settings.pk
    assert (stored.bacs_sort_code, stored.bacs_account_number, stored.bacs_account_name) == (
        "123456",
        "12345678",
        "A&B/C.D-E",
    )
    assert stored.billing_address == "Town Hall\nMarket Street\nNorthfield\nNF1 1AA"
    assert stored.enquiries_phone == "01632 960001"
    assert (stored.summons_costs, stored.liability_order_costs) == (Decimal("70.00"), Decimal("40.50"))
    event = AuditEvent.objects.get(action=ACTION)
    assert event.object_id == str(stored.pk)
    assert event.changes["bacs_sort_code"] == ["", "123456"]
    assert event.changes["summons_costs"] == ["0.00", "70.00"]
    assert "country" not in event.changes  # unchanged: england before and after


def test_a_second_change_is_audited_from_the_first(council):
    update(council)
    update(council, summons_costs="£85", billing_authority_name="  Northfield   Council ")
    stored = RevenuesSettings.objects.get()
    assert stored.summons_costs == Decimal("85.00") and stored.billing_authority_name == "Northfield Council"
    latest = AuditEvent.objects.filter(action=ACTION).order_by("-pk").first()
    assert latest.changes == {
        "billing_authority_name": ["Northfield District Council", "Northfield Council"],
        "summons_costs": ["70.00", "85.00"],
    }


def test_only_the_fields_named_change(council):
    update(council)
    revenues_settings_update(tenant=council, changes={"enquiries_phone": "+44 (0)1632 960002"})
    stored = RevenuesSettings.objects.get()
    assert stored.enquiries_phone == "+44 (0)1632 960002"
    assert stored.bacs_service_user_number == "123456" and stored.summons_costs == Decimal("70.00")


def test_the_recovery_practice_is_left_alone(council):
    RevenuesSettings.objects.create(tenant=council, recovery_hearing_after_days=30)
    update(council)
    assert RevenuesSettings.objects.get().recovery_hearing_after_days == 30


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"bacs_service_user_number": "12345"}, "bacs_service_user_number", "6 digits"),
        ({"bacs_service_user_number": "1234567"}, "bacs_service_user_number", "6 digits"),
        ({"bacs_service_user_number": "12345A"}, "bacs_service_user_number", "6 digits"),
        ({"bacs_sort_code": "12-34-5"}, "bacs_sort_code", "6 digits"),
        ({"bacs_sort_code": "12.34.56"}, "bacs_sort_code", "6 digits"),
        ({"bacs_sort_code": "١٢٣٤٥٦"}, "bacs_sort_code", "6 digits"),  # digits, but not ASCII ones
        ({"bacs_account_number": "1234567"}, "bacs_account_number", "8 digits"),
        ({"bacs_account_number": "123456"}, "bacs_account_number", "8 digits"),
        ({"bacs_account_number": "123456789"}, "bacs_account_number", "8 digits"),
        ({"bacs_account_name": "Northfield District C"}, "bacs_account_name", "at most 18"),
        ({"bacs_account_name": "Northfield (DC)"}, "bacs_account_name", "remove ()"),
        ({"bacs_account_name": "Caerdydd Cyngor Ŵ"}, "bacs_account_name", "remove Ŵ"),
        ({"summons_costs": "-1.00"}, "summons_costs", "£0.00 or more"),
        ({"summons_costs": "500.01"}, "summons_costs", "at most £500.00"),
        ({"summons_costs": "70.001"}, "summons_costs", "pounds and pence"),
        ({"summons_costs": "seventy"}, "summons_costs", "Enter an amount"),
        ({"summons_costs": "NaN"}, "summons_costs", "pounds and pence"),
        ({"liability_order_costs": ""}, "liability_order_costs", "or 0.00"),
        ({"liability_order_costs": True}, "liability_order_costs", "Enter an amount"),
        ({"liability_order_costs": "5000"}, "liability_order_costs", "at most £500.00"),
        ({"enquiries_phone": "01632 9600"}, "enquiries_phone", "not a UK phone number"),
        ({"enquiries_phone": "phone us"}, "enquiries_phone", "not a phone number"),
        ({"enquiries_phone": "+33 1 23 45 67 89"}, "enquiries_phone", "not a UK phone number"),
        ({"enquiries_phone": "0" * 31}, "enquiries_phone", "at most 30"),
        ({"billing_authority_name": "x" * 201}, "billing_authority_name", "at most 200"),
        ({"billing_authority_name": "Northfield\x00"}, "billing_authority_name", "control characters"),
        ({"billing_address": "\n".join(["line"] * 9)}, "billing_address", "at most 8 lines"),
        ({"billing_address": "x" * 101}, "billing_address", "at most 100 characters"),
        ({"billing_address": 12}, "billing_address", "Enter text"),
        ({"country": "scotland"}, "country", "England or Wales"),
        ({"country": ""}, "country", "England or Wales"),
        ({"greater_london": "yes"}, "greater_london", "Greater London"),
        ({"country": "wales", "greater_london": True}, "greater_london", "Only a council in England"),
        ({"recovery_hearing_after_days": 30}, "recovery_hearing_after_days", "not a revenues setting"),
    ],
)
def test_a_bad_value_is_refused_on_its_field_and_nothing_changes(council, changes, field, message):
    update(council)
    before = AuditEvent.objects.filter(action=ACTION).count()
    errors = refusal(council, **changes)
    assert message in " ".join(errors[field]), errors
    assert RevenuesSettings.objects.get().bacs_sort_code == "123456"
    assert RevenuesSettings.objects.get().summons_costs == Decimal("70.00")
    assert AuditEvent.objects.filter(action=ACTION).count() == before


@pytest.mark.parametrize(
    ("changes", "field", "stored"),
    [
        ({"bacs_service_user_number": " 123 456 "}, "bacs_service_user_number", "123456"),
        ({"bacs_sort_code": "12 34 56"}, "bacs_sort_code", "123456"),
        ({"bacs_sort_code": "123456"}, "bacs_sort_code", "123456"),
        ({"bacs_account_number": "12-34-56-78"}, "bacs_account_number", "12345678"),
        ({"bacs_account_name": "  northfield  dc "}, "bacs_account_name", "NORTHFIELD DC"),
        ({"bacs_account_name": "A" * 18}, "bacs_account_name", "A" * 18),
        ({"summons_costs": "0"}, "summons_costs", Decimal("0.00")),
        ({"summons_costs": "£500.00"}, "summons_costs", Decimal("500.00")),
        ({"summons_costs": Decimal("12.5")}, "summons_costs", Decimal("12.50")),
        ({"enquiries_phone": "+44 1632 960001"}, "enquiries_phone", "+44 1632 960001"),
        ({"enquiries_phone": "0300 123 4567"}, "enquiries_phone", "0300 123 4567"),
        ({"enquiries_phone": ""}, "enquiries_phone", ""),
        ({"billing_address": " Town Hall \r\n\r\n  Northfield  "}, "billing_address", "Town Hall\nNorthfield"),
        ({"billing_authority_name": ""}, "billing_authority_name", ""),
        ({"greater_london": True}, "greater_london", True),
        ({"country": "wales"}, "country", "wales"),
    ],
)
def test_a_good_value_is_stored_in_its_one_form(council, changes, field, stored):
    update(council, **changes)
    assert getattr(RevenuesSettings.objects.get(), field) == stored


def test_every_problem_is_answered_at_once_each_on_its_field(council):
    errors = refusal(
        council,
        country="france",
        enquiries_phone="12",
        bacs_sort_code="1",
        bacs_account_number="1",
        summons_costs="-5",
        liability_order_costs="x",
    )
    assert set(errors) == {
        "country",
        "enquiries_phone",
        "bacs_sort_code",
        "bacs_account_number",
        "summons_costs",
        "liability_order_costs",
    }
    assert not RevenuesSettings.objects.exists()  # the row made to check against is not kept
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_the_bacs_details_are_all_or_none(council):
    errors = refusal(council, **{**NO_BACS, "bacs_sort_code": "12-34-56"})
    assert set(errors) == {"bacs_service_user_number", "bacs_account_number", "bacs_account_name"}
    assert "all together, or none" in errors["bacs_account_name"][0]
    update(council)
    update(council, **NO_BACS)  # none: the council has stopped collecting by direct debit
    assert RevenuesSettings.objects.get().bacs_service_user_number == ""
    update(council)
    with pytest.raises(ValidationError) as error:
        revenues_settings_update(tenant=council, changes={"bacs_account_name": ""})
    assert set(error.value.message_dict) == {"bacs_account_name"}


def test_a_bad_bacs_field_is_named_once_not_also_as_missing(council):
    errors = refusal(council, bacs_sort_code="12-34")
    assert set(errors) == {"bacs_sort_code"} and len(errors["bacs_sort_code"]) == 1


def test_the_country_may_change_until_a_bill_is_issued(council):
    update(council, country="wales")
    update(council, country="england")
    issue_a_bill(council)
    errors = refusal(council, country="wales")
    assert "bills have been issued on England's council tax bands" in errors["country"][0]
    assert RevenuesSettings.objects.get().country == "england"
    update(council, country="england", summons_costs="71.00")  # the same country is no change
    assert RevenuesSettings.objects.get().summons_costs == Decimal("71.00")


def test_a_bill_issued_before_any_settings_fixes_england(council):
    issue_a_bill(council)
    errors = refusal(council, country="wales")
    assert "country" in errors and not RevenuesSettings.objects.exists()


def test_greater_london_is_for_england_only(council):
    update(council, greater_london=True)
    errors = refusal(council, country="wales", greater_london=True)
    assert set(errors) == {"greater_london"}
    with pytest.raises(ValidationError) as error:  # the stored London setting is checked against the new country
        revenues_settings_update(tenant=council, changes={"country": "wales"})
    assert set(error.value.message_dict) == {"greater_london"}
    update(council, country="wales", greater_london=False)
    assert RevenuesSettings.objects.get().country == "wales"


def test_another_councils_bill_does_not_fix_the_country(tenant_a, tenant_b):
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        issue_a_bill(tenant_b)
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        update(tenant_a, country="wales")
        assert RevenuesSettings.objects.get().country == "wales"


# The page ----------------------------------------------------------------------------------------------------------


def form_data(**changes):
    data = {**GOOD, **changes}
    if data.pop("greater_london"):
        data["greater_london"] = "on"
    return data


@pytest.fixture
def manager(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.manager",)))


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_the_page_shows_the_defaults_then_saves_and_redirects(council, manager):
    page = manager.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="id_country_0"' in text and 'value="england" checked' in text
    assert 'name="summons_costs"' in text and 'value="0.00"' in text
    assert 'data-prevent-double-click="true"' in text
    response = manager.post(PAGE, form_data(greater_london=True))
    assert response.status_code == 302 and response["Location"] == PAGE
    stored = RevenuesSettings.objects.get()
    assert (stored.bacs_sort_code, stored.greater_london, stored.liability_order_costs) == (
        "123456",
        True,
        Decimal("40.50"),
    )
    assert AuditEvent.objects.get(action=ACTION).actor_user_id is not None
    shown = manager.get(PAGE).content.decode()
    assert "are saved" in shown and 'value="Northfield District Council"' in shown
    assert 'id="id_greater_london" name="greater_london" type="checkbox" value="on" checked' in shown
    assert "Town Hall\nMarket Street" in shown


def test_the_same_form_sent_twice_saves_the_same(council, manager):
    assert manager.post(PAGE, form_data()).status_code == 302
    assert manager.post(PAGE, form_data()).status_code == 302
    assert RevenuesSettings.objects.count() == 1
    assert RevenuesSettings.objects.get().summons_costs == Decimal("70.00")


def test_the_page_shows_every_error_in_a_summary_linking_to_its_field(council, manager):
    response = manager.post(PAGE, form_data(country="", bacs_sort_code="12-34", summons_costs="999"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>Error: Council settings" in text
    assert 'class="govuk-error-summary"' in text
    for anchor in ("#id_country_0", "#id_bacs_sort_code", "#id_summons_costs"):
        assert f'<a href="{anchor}">' in text
    assert 'id="id_bacs_sort_code-error"' in text
    assert 'aria-describedby="id_bacs_sort_code-hint id_bacs_sort_code-error"' in text
    assert 'id="id_country-error"' in text and "govuk-form-group--error" in text
    assert 'value="12-34"' in text  # what was typed comes back to be corrected
    assert not RevenuesSettings.objects.exists()


def test_the_page_refuses_a_country_change_after_a_bill(council, manager):
    update(council)
    issue_a_bill(council)
    response = manager.post(PAGE, form_data(country="wales"))
    assert response.status_code == 400
    assert "bills have been issued" in response.content.decode()
    assert RevenuesSettings.objects.get().country == "england"


def test_officers_may_not_see_or_change_the_settings(council, officer):
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, form_data()).status_code == 403
    assert not RevenuesSettings.objects.exists()
    assert f'href="{PAGE}"' not in officer.get("/staff/revenues/").content.decode()


def test_the_page_is_linked_from_the_revenues_home_and_links_the_recovery_settings(council, manager):
    assert f'href="{PAGE}"' in manager.get("/staff/revenues/").content.decode()
    assert 'href="/staff/revenues/recovery/settings/"' in manager.get(PAGE).content.decode()


def test_no_one_outside_the_council_or_without_a_revenues_role(council, make_staff, client_for, tenant_b):
    assert client_for(council).get(PAGE).status_code == 302  # to sign in
    agent = client_for(council, make_staff(council, roles=("crm.agent",)))
    assert agent.get(PAGE).status_code == 403


def test_one_councils_settings_are_never_shown_or_changed_from_anothers_host(
    tenant_a, tenant_b, make_staff, client_for
):
    for tenant, name in ((tenant_a, "Northfield Revenues"), (tenant_b, "Southvale Revenues")):
        with tenant_scope(tenant), acting_as(Actor.system("test")):
            update(tenant, billing_authority_name=name)
    a_manager = make_staff(tenant_a, roles=("revenues.manager",))
    b_manager = make_staff(tenant_b, roles=("revenues.manager",))
    # A's manager on B's host is nobody there: 404, to see or to change.
    assert client_for(tenant_b, a_manager).get(PAGE).status_code == 404
    assert client_for(tenant_b, a_manager).post(PAGE, form_data(summons_costs="1.00")).status_code == 404
    # Each council's manager sees only its own settings, and changes only its own.
    b_page = client_for(tenant_b, b_manager).get(PAGE).content.decode()
    assert "Southvale Revenues" in b_page and "Northfield Revenues" not in b_page
    response = client_for(tenant_b, b_manager).post(PAGE, form_data(billing_authority_name="Southvale BC"))
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        ours = RevenuesSettings.objects.get()
        assert (ours.billing_authority_name, ours.summons_costs) == ("Northfield Revenues", Decimal("70.00"))
        assert AuditEvent.objects.filter(action=ACTION).count() == 1
    with tenant_scope(tenant_b):
        assert RevenuesSettings.objects.get().billing_authority_name == "Southvale BC"
        assert AuditEvent.objects.filter(action=ACTION).count() == 2
