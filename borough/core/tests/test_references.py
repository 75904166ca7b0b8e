import threading
import time

import pytest
from django.db import connection, transaction

from borough.core.models import ReferenceCounter
from borough.core.references import TransactionRequired, reference_next
from borough.tenancy.models import TenantMismatch
from borough.tenancy.scope import tenant_scope


def take(tenant, sequence="case") -> str:
    with tenant_scope(tenant), transaction.atomic():
        return reference_next(tenant=tenant, sequence=sequence)


def test_references_count_up_with_the_tenant_prefix(tenant_a):
    prefix = tenant_a.reference_prefix
    assert [take(tenant_a) for _ in range(3)] == [f"{prefix}-000001", f"{prefix}-000002", f"{prefix}-000003"]


def test_each_sequence_and_each_tenant_counts_on_its_own(tenant_a, tenant_b):
    a, b = tenant_a.reference_prefix, tenant_b.reference_prefix
    assert a != b
    assert take(tenant_a) == f"{a}-000001"
    assert take(tenant_a) == f"{a}-000002"
    assert take(tenant_b) == f"{b}-000001"
    assert take(tenant_a, "bill") == f"{a}-000001"
    assert take(tenant_a) == f"{a}-000003"
    with tenant_scope(tenant_a):
        assert dict(ReferenceCounter.objects.values_list("sequence", "last_value")) == {"case": 3, "bill": 1}


def test_a_rolled_back_transaction_gives_its_number_back(tenant_a):
    prefix = tenant_a.reference_prefix
    assert take(tenant_a) == f"{prefix}-000001"
    with (
        pytest.raises(RuntimeError, match="could not be saved"),
        tenant_scope(tenant_a),
        transaction.atomic(),
    ):
        assert reference_next(tenant=tenant_a) == f"{prefix}-000002"
        raise RuntimeError("the case could not be saved")
    assert take(tenant_a) == f"{prefix}-000002"


def test_a_rolled_back_first_use_leaves_no_counter(tenant_a):
    with pytest.raises(RuntimeError), tenant_scope(tenant_a), transaction.atomic():
        reference_next(tenant=tenant_a, sequence="order")
        raise RuntimeError
    assert take(tenant_a, "order") == f"{tenant_a.reference_prefix}-000001"


def test_references_grow_past_six_digits(tenant_a):
    take(tenant_a)
    with tenant_scope(tenant_a):
        ReferenceCounter.objects.filter(sequence="case").update(last_value=999_999)
    assert take(tenant_a) == f"{tenant_a.reference_prefix}-1000000"


@pytest.mark.django_db(transaction=True)  # an ordinary test runs inside a transaction already
def test_a_reference_outside_a_transaction_is_refused(tenant_a):
    with tenant_scope(tenant_a), pytest.raises(TransactionRequired, match="inside transaction.atomic"):
        reference_next(tenant=tenant_a)


@pytest.mark.parametrize("sequence", ["", "Case", "1case", "case number", "x" * 41, None])
def test_a_bad_sequence_name_is_refused(tenant_a, sequence):
    with (
        tenant_scope(tenant_a),
        transaction.atomic(),
        pytest.raises(ValueError, match="is not a sequence name"),
    ):
        reference_next(tenant=tenant_a, sequence=sequence)


def test_a_reference_for_another_tenant_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b), transaction.atomic(), pytest.raises(TenantMismatch, match="tenant_scope"):
        reference_next(tenant=tenant_a)
    with transaction.atomic(), pytest.raises(TenantMismatch, match="tenant_scope"):
        reference_next(tenant=tenant_a)
    with tenant_scope(tenant_b):
        assert not ReferenceCounter.objects.exists()
    with tenant_scope(tenant_a):
        assert not ReferenceCounter.objects.exists()


def run_together(*works) -> list[BaseException]:
    """Run each of `works` in its own thread, all at once, each closing its own connection at its end.

    Returns the errors the threads raised (none, when all went well).
    """
    start = threading.Barrier(len(works))
    errors: list[BaseException] = []

    def thread_main(work):
        try:
            start.wait()
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_main, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_references_are_distinct_and_consecutive(on_postgres, tenant_a):
    references: list[str] = []

    def work():
        with tenant_scope(tenant_a):  # a thread starts with no scope of its own
            for _ in range(25):
                with transaction.atomic():
                    references.append(reference_next(tenant=tenant_a))

    assert run_together(*[work] * 4) == []
    prefix = tenant_a.reference_prefix
    assert sorted(references) == [f"{prefix}-{n:06d}" for n in range(1, 101)]


@pytest.mark.django_db(transaction=True)
def test_a_first_use_racing_another_waits_for_it(on_postgres, tenant_a):
    """B asks while A has created the counter but not committed: B waits for A, then takes the next."""
    a_created = threading.Event()
    results: dict[str, object] = {}

    def thread_a():
        with tenant_scope(tenant_a), transaction.atomic():
            results["a"] = reference_next(tenant=tenant_a, sequence="invoice")
            a_created.set()
            time.sleep(0.5)  # B reaches the counter and must wait for this transaction
            results["a_commits_at"] = time.monotonic()

    def thread_b():
        assert a_created.wait(10)
        with tenant_scope(tenant_a), transaction.atomic():
            results["b"] = reference_next(tenant=tenant_a, sequence="invoice")
            results["b_has_it_at"] = time.monotonic()

    assert run_together(thread_a, thread_b) == []
    prefix = tenant_a.reference_prefix
    assert (results["a"], results["b"]) == (f"{prefix}-000001", f"{prefix}-000002")
    assert results["b_has_it_at"] > results["a_commits_at"]


# References that may leave a gap (case references, ADR 0011): a database sequence on PostgreSQL.


def take_fast(tenant, sequence="case") -> str:
    with tenant_scope(tenant), transaction.atomic():
        return reference_next(tenant=tenant, sequence=sequence, gapless=False)


def test_fast_references_count_up_per_tenant_and_sequence(tenant_a, tenant_b):
    a, b = tenant_a.reference_prefix, tenant_b.reference_prefix
    assert [take_fast(tenant_a) for _ in range(3)] == [f"{a}-000001", f"{a}-000002", f"{a}-000003"]
    assert take_fast(tenant_b) == f"{b}-000001"
    assert take_fast(tenant_a, "case.web-form") == f"{a}-000001"


def test_fast_references_continue_after_the_counter_row(tenant_a):
    assert take(tenant_a) == f"{tenant_a.reference_prefix}-000001"
    with tenant_scope(tenant_a):
        ReferenceCounter.objects.filter(sequence="case").update(last_value=41)
    assert take_fast(tenant_a) == f"{tenant_a.reference_prefix}-000042"


def test_fast_references_leave_a_gap_after_a_rollback_on_postgres(on_postgres, tenant_a):
    prefix = tenant_a.reference_prefix
    assert take_fast(tenant_a) == f"{prefix}-000001"
    with pytest.raises(RuntimeError), tenant_scope(tenant_a), transaction.atomic():
        assert reference_next(tenant=tenant_a, gapless=False) == f"{prefix}-000002"
        raise RuntimeError("the case could not be saved")
    assert take_fast(tenant_a) == f"{prefix}-000003"


def test_the_database_refuses_a_fast_reference_outside_the_tenants_scope(on_postgres, tenant_a, tenant_b):
    take_fast(tenant_a)
    with (
        tenant_scope(tenant_b),
        pytest.raises(Exception, match="outside its scope"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT borough_reference_next(%s, 'case')", [tenant_a.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_fast_references_are_distinct_and_nobody_waits(on_postgres, tenant_a):
    """Four threads hold their transactions open after taking a number: none waits for another's commit."""
    references: list[str] = []
    holding = threading.Barrier(4, timeout=10)

    def work():
        with tenant_scope(tenant_a):
            for _ in range(10):
                with transaction.atomic():
                    references.append(reference_next(tenant=tenant_a, gapless=False))
            with transaction.atomic():
                references.append(reference_next(tenant=tenant_a, gapless=False))
                holding.wait()  # all four hold a number in an open transaction at once

    assert run_together(*[work] * 4) == []
    prefix = tenant_a.reference_prefix
    assert sorted(references) == [f"{prefix}-{n:06d}" for n in range(1, 45)]
