"""Open311 service request updates posted again: FixMyStreet sends its own update_id and retries when an answer
times out. The same update again gets the first answer and writes nothing; the same id with other fields is refused;
two attempts at once (PostgreSQL) record one update."""

import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.core.models import AuditEvent, OutboxMessage
from borough.core.tests.test_references import run_together
from borough.crm.models import Case, CaseAttachment, CaseEvent, Interaction
from borough.crm.open311 import updates
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.test_open311_fixmystreet import fms_update, fms_update_id
from borough.crm.tests.test_open311_fixtures import (
    JPEG,
    add_catalogue,
    as_json,
    error_descriptions,
    make_case,
    make_key,
)
from borough.tenancy.scope import tenant_scope

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key
UPDATES = "/open311/v2/servicerequestupdates.xml"


def written(tenant) -> dict[str, int]:
    """How many rows of everything an update can write."""
    with tenant_scope(tenant):
        return {
            "events": CaseEvent.objects.count(),
            "interactions": Interaction.objects.count(),
            "outbox": OutboxMessage.objects.count(),
            "attachments": CaseAttachment.objects.count(),
            "audit": AuditEvent.objects.filter(tenant=tenant).count(),
        }


@pytest.fixture
def pothole(tenant_a, catalogue):
    return make_case(tenant_a, catalogue.pothole)


def test_a_retried_update_gets_the_first_answer_and_writes_nothing(api, tenant_a, pothole, open311_key):
    fields = fms_update(open311_key, pothole.reference)
    first = api.post(UPDATES, fields)
    assert first.status_code == 201
    before = written(tenant_a)
    again = api.post(UPDATES, fields)
    assert again.status_code == 200  # nothing new was made
    assert fms_update_id(again) == fms_update_id(first)
    assert written(tenant_a) == before
    with tenant_scope(tenant_a):
        event = CaseEvent.objects.get(pk=fms_update_id(first))
    assert (event.kind, event.open311_update_id) == ("resident", "9876")


def test_a_retried_fixed_update_does_not_add_a_comment_to_the_resolved_case(api, tenant_a, pothole, open311_key):
    fields = fms_update(open311_key, pothole.reference, status="FIXED", description="Fixed today, thanks")
    first = fms_update_id(api.post(UPDATES, fields))
    before = written(tenant_a)
    # A client may stamp its retry afresh: the time it was sent does not make it another update.
    fields["updated_datetime"] = timezone.now().replace(microsecond=0).isoformat()
    assert fms_update_id(api.post(UPDATES, fields)) == first
    assert written(tenant_a) == before
    with tenant_scope(tenant_a):
        assert Case.objects.get(pk=pothole.pk).status == Case.Status.RESOLVED
        assert not CaseEvent.objects.filter(case=pothole, kind="note", body__startswith="Comment").exists()


def test_a_retried_update_with_a_photo_keeps_one_photo(api, tenant_a, pothole, open311_key):
    def with_photo():
        photo = SimpleUploadedFile("c.0.full.jpeg", JPEG, "image/jpeg")
        return fms_update(open311_key, pothole.reference, photo1=photo)

    first = fms_update_id(api.post(UPDATES, with_photo()))
    assert fms_update_id(api.post(UPDATES, with_photo())) == first
    with tenant_scope(tenant_a):
        assert CaseAttachment.objects.filter(case=pothole).count() == 1


def test_a_retry_in_json_answers_the_same(api, tenant_a, pothole, open311_key):
    fields = fms_update(open311_key, pothole.reference)
    first = api.post("/open311/v2/servicerequestupdates.json", fields)
    again = api.post("/open311/v2/servicerequestupdates.json", fields)
    assert (first.status_code, again.status_code) == (201, 200)
    assert as_json(again) == as_json(first)


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "It is even bigger now"},
        {"status": "FIXED"},
        {"email": "someone.else@example.org"},
        {"media_url": "https://www.fixmystreet.com/photo/c/1.jpeg"},
        {"photo1": SimpleUploadedFile("other.jpeg", JPEG + b"\x01", "image/jpeg")},
    ],
    ids=["description", "status", "author", "media_url", "photo"],
)
def test_the_same_update_id_with_other_fields_is_refused(api, tenant_a, pothole, open311_key, changes):
    fields = fms_update(open311_key, pothole.reference)
    first = fms_update_id(api.post(UPDATES, fields))
    before = written(tenant_a)
    response = api.post(UPDATES, {**fields, **changes})
    assert response.status_code == 400
    [(_code, description)] = error_descriptions(response, "xml")
    assert "update_id '9876' has already been used for a different update" in description
    assert written(tenant_a) == before
    assert fms_update_id(api.post(UPDATES, fields)) == first  # the true retry is still answered


def test_the_same_update_id_for_another_request_is_refused(api, tenant_a, catalogue, pothole, open311_key):
    other = make_case(tenant_a, catalogue.pothole, description="Another hole")
    fms_update_id(api.post(UPDATES, fms_update(open311_key, pothole.reference)))
    before = written(tenant_a)
    response = api.post(UPDATES, fms_update(open311_key, other.reference))
    assert response.status_code == 400
    assert "already been used for a different update" in error_descriptions(response, "xml")[0][1]
    assert written(tenant_a) == before


def test_update_ids_belong_to_their_tenant(api, tenant_a, tenant_b, pothole, open311_key, client_for):
    theirs = make_case(tenant_b, add_catalogue(tenant_b).pothole)
    ours = api.post(UPDATES, fms_update(open311_key, pothole.reference))
    other = client_for(tenant_b).post(
        UPDATES, {**fms_update(make_key(tenant_b), theirs.reference), "jurisdiction_id": ""}
    )
    assert (ours.status_code, other.status_code) == (201, 201)
    with tenant_scope(tenant_b):
        assert CaseEvent.objects.get(pk=fms_update_id(other)).case_id == theirs.pk


def test_without_an_update_id_every_post_is_a_new_update(api, tenant_a, pothole, open311_key):
    fields = fms_update(open311_key, pothole.reference, update_id="")
    first, second = (fms_update_id(api.post(UPDATES, fields)) for _ in range(2))
    assert first != second
    with tenant_scope(tenant_a):
        assert not CaseEvent.objects.exclude(open311_update_id="").exists()


def test_an_update_id_too_long_is_refused(api, tenant_a, pothole, open311_key):
    response = api.post(UPDATES, fms_update(open311_key, pothole.reference, update_id="9" * 101))
    assert response.status_code == 400
    assert "update_id may have at most 100 characters" in error_descriptions(response, "xml")[0][1]
    with tenant_scope(tenant_a):
        assert not CaseEvent.objects.filter(case=pothole, kind="resident").exists()


def test_the_database_refuses_a_second_event_with_the_same_update_id(tenant_a, pothole):
    def note(update_id: str) -> CaseEvent:
        return CaseEvent.objects.create(
            tenant=tenant_a, case=pothole, kind="note", actor_label="test", open311_update_id=update_id
        )

    with tenant_scope(tenant_a):
        note("9876")
        note("")
        note("")  # events that answer no update are many
        with pytest.raises(IntegrityError), transaction.atomic():
            note("9876")


def test_an_attempt_that_loses_the_race_is_answered_with_the_winners_update(api, tenant_a, pothole, open311_key):
    """Its lookup ran before the first attempt committed (the case lock usually prevents that): the database
    refuses its update_id, its writes are rolled back, and it is answered with the first attempt's update."""
    fields = fms_update(open311_key, pothole.reference)
    first = fms_update_id(api.post(UPDATES, fields))
    before = written(tenant_a)
    lookup, lookups = updates._recorded_update, []

    def too_early_the_first_time(**kwargs):
        lookups.append(kwargs)
        return None if len(lookups) == 1 else lookup(**kwargs)

    with mock.patch.object(updates, "_recorded_update", too_early_the_first_time):
        again = api.post(UPDATES, fields)
    assert len(lookups) == 2
    assert (again.status_code, fms_update_id(again)) == (200, first)
    assert written(tenant_a) == before


# Two attempts at once (PostgreSQL: SQLite runs one writing transaction at a time)


def slowly(apply_update):
    """apply_update taking its time, so the other attempt arrives while this one is at work."""

    def slow_apply_update(**kwargs):
        event = apply_update(**kwargs)
        time.sleep(0.3)
        return event

    return slow_apply_update


def post_in_a_thread(client_for, tenant, fields, answers: list):
    def post():
        answers.append(client_for(tenant).post(UPDATES, fields))

    return post


@pytest.mark.django_db(transaction=True)
def test_two_attempts_at_once_record_one_update(on_postgres, tenant_a, pothole, open311_key, client_for):
    answers = []
    post = post_in_a_thread(client_for, tenant_a, fms_update(open311_key, pothole.reference), answers)
    with mock.patch.object(updates, "apply_update", slowly(updates.apply_update)):
        assert run_together(post, post) == []
    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert len({fms_update_id(answer) for answer in answers}) == 1
    with tenant_scope(tenant_a):
        assert CaseEvent.objects.filter(case=pothole, kind="resident").count() == 1
        assert Interaction.objects.filter(case=pothole, direction="in").count() == 2  # the report and the update


@pytest.mark.django_db(transaction=True)
def test_one_update_id_for_two_requests_at_once_is_recorded_once(
    on_postgres, tenant_a, catalogue, pothole, open311_key, client_for
):
    other = make_case(tenant_a, catalogue.pothole, description="Another hole")
    answers = []
    posts = [
        post_in_a_thread(client_for, tenant_a, fms_update(open311_key, case.reference), answers)
        for case in (pothole, other)
    ]
    with mock.patch.object(updates, "apply_update", slowly(updates.apply_update)):
        assert run_together(*posts) == []
    assert sorted(answer.status_code for answer in answers) == [201, 400]
    [refused] = [answer for answer in answers if answer.status_code == 400]
    assert "already been used for a different update" in error_descriptions(refused, "xml")[0][1]
    with tenant_scope(tenant_a):
        assert CaseEvent.objects.filter(kind="resident").count() == 1
        assert CaseEvent.objects.filter(open311_update_id="9876").count() == 1
