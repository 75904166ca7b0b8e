"""The pages that keep a record up to date: each a GET form and a POST that redirects to the person page with a
success banner, or answers 400 with an error summary having written nothing; removals ask first."""

import html as html_module
import re

import pytest
from django.urls import reverse

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.people.erasure import person_erase
from borough.people.merge import person_merge
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import address_add, contact_point_add, person_create
from borough.tenancy.scope import tenant_scope

ADDRESS = {"line_1": "1 High Street", "line_2": "", "town": "Northfield", "postcode": "NF1 2AB", "uprn": ""}


def url(name: str, **kwargs) -> str:
    return reverse(f"people:{name}", urlconf="config.urls_tenant", kwargs=kwargs or None)


def error_summary(html: str) -> list[str]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    found = re.findall(r"<a [^>]*>([^<]*)</a>", summary.group(1)) if summary else []
    return [html_module.unescape(message) for message in found]


def banner(response) -> str:
    found = re.search(r'govuk-notification-banner__heading">(.*?)</p>', response.content.decode(), re.S)
    return html_module.unescape(found.group(1)) if found else ""


def in_tenant(tenant, change):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return change()


def audit_actions(tenant) -> list[str]:
    with tenant_scope(tenant):
        return list(
            AuditEvent.objects.filter(action__startswith="person.").order_by("pk").values_list("action", flat=True)
        )


@pytest.fixture
def agent(client_for, tenant_a, agent_a):
    return client_for(tenant_a, agent_a)


@pytest.fixture
def supervisor(client_for, tenant_a, supervisor_a):
    return client_for(tenant_a, supervisor_a)


@pytest.fixture
def ann(tenant_a):
    return in_tenant(
        tenant_a,
        lambda: person_create(
            tenant=tenant_a,
            given_name="Ann",
            family_name="Jones",
            email="ann@example.com",
            address={"line_1": "1 High Street", "postcode": "NF1 2AB"},
        ),
    )


def points(tenant, person) -> list[tuple[str, bool]]:
    with tenant_scope(tenant):
        return list(ContactPoint.objects.filter(person=person).order_by("pk").values_list("normalised", "is_primary"))


def addresses(tenant, person) -> list[tuple[str, bool]]:
    with tenant_scope(tenant):
        return [(str(a), a.is_primary) for a in Address.objects.filter(person=person).order_by("pk")]


# The person page links every change


def test_the_person_page_links_each_change(agent, tenant_a, ann):
    with tenant_scope(tenant_a):
        point, address = ann.contact_points.get(), ann.addresses.get()
    other = in_tenant(tenant_a, lambda: contact_point_add(person=ann, kind="email", value="work@example.com"))
    html = agent.get(url("detail", pk=ann.pk)).content.decode()
    for name, kwargs in [
        ("edit", {}),
        ("email_add", {}),
        ("phone_add", {}),
        ("contact_point_remove", {"contact_point_id": point.pk}),
        ("contact_point_primary", {"contact_point_id": other.pk}),
        ("address_add", {}),
        ("address_edit", {"address_id": address.pk}),
        ("address_remove", {"address_id": address.pk}),
        ("consent_record", {}),
    ]:
        assert url(name, pk=ann.pk, **kwargs) in html, name
    assert url("contact_point_primary", pk=ann.pk, contact_point_id=point.pk) not in html  # already the main one
    assert f"{url('consent_record', pk=ann.pk)}?purpose=surveys" in html


def test_a_closed_record_offers_no_changes(supervisor, tenant_a, ann):
    in_tenant(tenant_a, lambda: person_erase(person=ann, reason="Erasure request ER-1"))
    html = supervisor.get(url("detail", pk=ann.pk)).content.decode()
    for name in ("edit", "email_add", "address_add", "consent_record"):
        assert url(name, pk=ann.pk) not in html


# Details


def test_edit_details(agent, tenant_a, ann):
    page = agent.get(url("edit", pk=ann.pk))
    html = page.content.decode()
    assert page.status_code == 200 and "<title>Change details" in html
    assert 'name="given_name" type="text" value="Ann"' in html and 'name="legal_hold_reason"' not in html
    data = {
        "kind": "person",
        "title": "Dr",
        "given_name": "Anna",
        "family_name": "Jones",
        "organisation_name": "",
        "preferred_channel": "sms",
        "preferred_language": "cy",
        "needs": "Large print",
        "legal_hold_reason": "Ignored: agents may not set a hold",
    }
    response = agent.post(url("edit", pk=ann.pk), data, follow=True)
    assert response.redirect_chain == [(url("detail", pk=ann.pk), 302)]
    assert banner(response) == "Details of Dr Anna Jones saved."
    with tenant_scope(tenant_a):
        ann.refresh_from_db()
        event = AuditEvent.objects.get(action="person.update")
    assert (ann.given_name, ann.preferred_channel, ann.preferred_language, ann.needs) == (
        "Anna",
        "sms",
        "cy",
        "Large print",
    )
    assert ann.legal_hold_reason == "" and "legal_hold_reason" not in event.changes
    assert event.actor_label == "agent-a"


def test_edit_without_a_change_says_so_and_writes_nothing(agent, tenant_a, ann):
    data = {"kind": "person", "given_name": "Ann", "family_name": "Jones", "preferred_channel": "email"}
    response = agent.post(url("edit", pk=ann.pk), {**data, "preferred_language": "en"}, follow=True)
    assert banner(response) == "Nothing was changed."
    assert audit_actions(tenant_a) == ["person.create"]


def test_supervisors_may_set_a_legal_hold(supervisor, tenant_a, ann):
    assert 'name="legal_hold_reason"' in supervisor.get(url("edit", pk=ann.pk)).content.decode()
    data = {"kind": "person", "given_name": "Ann", "family_name": "Jones", "preferred_channel": "email"}
    data |= {"preferred_language": "en", "legal_hold_reason": "Council tax arrears"}
    assert supervisor.post(url("edit", pk=ann.pk), data).status_code == 302
    with tenant_scope(tenant_a):
        assert Person.objects.get(pk=ann.pk).legal_hold_reason == "Council tax arrears"


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"kind": "organisation"}, ["Enter the organisation's name"]),
        ({"given_name": "", "family_name": ""}, ["Enter their first name or last name"]),
        ({"preferred_channel": "fax"}, ["Choose how they prefer to be contacted"]),
        (
            {"kind": "", "preferred_language": ""},
            ["Choose whether this is a person or an organisation", "Choose their preferred language"],
        ),
        ({"family_name": "x" * 101}, ["Use 100 characters or fewer"]),
        ({"needs": "x" * 301}, ["Use 300 characters or fewer"]),
    ],
)
def test_edit_with_bad_input_answers_400_and_writes_nothing(agent, tenant_a, ann, changes, messages):
    data = {"kind": "person", "given_name": "Ann", "family_name": "Jones", "preferred_channel": "email"}
    response = agent.post(url("edit", pk=ann.pk), {**data, "preferred_language": "en", **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary(html) == messages and "<title>Error: Change details" in html
    assert audit_actions(tenant_a) == ["person.create"]


# Contact points


def test_add_an_email_address_and_a_phone_number(agent, tenant_a, ann):
    page = agent.get(url("email_add", pk=ann.pk)).content.decode()
    assert "Add an email address" in page and 'type="email"' in page
    response = agent.post(
        url("email_add", pk=ann.pk), {"value": " Ann.Work@Example.COM ", "is_primary": "on"}, follow=True
    )
    assert banner(response) == "Email address ann.work@example.com added. It is their main email address."
    assert 'type="tel"' in agent.get(url("phone_add", pk=ann.pk)).content.decode()
    response = agent.post(url("phone_add", pk=ann.pk), {"value": "07700 900123"}, follow=True)
    assert banner(response) == "Phone number +447700900123 added. It is their main phone number."
    assert points(tenant_a, ann) == [
        ("ann@example.com", False),
        ("ann.work@example.com", True),
        ("+447700900123", True),
    ]
    assert "07700 900123 <span" in response.content.decode()  # the person page shows it as typed


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("email_add", "", "Enter an email address"),
        ("email_add", "ANN@example.com", "Ann Jones already has ann@example.com"),
        ("email_add", "not-an-email", "'not-an-email' is not an email address: use the form name@example.com"),
        ("email_add", "a" * 250 + "@x.com", "Use 254 characters or fewer"),
        ("phone_add", "", "Enter a phone number"),
        ("phone_add", "123", "'123' is not a phone number: start a UK number with 0 (or +44), like 07700 900123"),
    ],
)
def test_add_a_contact_point_with_bad_input_answers_400(agent, tenant_a, ann, name, value, message):
    response = agent.post(url(name, pk=ann.pk), {"value": value})
    assert response.status_code == 400 and error_summary(response.content.decode()) == [message]
    assert points(tenant_a, ann) == [("ann@example.com", True)]


def test_make_a_contact_point_the_main_one(agent, tenant_a, ann):
    work = in_tenant(tenant_a, lambda: contact_point_add(person=ann, kind="email", value="work@example.com"))
    address = url("contact_point_primary", pk=ann.pk, contact_point_id=work.pk)
    page = agent.get(address)
    assert page.status_code == 200 and "Make work@example.com their main email address?" in page.content.decode()
    response = agent.post(address, follow=True)
    assert banner(response) == "work@example.com is now their main email address."
    assert points(tenant_a, ann) == [("ann@example.com", False), ("work@example.com", True)]


def test_remove_a_contact_point_asks_first(agent, tenant_a, ann):
    in_tenant(tenant_a, lambda: contact_point_add(person=ann, kind="email", value="work@example.com"))
    with tenant_scope(tenant_a):
        main = ann.contact_points.get(is_primary=True)
    address = url("contact_point_remove", pk=ann.pk, contact_point_id=main.pk)
    page = agent.get(address).content.decode()
    assert "Remove ann@example.com?" in page and "their oldest other email address will become the main one" in page
    assert points(tenant_a, ann) == [("ann@example.com", True), ("work@example.com", False)]  # asking wrote nothing
    response = agent.post(address, follow=True)
    assert banner(response) == "ann@example.com removed. work@example.com is now their main email address."
    assert points(tenant_a, ann) == [("work@example.com", True)]


def test_removing_the_last_contact_point_is_allowed_and_said(agent, tenant_a, ann):
    with tenant_scope(tenant_a):
        only = ann.contact_points.get()
    address = url("contact_point_remove", pk=ann.pk, contact_point_id=only.pk)
    page = agent.get(address).content.decode()
    assert "This is the last email address or phone number on record for Ann Jones" in page
    response = agent.post(address, follow=True)
    assert banner(response) == "ann@example.com removed. Ann Jones now has no email address or phone number on record."
    assert points(tenant_a, ann) == []
    assert "No email address or phone number recorded." in response.content.decode()


# Addresses


def test_add_an_address(agent, tenant_a, ann):
    assert agent.get(url("address_add", pk=ann.pk)).status_code == 200
    data = {**ADDRESS, "line_1": "Unit 4", "postcode": "nf3 9zz", "uprn": "100023336956", "is_primary": "on"}
    response = agent.post(url("address_add", pk=ann.pk), data, follow=True)
    assert banner(response) == "Address Unit 4, Northfield, NF3 9ZZ added. It is their main address."
    assert addresses(tenant_a, ann) == [("1 High Street, NF1 2AB", False), ("Unit 4, Northfield, NF3 9ZZ", True)]
    with tenant_scope(tenant_a):
        assert Address.objects.get(line_1="Unit 4").uprn == "100023336956"


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"line_1": "", "postcode": ""}, ["Enter the first line of the address", "Enter a postcode"]),
        ({"postcode": "NF1"}, ["'NF1' is not a UK postcode: enter a postcode like NF1 2AB"]),
        ({"uprn": "10002333695X"}, ["A UPRN is a number of up to 12 digits"]),
        ({"uprn": "1000233369561"}, ["A UPRN is a number of up to 12 digits"]),
        ({"town": "x" * 101}, ["Use 100 characters or fewer"]),
    ],
)
def test_address_pages_with_bad_input_answer_400_and_write_nothing(agent, tenant_a, ann, changes, messages):
    with tenant_scope(tenant_a):
        existing = ann.addresses.get()
    for page in (url("address_add", pk=ann.pk), url("address_edit", pk=ann.pk, address_id=existing.pk)):
        response = agent.post(page, {**ADDRESS, **changes})
        assert response.status_code == 400, page
        assert error_summary(response.content.decode()) == messages
    assert addresses(tenant_a, ann) == [("1 High Street, NF1 2AB", True)]
    assert audit_actions(tenant_a) == ["person.create"]


def test_change_an_address(agent, tenant_a, ann):
    with tenant_scope(tenant_a):
        address = ann.addresses.get()
    page = agent.get(url("address_edit", pk=ann.pk, address_id=address.pk)).content.decode()
    assert 'name="line_1" type="text" value="1 High Street"' in page and 'name="is_primary"' not in page
    data = {**ADDRESS, "line_2": "Flat 2", "postcode": "nf1 2ab"}
    response = agent.post(url("address_edit", pk=ann.pk, address_id=address.pk), data, follow=True)
    assert banner(response) == "Address changed to 1 High Street, Flat 2, Northfield, NF1 2AB."
    assert addresses(tenant_a, ann) == [("1 High Street, Flat 2, Northfield, NF1 2AB", True)]
    assert audit_actions(tenant_a) == ["person.create", "person.address_update"]


def test_make_an_address_main_then_remove_it(agent, tenant_a, ann):
    work = in_tenant(tenant_a, lambda: address_add(person=ann, line_1="Unit 4", postcode="NF3 9ZZ"))
    response = agent.post(url("address_primary", pk=ann.pk, address_id=work.pk), follow=True)
    assert banner(response) == "Unit 4, NF3 9ZZ is now their main address."
    remove = url("address_remove", pk=ann.pk, address_id=work.pk)
    page = agent.get(remove).content.decode()
    assert "Remove Unit 4, NF3 9ZZ?" in page and "This is their main address" in page
    response = agent.post(remove, follow=True)
    assert banner(response) == "Address Unit 4, NF3 9ZZ removed. 1 High Street, NF1 2AB is now their main address."
    assert addresses(tenant_a, ann) == [("1 High Street, NF1 2AB", True)]
    with tenant_scope(tenant_a):
        last = ann.addresses.get()
    page = agent.get(url("address_remove", pk=ann.pk, address_id=last.pk)).content.decode()
    assert "This is the only address on record for Ann Jones" in page
    response = agent.post(url("address_remove", pk=ann.pk, address_id=last.pk), follow=True)
    assert banner(response).endswith("Ann Jones now has no address on record.")
    assert addresses(tenant_a, ann) == []


# Consent


def test_record_consent_shows_it_in_force_and_in_the_history(agent, tenant_a, ann):
    page = agent.get(url("consent_record", pk=ann.pk), {"purpose": "surveys"}).content.decode()
    assert 'name="purpose" type="radio" value="surveys" checked' in page
    data = {"purpose": "surveys", "decision": "given", "channel": "phone", "note": "Happy to help"}
    response = agent.post(url("consent_record", pk=ann.pk), data, follow=True)
    assert banner(response) == "Consent for satisfaction surveys recorded as given."
    data = {"purpose": "surveys", "decision": "withdrawn", "channel": "email", "note": ""}
    response = agent.post(url("consent_record", pk=ann.pk), data, follow=True)
    html = response.content.decode()
    assert banner(response) == "Consent for satisfaction surveys recorded as withdrawn."
    in_force = re.search(r"Satisfaction surveys</th>(.*?)</tr>", html, re.S).group(1)
    assert "Withdrawn" in in_force and "by email (Amy Agent)" in in_force
    assert "Satisfaction surveys given by telephone, recorded by Amy Agent. Happy to help" in html
    with tenant_scope(tenant_a):
        assert list(Consent.objects.order_by("pk").values_list("granted", flat=True)) == [True, False]


def test_record_consent_with_bad_input_answers_400(agent, tenant_a, ann):
    response = agent.post(url("consent_record", pk=ann.pk), {"purpose": "marketing", "note": "x" * 301})
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "Choose one of the purposes",
        "Choose whether they give or withdraw consent",
        "Choose how they told you",
        "Use 300 characters or fewer",
    ]
    with tenant_scope(tenant_a):
        assert not Consent.objects.exists()


# Closed records, other people's and other tenants' objects


@pytest.fixture(params=["merged", "erased"])
def closed(request, tenant_a, ann):
    """Ann's record, closed: merged into another, or erased. Returns it with the message that explains."""
    if request.param == "merged":
        survivor = in_tenant(tenant_a, lambda: person_create(tenant=tenant_a, given_name="Ann", family_name="Jones"))
        in_tenant(tenant_a, lambda: person_merge(survivor=survivor, duplicate=ann))
        return ann, "This record was merged into another: change the record it was merged into"
    in_tenant(tenant_a, lambda: person_erase(person=ann, reason="Erasure request ER-1"))
    return ann, "This record has been anonymised and cannot be changed"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("edit", {"kind": "person", "family_name": "X", "preferred_channel": "email", "preferred_language": "en"}),
        ("email_add", {"value": "new@example.com"}),
        ("phone_add", {"value": "07700 900123"}),
        ("address_add", ADDRESS),
        ("consent_record", {"purpose": "surveys", "decision": "given", "channel": "web"}),
    ],
)
def test_a_closed_record_cannot_be_changed(agent, tenant_a, closed, name, data):
    person, message = closed
    before = audit_actions(tenant_a)
    page = agent.get(url(name, pk=person.pk))
    html = page.content.decode()
    assert page.status_code == 200 and message in html and '<form method="post" novalidate>' not in html
    response = agent.post(url(name, pk=person.pk), data)
    assert response.status_code == 400 and error_summary(response.content.decode()) == [message]
    assert audit_actions(tenant_a) == before


def test_parts_of_a_merged_record_moved_with_it(agent, tenant_a, ann):
    """After a merge the duplicate's contact points and addresses belong to the survivor: not found on its URLs."""
    with tenant_scope(tenant_a):
        point, address = ann.contact_points.get(), ann.addresses.get()
    survivor = in_tenant(tenant_a, lambda: person_create(tenant=tenant_a, family_name="Jones"))
    in_tenant(tenant_a, lambda: person_merge(survivor=survivor, duplicate=ann))
    assert agent.post(url("contact_point_remove", pk=ann.pk, contact_point_id=point.pk)).status_code == 404
    assert agent.post(url("address_remove", pk=ann.pk, address_id=address.pk)).status_code == 404
    assert points(tenant_a, survivor) == [("ann@example.com", True)]


def test_another_persons_or_tenants_parts_are_not_found(agent, tenant_a, tenant_b, ann):
    bob = in_tenant(tenant_a, lambda: person_create(tenant=tenant_a, family_name="Bob", email="bob@example.com"))
    theirs = in_tenant(tenant_b, lambda: person_create(tenant=tenant_b, family_name="B", email="b@example.com"))
    for owner, tenant in ((bob, tenant_a), (theirs, tenant_b)):
        with tenant_scope(tenant):
            point = owner.contact_points.get()
            address = in_tenant(tenant, lambda owner=owner: address_add(person=owner, **ADDRESS))
        for name, kwargs in [
            ("contact_point_primary", {"contact_point_id": point.pk}),
            ("contact_point_remove", {"contact_point_id": point.pk}),
            ("address_edit", {"address_id": address.pk}),
            ("address_primary", {"address_id": address.pk}),
            ("address_remove", {"address_id": address.pk}),
        ]:
            assert agent.get(url(name, pk=ann.pk, **kwargs)).status_code == 404, name
            assert agent.post(url(name, pk=ann.pk, **kwargs), ADDRESS).status_code == 404, name
    assert points(tenant_a, bob) == [("bob@example.com", True)]
    assert points(tenant_b, theirs) == [("b@example.com", True)]


def test_the_change_pages_need_a_crm_role(client_for, tenant_a, make_staff, ann):
    admin = client_for(tenant_a, make_staff(tenant_a, ("tenant.admin",), username="only-admin"))
    for name in ("edit", "email_add", "phone_add", "address_add", "consent_record"):
        assert admin.get(url(name, pk=ann.pk)).status_code == 403
        assert admin.post(url(name, pk=ann.pk), {"value": "x@example.com"}).status_code == 403
    assert audit_actions(tenant_a) == ["person.create"]
