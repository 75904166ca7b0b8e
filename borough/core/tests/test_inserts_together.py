"""borough.core.inserts: rows given to `insert_later` inside `rows_written_together()` are written as the block ends,
in one statement on PostgreSQL, exactly as `insert_row` writes each; an error writes none of them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.forms.models import model_to_dict
from django.utils import timezone

from borough.core import inserts
from borough.core.inserts import insert_later, insert_row, rows_written_together
from borough.core.models import AuditEvent, OutboxMessage
from borough.crm.models import Interaction
from borough.tenancy.models import TenantMismatch
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements_sent(monkeypatch):
    sent = []
    run_prepared = inserts.run_prepared

    def counting(sql, params, **kwargs):
        sent.append(sql)
        return run_prepared(sql, params, **kwargs)

    monkeypatch.setattr(inserts, "run_prepared", counting)
    return sent


MOMENT = timezone.now()


def interaction(tenant, summary: str) -> Interaction:
    return Interaction(
        tenant=tenant, channel="web", direction="in", summary=summary, data={"n": summary}, occurred_at=MOMENT
    )


def audit(tenant, action: str) -> AuditEvent:
    return AuditEvent(tenant=tenant, actor_type="system", actor_label="test", action=action, object_type="x.y")


def test_rows_wait_for_the_end_of_the_block_and_go_in_one_statement_on_postgresql(tenant_a, statements_sent):
    with tenant_scope(tenant_a):
        with rows_written_together():
            first, second = insert_later(interaction(tenant_a, "one")), insert_later(interaction(tenant_a, "two"))
            event = insert_later(audit(tenant_a, "thing.happen"))
            assert (first.pk, second.pk, event.pk) == (None, None, None)  # nothing written yet
            assert statements_sent == []
        assert None not in (first.pk, second.pk, event.pk) and not first._state.adding
        assert len(statements_sent) == (1 if connection.vendor == "postgresql" else 3)
        alone = insert_row(interaction(tenant_a, "one"))  # as insert_row writes the same row on its own
        stored = {row.summary: row for row in Interaction.objects.exclude(pk=alone.pk)}
        assert model_to_dict(stored["one"], exclude=["id"]) == model_to_dict(
            Interaction.objects.get(pk=alone.pk), exclude=["id"]
        )
        assert stored["two"].pk == second.pk and stored["two"].data == {"n": "two"}
        assert AuditEvent.objects.get(pk=event.pk).action == "thing.happen"


def test_outside_a_block_a_row_is_written_at_once(tenant_a):
    with tenant_scope(tenant_a):
        written = insert_later(interaction(tenant_a, "now"))
        assert written.pk is not None and Interaction.objects.filter(pk=written.pk).exists()


def test_the_tenant_is_checked_when_the_row_is_given_and_post_save_is_sent_when_it_is_written(tenant_a, tenant_b):
    seen = []

    def listener(sender, instance, created, **kwargs):
        seen.append((instance.summary, instance.pk is not None, created))

    signals.post_save.connect(listener, sender=Interaction)
    try:
        with tenant_scope(tenant_a), rows_written_together():
            insert_later(interaction(tenant_a, "one"))
            with pytest.raises(TenantMismatch):
                insert_later(interaction(tenant_b, "theirs"))
            insert_later(interaction(tenant_a, "two"))
            assert seen == []
    finally:
        signals.post_save.disconnect(listener, sender=Interaction)
    assert seen == [("one", True, True), ("two", True, True)]


def test_an_exception_in_the_block_writes_none_of_its_rows(tenant_a, statements_sent):
    with tenant_scope(tenant_a):
        with pytest.raises(RuntimeError), rows_written_together():
            insert_later(interaction(tenant_a, "lost"))
            raise RuntimeError("the request failed")
        assert statements_sent == [] and not Interaction.objects.exists()


def test_a_row_the_database_refuses_refuses_the_whole_block(tenant_a):
    with tenant_scope(tenant_a):
        insert_row(OutboxMessage(tenant=tenant_a, kind="email.smtp", idempotency_key="taken", payload={}))
        with pytest.raises(IntegrityError), transaction.atomic(), rows_written_together():
            insert_later(interaction(tenant_a, "with a refused one"))
            insert_later(OutboxMessage(tenant=tenant_a, kind="email.smtp", idempotency_key="taken", payload={}))
        assert not Interaction.objects.exists() and OutboxMessage.objects.count() == 1


def test_the_statement_of_rows_written_together_is_converted_once_not_on_every_run(tenant_a):
    # psycopg converts a statement's placeholders again on every run past 50 parameters unless told otherwise.
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's conversion")
    from psycopg._queries import _query2pg

    def write_twelve() -> None:
        with rows_written_together():
            for number in range(12):  # about 130 parameters
                insert_later(interaction(tenant_a, f"row {number}"))

    with tenant_scope(tenant_a):
        write_twelve()
        before = _query2pg.cache_info()
        write_twelve()
        after = _query2pg.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)
