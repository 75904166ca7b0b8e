"""The status rules in one table (borough.crm.transitions)."""

import pytest

from borough.crm.models import Case
from borough.crm.transitions import ALLOWED, DONE_STATUSES, REOPENABLE, WORKING_STATUSES, can_transition, refusal

S = Case.Status


def test_every_status_has_a_row():
    assert set(ALLOWED) == set(S.values)
    assert set(S.values) == WORKING_STATUSES | DONE_STATUSES


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        (S.NEW, S.OPEN, True),
        (S.NEW, S.IN_PROGRESS, True),
        (S.NEW, S.WAITING_ON_RESIDENT, True),
        (S.NEW, S.WAITING_ON_THIRD_PARTY, True),
        (S.NEW, S.RESOLVED, True),
        (S.NEW, S.CLOSED, True),
        (S.OPEN, S.NEW, False),  # nothing goes back to new
        (S.IN_PROGRESS, S.NEW, False),
        (S.OPEN, S.OPEN, False),
        (S.WAITING_ON_RESIDENT, S.IN_PROGRESS, True),
        (S.WAITING_ON_THIRD_PARTY, S.WAITING_ON_RESIDENT, True),
        (S.RESOLVED, S.CLOSED, True),
        (S.RESOLVED, S.OPEN, True),  # reopened
        (S.RESOLVED, S.IN_PROGRESS, False),
        (S.CLOSED, S.OPEN, False),  # only through case_reopen
        (S.CLOSED, S.RESOLVED, False),
        (S.OPEN, "lost", False),
        ("lost", S.OPEN, False),
    ],
)
def test_can_transition(from_status, to_status, allowed):
    assert can_transition(from_status, to_status) is allowed


def test_every_working_status_can_be_resolved_or_closed_and_done_ones_reopened():
    for status in WORKING_STATUSES:
        assert {S.RESOLVED, S.CLOSED} <= ALLOWED[status]
    assert {S.RESOLVED, S.CLOSED} == REOPENABLE


def test_refusals_name_what_is_possible():
    assert (
        refusal(S.RESOLVED, S.IN_PROGRESS)
        == "A case that is resolved cannot become in progress; it can become: closed, open."
    )
    assert refusal(S.OPEN, S.OPEN) == "The case is already open."
