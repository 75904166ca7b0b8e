"""Objects of a tenant that the people URLs point at, for the isolation sweep (borough.tenancy.sweep)."""

from borough.core.audit import Actor, acting_as
from borough.people.services import person_create
from borough.tenancy.sweep import sweep_factory


@sweep_factory(
    "people:detail",
    "people:merge",
    "people:unmerge",
    "people:export_json",
    "people:export_pdf",
    "people:erase",
)
def a_person(tenant):
    with acting_as(Actor.system("sweep")):
        person = person_create(tenant=tenant, given_name="Sweep", family_name="Probe", email="probe@example.com")
    return {"pk": person.pk}
