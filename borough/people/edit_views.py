"""Staff pages that keep a person's record up to date: their details, contact points, addresses and consent.

Each change is its own small page: GET shows the form (or the question, for a removal), POST calls the service and
redirects to the person page with a success banner, or answers 400 with an error summary, having written nothing.
A merged-away or anonymised record shows why it cannot be changed instead of a form.

Objects are found through the scoped managers and must belong to the person in the URL, so another tenant's (or
another person's) contact point or address answers 404 like one that does not exist.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from borough.identity.permissions import staff_view
from borough.people import services
from borough.people.forms import (
    AddressAddForm,
    AddressForm,
    ConsentForm,
    ContactPointAddForm,
    PersonEditForm,
    add_service_errors,
)
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.views import CRM_ROLES, SUPERVISOR
from borough.staff.views import render_staff


def _person(pk: int) -> Person:
    return get_object_or_404(Person.objects.select_related("merged_into"), pk=pk)


def _contact_point(person: Person, contact_point_id: int) -> ContactPoint:
    return get_object_or_404(ContactPoint, person=person, pk=contact_point_id)


def _address(person: Person, address_id: int) -> Address:
    return get_object_or_404(Address, person=person, pk=address_id)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _change_page(request, person: Person, template: str, form: forms.Form, perform: Callable[[dict], str], **context):
    """GET: the page. POST: `perform` (a service call answering the success message), then back to the person."""
    refusal = services.inactive_reason(person)
    context = {"person": person, "form": form, "refusal": refusal, **context}
    if request.method != "POST":
        return render_staff(request, template, context)
    if refusal:
        # Nothing to validate: the record is closed. An empty form carries the message to the error summary.
        context["form"] = forms.Form({})
        context["form"].add_error(None, refusal)
    elif form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("people:detail", pk=person.pk)
    return render_staff(request, template, context, status=400)


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    person = _person(pk)
    may_set_legal_hold = bool(request.roles & set(SUPERVISOR))
    form = PersonEditForm(_posted(request), person=person, may_set_legal_hold=may_set_legal_hold)

    def perform(data) -> str:
        if not form.has_changed():
            return "Nothing was changed."
        updated = services.person_update(person=person, **form.service_arguments())
        return f"Details of {updated.display_name} saved."

    return _change_page(request, person, "people/edit/details.html", form, perform, heading="Change details")


def _contact_point_add(request, pk: int, kind: str):
    person = _person(pk)
    form = ContactPointAddForm(_posted(request), kind=kind)
    label, named = ContactPointAddForm.LABELS[kind][:2]

    def perform(data) -> str:
        point = services.contact_point_add(person=person, kind=kind, value=data["value"], is_primary=data["is_primary"])
        main = f" It is their main {label.lower()}." if point.is_primary else ""
        return f"{label} {point.normalised} added.{main}"

    return _change_page(request, person, "people/edit/contact_point_add.html", form, perform, heading=f"Add {named}")


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def email_add(request, pk: int):
    return _contact_point_add(request, pk, ContactPoint.Kind.EMAIL)


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def phone_add(request, pk: int):
    return _contact_point_add(request, pk, ContactPoint.Kind.PHONE)


def _kind_label(point: ContactPoint) -> str:
    return ContactPointAddForm.LABELS[point.kind][0].lower()


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def contact_point_primary(request, pk: int, contact_point_id: int):
    person = _person(pk)
    point = _contact_point(person, contact_point_id)
    label = _kind_label(point)

    def perform(data) -> str:
        services.contact_point_make_primary(contact_point=point)
        return f"{point.normalised} is now their main {label}."

    heading = f"Make {point.value} their main {label}?"
    context = {"heading": heading, "button": f"Make it their main {label}", "point": point}
    return _change_page(request, person, "people/edit/confirm.html", forms.Form(_posted(request)), perform, **context)


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def contact_point_remove(request, pk: int, contact_point_id: int):
    person = _person(pk)
    point = _contact_point(person, contact_point_id)
    label = _kind_label(point)
    others = ContactPoint.objects.filter(person=person).exclude(pk=point.pk)

    def perform(data) -> str:
        successor = services.contact_point_remove(contact_point=point)
        message = f"{point.normalised} removed."
        if successor is not None:
            message += f" {successor.normalised} is now their main {label}."
        if not ContactPoint.objects.filter(person=person).exists():
            message += f" {person.display_name} now has no email address or phone number on record."
        return message

    context = {
        "heading": f"Remove {point.value}?",
        "button": f"Yes, remove this {label}",
        "warning": _contact_point_warning(person, point, label, others),
        "point": point,
        "removal": True,
    }
    return _change_page(request, person, "people/edit/confirm.html", forms.Form(_posted(request)), perform, **context)


def _contact_point_warning(person: Person, point: ContactPoint, label: str, others) -> str:
    """What removing `point` leaves the record without, said before it is removed."""
    if not others.exists():
        return (
            f"This is the last email address or phone number on record for {person.display_name}. You may still "
            "remove it, but they could then not be reached by email, telephone or text message."
        )
    if not others.filter(kind=point.kind).exists():
        return f"This is their only {label}."
    if point.is_primary:
        return f"This is their main {label}: their oldest other {label} will become the main one."
    return ""


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def address_add(request, pk: int):
    person = _person(pk)
    form = AddressAddForm(_posted(request))

    def perform(data) -> str:
        address = services.address_add(person=person, **form.service_arguments())
        return f"Address {address} added." + (" It is their main address." if address.is_primary else "")

    return _change_page(request, person, "people/edit/address.html", form, perform, heading="Add an address")


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def address_edit(request, pk: int, address_id: int):
    person = _person(pk)
    address = _address(person, address_id)
    initial = {name: getattr(address, name) for name in AddressForm.base_fields}
    form = AddressForm(_posted(request), initial=initial)

    def perform(data) -> str:
        if not form.has_changed():
            return "Nothing was changed."
        return f"Address changed to {services.address_update(address=address, **form.service_arguments())}."

    return _change_page(request, person, "people/edit/address.html", form, perform, heading="Change an address")


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def address_primary(request, pk: int, address_id: int):
    person = _person(pk)
    address = _address(person, address_id)

    def perform(data) -> str:
        services.address_make_primary(address=address)
        return f"{address} is now their main address."

    context = {"heading": f"Make {address} their main address?", "button": "Make it their main address"}
    return _change_page(request, person, "people/edit/confirm.html", forms.Form(_posted(request)), perform, **context)


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def address_remove(request, pk: int, address_id: int):
    person = _person(pk)
    address = _address(person, address_id)
    others = Address.objects.filter(person=person).exclude(pk=address.pk)
    if not others.exists():
        warning = f"This is the only address on record for {person.display_name}: letters could not be sent."
    elif address.is_primary:
        warning = "This is their main address: their oldest other address will become the main one."
    else:
        warning = ""

    def perform(data) -> str:
        successor = services.address_remove(address=address)
        message = f"Address {address} removed."
        if successor is not None:
            message += f" {successor} is now their main address."
        if not others.exists():
            message += f" {person.display_name} now has no address on record."
        return message

    context = {"heading": f"Remove {address}?", "button": "Yes, remove this address", "warning": warning}
    context["removal"] = True
    return _change_page(request, person, "people/edit/confirm.html", forms.Form(_posted(request)), perform, **context)


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def consent_record(request, pk: int):
    person = _person(pk)
    form = ConsentForm(_posted(request))
    purpose = request.GET.get("purpose", "")
    if request.method != "POST" and purpose in Consent.Purpose.values:
        form.initial["purpose"] = purpose  # the person page's "change" link of one purpose

    def perform(data) -> str:
        consent = services.consent_record(person=person, **form.service_arguments())
        decision = "given" if consent.granted else "withdrawn"
        return f"Consent for {consent.get_purpose_display().lower()} recorded as {decision}."

    return _change_page(request, person, "people/edit/consent.html", form, perform, heading="Record consent")
