"""Services, service definitions, requests and updates as the spec's fields (in the spec's order)."""

from django.urls import reverse

from borough.crm.models import ServiceQuestion
from borough.crm.open311.formats import w3c
from borough.crm.open311.statuses import extended_status, open311_status

DATATYPES = {
    ServiceQuestion.Kind.TEXT: "text",
    ServiceQuestion.Kind.NUMBER: "number",
    ServiceQuestion.Kind.DATETIME: "datetime",
    ServiceQuestion.Kind.SINGLE_CHOICE: "singlevaluelist",
    ServiceQuestion.Kind.MULTI_CHOICE: "multivaluelist",
}
LIST_KINDS = {ServiceQuestion.Kind.SINGLE_CHOICE, ServiceQuestion.Kind.MULTI_CHOICE}


def service_dict(service, *, has_questions: bool) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": has_questions,
        "type": "realtime",
        "keywords": ", ".join(service.keyword_list),
        "group": service.group,
    }


def attribute_dict(question) -> dict:
    attribute = {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES.get(question.kind, "string"),
        "required": question.required,
        "datatype_description": question.hint,
        "order": question.order,
        "description": question.prompt,
    }
    if question.kind in LIST_KINDS:
        attribute["values"] = [
            {"key": str(choice.get("key", "")), "name": str(choice.get("name", ""))} for choice in question.choices
        ]
    return attribute


def service_definition_dict(service, questions) -> dict:
    return {"service_code": service.code, "attributes": [attribute_dict(q) for q in questions]}


def media_url(request, case) -> str:
    photos = getattr(case, "public_photos", [])
    if not photos:
        return ""
    path = reverse("open311:media", kwargs={"reference": case.reference, "attachment_id": photos[0].pk})
    return request.build_absolute_uri(path)


def request_dict(request, case) -> dict:
    updates = getattr(case, "public_updates", [])
    return {
        "service_request_id": case.reference,
        "status": open311_status(case.status),
        "status_notes": updates[0].body if updates else "",
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.description,
        "agency_responsible": case.team.name if case.team_id else request.tenant.name,
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at),
        "address": case.address,
        "address_id": case.uprn,
        "zipcode": case.postcode,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": media_url(request, case),
    }


def update_dict(event, status: str, *, is_duplicate: bool) -> dict:
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.reference,
        "status": extended_status(status, is_duplicate=is_duplicate),
        "updated_datetime": w3c(event.occurred_at),
        "description": event.body if event.is_public else "",
        "media_url": "",
        "external_status_code": status,
    }
