"""The call desk: which calls pop for which agent, taking a call, the poll that swaps only on change, recording an
unknown caller only once the agent confirms, wrap-up, raising a case from a call, and call-backs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from borough.channels.telephony.models import Call, CallBack, CallCase, WrapUpCode
from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, Interaction
from borough.crm.tests.case_factories import add_member
from borough.people.models import ContactPoint, Person
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
DESK = "/staff/calls/"
PANEL = "/staff/calls/panel/"


@pytest.fixture
def anna(desk, client_for):
    return client_for(desk["tenant"], desk["agent"])


@pytest.fixture
def omar(desk, client_for):
    return client_for(desk["tenant"], desk["other"])


def the_call(desk, call_id: str = "c-1") -> Call:
    with tenant_scope(desk["tenant"]):
        return Call.objects.select_related("person", "agent").get(provider_call_id=call_id)


def text(response) -> str:
    return response.content.decode()


# Who sees which call


def test_a_call_put_through_to_an_agent_pops_their_record_only_on_their_screen(hook, desk, anna, omar):
    hook.event(agent="anna")
    page = text(anna.get(DESK))
    assert "Jane Smith" in page and desk["case"].reference in page and "Hard of hearing" in page
    assert "Take this call" not in page
    assert "Jane Smith" not in text(omar.get(DESK))


def test_a_call_nobody_has_taken_is_offered_to_every_agent(hook, desk, anna, omar):
    hook.event()
    for client in (anna, omar):
        page = text(client.get(DESK))
        assert "Calls waiting" in page and "Jane Smith" in page and "Take this call" in page
    call = the_call(desk)
    taken = anna.post(f"/staff/calls/{call.pk}/take/")
    assert taken.status_code == 302 and taken["Location"] == f"/staff/calls/{call.pk}/"
    assert the_call(desk).agent == desk["agent"]
    assert "Jane Smith" not in text(omar.get(DESK))  # gone from Omar's screen
    refused = omar.post(f"/staff/calls/{call.pk}/take/", follow=True)
    assert "Another agent has taken this call." in text(refused)
    assert the_call(desk).agent == desk["agent"]


def test_an_ended_call_leaves_the_screen_for_wrap_up(hook, desk, anna):
    hook.event(agent="anna")
    hook.event(state="answered")
    hook.event(state="ended")
    page = text(anna.get(DESK))
    assert "You have no call at the moment." in page
    assert "To wrap up" in page


def test_a_missed_call_is_offered_for_a_call_back(hook, desk, omar):
    hook.event()
    hook.event(state="ended")
    page = text(omar.get(DESK))
    assert "Missed call from 07700 900123" in page and "Offer a call-back" in page


def test_the_poll_swaps_only_when_something_changed(hook, desk, anna):
    first = anna.get(PANEL, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "No calls are waiting." in text(first)
    version = first.context["version"]
    assert anna.get(PANEL, {"v": version}, HTTP_HX_REQUEST="true").status_code == 204
    hook.event()
    changed = anna.get(PANEL, {"v": version}, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200 and "Jane Smith" in text(changed)
    assert 'hx-trigger="every 2s"' in text(changed)
    assert anna.get(PANEL)["Location"] == DESK  # without htmx: the whole page


def test_the_desk_needs_a_crm_role(desk, client_for, make_staff):
    revenues = make_staff(desk["tenant"], roles=("revenues.officer",), username="rita")
    assert client_for(desk["tenant"], revenues).get(DESK).status_code == 403


# An unknown caller


def test_an_unknown_caller_is_recorded_only_once_the_agent_confirms(hook, desk, anna):
    hook.event(caller="01632 960777", agent="anna")
    call = the_call(desk)
    assert "Unknown caller" in text(anna.get(DESK))
    url = f"/staff/calls/{call.pk}/caller/"
    with tenant_scope(desk["tenant"]):
        people = Person.objects.count()

    empty = anna.post(url, {})
    assert empty.status_code == 400 and "Enter the caller’s first name or last name" in text(empty)
    checking = anna.post(url, {"caller-given_name": "Tom", "caller-family_name": "Brown"})
    assert checking.status_code == 200 and "Record a new person" in text(checking)
    with tenant_scope(desk["tenant"]):
        assert Person.objects.count() == people  # nothing yet

    done = anna.post(url, {"caller-given_name": "Tom", "caller-family_name": "Brown", "caller-confirmed": "true"})
    assert done.status_code == 302
    call = the_call(desk)
    with tenant_scope(desk["tenant"]):
        assert call.person.display_name == "Tom Brown"
        assert ContactPoint.objects.get(person=call.person).normalised == "+441632960777"
        assert Interaction.objects.get(pk=call.interaction_id).person == call.person
    again = anna.post(url, {"caller-given_name": "Tom", "caller-confirmed": "true"})
    assert again.status_code == 400 and "already on record" in text(again)


def test_the_check_offers_people_who_may_be_the_caller(hook, desk, anna):
    hook.event(caller="01632 960777", agent="anna")
    call = the_call(desk)
    checking = anna.post(
        f"/staff/calls/{call.pk}/caller/",
        {"caller-given_name": "Jane", "caller-family_name": "Smith", "caller-email": "jane.smith@example.org"},
    )
    assert "The caller is Jane Smith" in text(checking)
    linked = anna.post(f"/staff/calls/{call.pk}/caller/existing/", {"person": desk["jane"].pk})
    assert linked.status_code == 302
    assert the_call(desk).person == desk["jane"]
    assert anna.post(f"/staff/calls/{call.pk}/caller/existing/", {"person": "x"}, follow=True).status_code == 200


# Wrap-up


def wrap(client, call, **data):
    return client.post(f"/staff/calls/{call.pk}/wrap-up/", {f"wrap-{k}": v for k, v in data.items()})


def test_wrap_up_logs_outcome_code_and_notes_with_the_duration_from_the_events(hook, desk, anna):
    hook.event(agent="anna", occurred_at="2026-11-26T09:00:00Z")
    hook.event(state="answered", occurred_at="2026-11-26T09:00:05Z")
    hook.event(state="ended", occurred_at="2026-11-26T09:03:05Z")
    call = the_call(desk)
    page = text(anna.get(f"/staff/calls/{call.pk}/"))
    assert "How long was the call?" not in page  # the events gave it
    with tenant_scope(desk["tenant"]):
        waste = WrapUpCode.objects.get(code="waste")
    response = wrap(anna, call, outcome="resolved", wrap_up_code=waste.pk, notes="Explained the bin day.")
    assert response.status_code == 302
    call = the_call(desk)
    assert (call.outcome, call.wrap_up_code_id, call.duration_seconds, call.wrapped_up_by) == (
        "resolved",
        waste.pk,
        180,
        desk["agent"],
    )
    with tenant_scope(desk["tenant"]):
        interaction = Interaction.objects.get(pk=call.interaction_id)
        assert interaction.body == "Explained the bin day."
        assert interaction.data["outcome"] == "resolved" and interaction.data["wrap_up_code"] == "waste"
    assert "To wrap up" not in text(anna.get(DESK))


def test_wrap_up_errors_and_an_entered_duration(hook, desk, anna):
    hook.event(agent="anna")
    call = the_call(desk)
    ringing = wrap(anna, call, outcome="resolved")
    assert ringing.status_code == 400 and "still ringing" in text(ringing)
    hook.event(state="ended")  # no `answered`: missed, duration 0 from the events
    hook.event(call_id="c-2", state="answered", agent="anna")  # no `ended` will come: the duration is asked
    call2 = the_call(desk, "c-2")
    empty = wrap(anna, call2)
    assert empty.status_code == 400
    assert "Choose the outcome of the call" in text(empty) and "Choose what the call was about" in text(empty)
    assert 'class="govuk-error-summary"' in text(empty)
    page = text(anna.get(f"/staff/calls/{call2.pk}/"))
    assert "How long was the call?" in page
    with tenant_scope(desk["tenant"]):
        code = WrapUpCode.objects.get(code="general")  # made with the defaults when the desk first needed them
    bad = wrap(anna, call2, outcome="resolved", wrap_up_code=code.pk, duration="four")
    assert bad.status_code == 400 and "Enter the duration in minutes" in text(bad)
    bad_code = wrap(anna, call2, outcome="resolved", wrap_up_code=999999, duration="4:30")
    assert bad_code.status_code == 400 and "Choose one of the wrap-up codes listed" in text(bad_code)
    assert wrap(anna, call2, outcome="resolved", wrap_up_code=code.pk, duration="4:30").status_code == 302
    assert the_call(desk, "c-2").duration_seconds == 270


# Raising a case


def test_raise_a_case_from_the_call_with_the_services_questions(hook, desk, anna):
    hook.event(agent="anna")
    call = the_call(desk)
    url = f"/staff/calls/{call.pk}/case/"
    assert "Which service is it about?" in text(anna.get(url))
    assert anna.get(url, {"service": "no-such"}).status_code == 400
    form = anna.get(url, {"service": "missed-bin"})
    assert "Ask the caller" in text(form) and "Which bin was missed?" in text(form)

    missing = anna.post(url, {"service": "missed-bin", "description": ""})
    assert missing.status_code == 400
    assert "Enter what the problem or request is" in text(missing) and "Which bin" in text(missing)
    with tenant_scope(desk["tenant"]):
        assert Case.objects.count() == 1  # Jane's first case only

    done = anna.post(
        url, {"service": "missed-bin", "description": "Missed again", "answer_bin_type": "recycling"}, follow=True
    )
    assert done.status_code == 200
    with tenant_scope(desk["tenant"]):
        case = CallCase.objects.get(call=call).case
        assert (case.channel, case.requester, case.logged_by, case.answers) == (
            "phone",
            desk["jane"],
            desk["agent"],
            {"bin_type": "recycling"},
        )
        assert Interaction.objects.get(pk=call.interaction_id).case == case
    assert case.reference in text(done)
    # The call is on the case's timeline and on Jane's.
    assert "Telephone call from 07700 900123" in text(anna.get(f"/staff/crm/cases/{case.reference}/"))
    assert "Telephone call from 07700 900123" in text(anna.get(f"/staff/people/{desk['jane'].pk}/"))


# Call-backs


def schedule(client, call, **data):
    return client.post(f"/staff/calls/{call.pk}/call-back/", {f"callback-{k}": v for k, v in data.items()})


def test_call_backs_scheduled_from_a_call_reach_the_right_queue_and_are_done(hook, desk, anna, omar):
    hook.event()
    hook.event(state="ended")  # missed
    call = the_call(desk)
    due = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert schedule(anna, call, phone="07700 900123", due_at=due, for_whom="me", notes="Ring Jane").status_code == 302
    assert (
        schedule(anna, call, phone="07700 900123", due_at=due, for_whom="team", team=desk["waste"].pk).status_code
        == 302
    )
    assert schedule(anna, call, phone="07700 900123", due_at=due, for_whom="anyone").status_code == 302
    with tenant_scope(desk["tenant"]), acting_as(Actor.system("test")):
        add_member(desk["waste"], desk["other"])
        mine, team, anyone = CallBack.objects.order_by("id")
        assert (mine.assigned_to, mine.person, team.team, anyone.team) == (
            desk["agent"],
            desk["jane"],
            desk["waste"],
            None,
        )

    anna_page, omar_page = text(anna.get(DESK)), text(omar.get(DESK))
    assert "Ring Jane" in anna_page and "Ring Jane" not in omar_page
    assert f"/staff/calls/call-backs/{team.pk}/" in omar_page and f"/staff/calls/call-backs/{team.pk}/" not in anna_page
    assert f"/staff/calls/call-backs/{anyone.pk}/" in anna_page and f"/staff/calls/call-backs/{anyone.pk}/" in omar_page

    url = f"/staff/calls/call-backs/{mine.pk}/"
    assert anna.get(url).status_code == 200
    empty = anna.post(url, {"note": ""})
    assert empty.status_code == 400 and "Say how the call-back went" in text(empty)
    assert anna.post(url, {"note": "Spoke to Jane; crew booked."}).status_code == 302
    with tenant_scope(desk["tenant"]):
        mine.refresh_from_db()
        assert mine.done_at is not None and mine.done_by == desk["agent"]
        outbound = Interaction.objects.get(direction="out", channel="phone")
        assert (outbound.person, outbound.body) == (desk["jane"], "Spoke to Jane; crew booked.")
    assert "Ring Jane" not in text(anna.get(DESK))
    twice = anna.post(url, {"note": "Again"})
    assert twice.status_code == 400 and "already done" in text(twice)


def test_bad_call_back_input_is_explained(hook, desk, anna):
    hook.event(caller="anonymous")
    call = the_call(desk)
    response = schedule(anna, call, phone="not a number", due_at="tomorrow", for_whom="team")
    assert response.status_code == 400
    page = text(response)
    assert "Enter a date and time" in page and "Choose the team that should call back" in page
    bad_phone = schedule(anna, call, phone="12", due_at="2026-12-01T10:00", for_whom="me")
    assert bad_phone.status_code == 400 and "is not a phone number" in text(bad_phone)
    with tenant_scope(desk["tenant"]):
        assert CallBack.objects.count() == 0


def test_the_case_desk_counts_the_call_backs_due_that_are_the_agents_to_make(hook, desk, anna, omar):
    import re

    from borough.channels.telephony.services import callback_schedule

    hook.event()
    call = the_call(desk)
    now = timezone.now()
    agent, other = desk["agent"], desk["other"]
    schedule_ = [(now - timedelta(minutes=5), agent), (now + timedelta(hours=2), agent)]
    schedule_ += [(now - timedelta(minutes=1), None), (now - timedelta(minutes=1), other)]
    with tenant_scope(desk["tenant"]), acting_as(Actor.system("test")):
        for due, assigned in schedule_:
            callback_schedule(tenant=desk["tenant"], phone="+447700900123", due_at=due, call=call, assigned_to=assigned)

    def due_on_the_desk(client) -> str:
        return re.search(r"Call-backs due</a> <strong[^>]*>(\d+)<", text(client.get("/staff/crm/")))[1]

    assert due_on_the_desk(anna) == "2"  # hers due now and the one for anyone; not the later one, not Omar's
    assert due_on_the_desk(omar) == "2"  # his and the one for anyone
