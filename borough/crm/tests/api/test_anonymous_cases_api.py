"""Creating a case through the REST API without a requester, for a service that does not allow anonymous reports:
refused when an API key sends it as a resident's own report (channel web or open311), allowed when staff log it on
someone's behalf or the council's systems record a contact taken by phone, email, SMS or in person."""

import pytest

from borough.crm.models import Case
from borough.crm.tests.api.test_crm_api import CASES, Api, fresh_throttle_budgets, invalid, make_key  # noqa: F401
from borough.crm.tests.case_factories import make_person, make_service
from borough.people.models import Person
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
REFUSAL = (
    "Give the resident's contact details (an email address or a phone number): Council tax enquiry does not take "
    "anonymous reports"
)


@pytest.fixture
def enquiry(catalogue):
    with tenant_scope(catalogue["tenant"]):
        return make_service(catalogue["tenant"], "council-tax", name="Council tax enquiry")


@pytest.fixture
def api(catalogue, client_for):
    tenant = catalogue["tenant"]
    return Api(client_for(tenant), make_key(tenant, "read", "write"))


def a_question(**extra) -> dict:
    return {"service": "council-tax", "description": "Why did my bill go up?", **extra}


def stored(tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return Case.objects.count(), Person.objects.count()


@pytest.mark.parametrize("body", [a_question(), a_question(channel="web"), a_question(channel="open311")])
def test_a_residents_own_report_without_a_requester_is_refused(api, catalogue, enquiry, body):
    assert invalid(api.post(CASES, body)) == {"requester": [REFUSAL]}
    assert stored(catalogue["tenant"]) == (0, 0)


def test_empty_requester_details_are_no_requester(api, catalogue, enquiry):
    body = a_question(requester_details={"email": "", "phone": "", "given_name": ""})
    assert invalid(api.post(CASES, body)) == {"requester": [REFUSAL]}
    assert stored(catalogue["tenant"]) == (0, 0)


@pytest.mark.parametrize(
    "who", [{"requester_details": {"email": "bo@example.org"}}, {"requester_details": {"phone": "07700 900123"}}]
)
def test_a_residents_own_report_with_their_details_is_taken(api, catalogue, enquiry, who):
    response = api.post(CASES, a_question(**who))
    assert response.status_code == 201, response.content
    assert response.json()["requester"] is not None


def test_a_known_requester_is_enough(api, catalogue, enquiry):
    with tenant_scope(catalogue["tenant"]):
        bo = make_person(catalogue["tenant"], email="bo@example.org")
    assert api.post(CASES, a_question(requester=bo.pk)).status_code == 201


@pytest.mark.parametrize("channel", ["phone", "email", "sms", "staff"])
def test_the_councils_systems_may_record_a_contact_without_a_requester(api, catalogue, enquiry, channel):
    response = api.post(CASES, a_question(channel=channel))
    assert response.status_code == 201, response.content
    assert (response.json()["channel"], response.json()["requester"]) == (channel, None)


@pytest.mark.parametrize("channel", ["web", "phone"])
def test_staff_logging_on_someones_behalf_may_leave_out_the_requester(
    catalogue, enquiry, make_staff, client_for, channel
):
    agent = make_staff(catalogue["tenant"], roles=("crm.agent",), username="agent")
    response = Api(client_for(catalogue["tenant"], agent)).post(CASES, a_question(channel=channel))
    assert response.status_code == 201, response.content
    with tenant_scope(catalogue["tenant"]):
        case = Case.objects.get()
    assert (case.requester, case.logged_by) == (None, agent)


def test_a_service_that_allows_it_takes_an_anonymous_web_report(api, catalogue):
    body = {"service": "pothole", "description": "Deep hole", "postcode": "NF1 2AB"}
    response = api.post(CASES, body)
    assert response.status_code == 201, response.content
    assert response.json()["requester"] is None
