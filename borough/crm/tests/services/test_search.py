"""Case search by each kind of query, and the desk's queues. Each search kind is an exact or prefix lookup on an
index (checked on PostgreSQL by reading the SQL: no pattern starts with a wildcard)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borough.crm.selectors import case_queue, case_search, search_kind
from borough.crm.services import case_assign
from borough.crm.tests.case_factories import make_person, new_case
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(catalogue, tenant_b):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant):
        jane = make_person(
            tenant,
            phone="07700 900123",
            address={"line_1": "1 High Street", "town": "Northfield", "postcode": "NF1 2AB"},
        )
        omar = make_person(tenant, given_name="Omar", family_name="O'Neill", email="omar@example.org")
        bin_case = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane)
        pothole = new_case(tenant, catalogue["pothole"], requester=omar, postcode="NF3 9ZZ")
        second = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "recycling"}, requester=jane)
        anonymous = new_case(tenant, catalogue["pothole"], postcode="NF1 2AB")
    with tenant_scope(tenant_b):
        # The same email and postcode in another tenant must never show up.
        make_person(tenant_b, email="jane.smith@example.org")
    return {**catalogue, "bin": bin_case, "pothole": pothole, "second": second, "anonymous": anonymous}


def found(context, query):
    with tenant_scope(context["tenant"]):
        return [case.reference for case in case_search(tenant=context["tenant"], query=query)]


def refs(context, *names):
    return [context[name].reference for name in names]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("{bin}", ["bin"]),
        ("{bin_lower}", ["bin"]),  # any case
        ("{prefix}-1", ["bin"]),  # without the leading zeros
        ("{prefix} 000002", ["pothole"]),
        ("{prefix}-999999", []),
        ("jane.smith@example.org", ["second", "bin"]),  # newest first
        ("  JANE.Smith@Example.ORG ", ["second", "bin"]),
        ("07700 900123", ["second", "bin"]),
        ("+44 7700 900123", ["second", "bin"]),
        ("nf1 2ab", ["anonymous", "second", "bin"]),  # the case's postcode, or the requester's address
        ("NF3 9ZZ", ["pothole"]),
        ("jane", ["second", "bin"]),
        ("Jane Sm", ["second", "bin"]),
        ("smith", ["second", "bin"]),  # the start of the family name
        ("oneill", []),
        ("o'neill", ["pothole"]),
        ("omar o'n", ["pothole"]),
        ("mith", []),  # never the middle of a name
        ("nobody@example.org", []),
        ("", []),
        ("   ", []),
    ],
)
def test_search(people, query, names):
    prefix = people["tenant"].reference_prefix
    query = query.format(prefix=prefix, bin=people["bin"].reference, bin_lower=people["bin"].reference.lower())
    assert found(people, query) == refs(people, *names)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("NFD-000001", "reference"),
        ("a@b.org", "email"),
        ("01632 960001", "phone"),
        ("NF1 2AB", "postcode"),
        ("NF1", "name"),  # an outward code alone is not a postcode
        ("Smith", "name"),
    ],
)
def test_search_kind(people, query, kind):
    tenant = people["tenant"]
    tenant.reference_prefix = "NFD"
    assert search_kind(tenant, query)[0] == kind


@pytest.mark.parametrize("query", ["{bin}", "jane.smith@example.org", "07700900123", "NF1 2AB", "jane sm", "smith"])
def test_search_uses_no_leading_wildcard(people, on_postgres, query):
    query = query.format(bin=people["bin"].reference)
    with tenant_scope(people["tenant"]), CaptureQueriesContext(connection) as queries:
        case_search(tenant=people["tenant"], query=query)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "LIKE '%" not in sql and "UPPER(" not in sql and "LOWER(" not in sql


def test_queues(people, make_staff):
    tenant = people["tenant"]
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    with tenant_scope(tenant):
        case_assign(case=people["bin"], user=agent)
        assert [c.pk for c in case_queue(tenant=tenant, queue="mine", user=agent)] == [people["bin"].pk]
        waste = {c.pk for c in case_queue(tenant=tenant, queue="team:waste")}
        assert waste == {people["bin"].pk, people["second"].pk}
        assert people["bin"].pk not in {c.pk for c in case_queue(tenant=tenant, queue="unassigned")}
        assert list(case_queue(tenant=tenant, queue="triage")) == []
        for bad in ("everything", "team:nobody"):
            with pytest.raises(ValidationError):
                case_queue(tenant=tenant, queue=bad)
        with pytest.raises(ValidationError, match="signed-in user"):
            case_queue(tenant=tenant, queue="mine")
        queue = case_queue(tenant=tenant, queue="unassigned")
        with CaptureQueriesContext(connection) as queries:
            rows = [(c.service.name, c.team.name, c.requester and c.requester.display_name) for c in queue]
        assert len(rows) == 3 and len(queries) <= 4  # the cases with their requesters, then one query per small table
