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


# Keeping a record up to date (borough.people.edit_views): each factory makes what its URLs need.


@sweep_factory("people:edit", "people:email_add", "people:phone_add", "people:address_add", "people:consent_record")
def a_person_to_change(tenant):
    with acting_as(Actor.system("sweep")):
        person = person_create(tenant=tenant, given_name="Sweep", family_name="Change", email="change@example.com")
    return {"pk": person.pk}


@sweep_factory("people:contact_point_primary", "people:contact_point_remove")
def a_contact_point(tenant):
    from borough.people.services import contact_point_add

    with acting_as(Actor.system("sweep")):
        person = person_create(tenant=tenant, family_name="Sweep", email="first@example.com")
        point = contact_point_add(person=person, kind="email", value="second@example.com")
    return {"pk": person.pk, "contact_point_id": point.pk}


@sweep_factory("people:address_edit", "people:address_primary", "people:address_remove")
def an_address(tenant):
    from borough.people.services import address_add

    with acting_as(Actor.system("sweep")):
        person = person_create(
            tenant=tenant, family_name="Sweep", address={"line_1": "1 Sweep St", "postcode": "NF1 1AA"}
        )
        address = address_add(person=person, line_1="2 Sweep St", postcode="NF1 1AB")
    return {"pk": person.pk, "address_id": address.pk}
