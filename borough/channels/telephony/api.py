"""The telephony platform's webhook, `POST /api/v1/telephony/calls`: one event of a call (ringing, answered,
ended). Authenticated by a tenant API key with the `telephony` scope (or a CRM supervisor signed in, to try it).

Idempotent per call and state: a repeat answers 200 with the call as it is, and changes nothing. Bad input answers
400 with each field's message; every refusal (bad input, unknown or forged keys) is logged.
"""

import logging

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from borough.channels.telephony.models import CallState
from borough.channels.telephony.services import call_event_record
from borough.crm.api import named_by_field, valid
from borough.identity.api_schema import ApiSchema

logger = logging.getLogger("borough.telephony")


class CallEventSerializer(serializers.Serializer):
    call_id = serializers.CharField(max_length=100, help_text="The platform's id of the call.")
    caller = serializers.CharField(
        max_length=40, allow_blank=True, help_text="The caller's number; empty or `anonymous` when withheld."
    )
    called = serializers.CharField(max_length=40, help_text="The council's number that was dialled.")
    state = named_by_field(CallState.choices)
    agent = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="Username or email address of the agent the call was put through to, if any.",
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When it happened (ISO 8601); now if left out."
    )


class CallEventResultSerializer(serializers.Serializer):
    call_id = serializers.CharField()
    state = named_by_field(CallState.choices, help_text="The call's state after this event.")
    recorded = serializers.BooleanField(help_text="False: this event was already recorded, nothing changed.")
    missed = serializers.BooleanField(help_text="Ended without being answered: offered for a call-back.")
    caller_known = serializers.BooleanField(help_text="The caller's number belongs to a person on record.")
    person = serializers.IntegerField(allow_null=True, help_text="The id of the caller's person record.")
    agent = serializers.CharField(allow_null=True, help_text="The username of the agent with the call.")
    duration_seconds = serializers.IntegerField(allow_null=True)
    warnings = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems that did not stop the event being recorded (an unknown `agent`).",
    )


def _result(call, recorded: bool, warnings: dict) -> dict:
    return {
        "call_id": call.provider_call_id,
        "state": call.state,
        "recorded": recorded,
        "missed": call.is_missed,
        "caller_known": call.person_id is not None,
        "person": call.person_id,
        "agent": call.agent.get_username() if call.agent_id else None,
        "duration_seconds": call.duration_seconds,
        "warnings": warnings,
    }


class CallEventView(APIView):
    schema = ApiSchema()
    parser_classes = [JSONParser]
    required_module = "crm"
    required_roles = ("crm.supervisor",)
    required_scopes = ("telephony",)

    @extend_schema(
        operation_id="telephony_call_event",
        request=CallEventSerializer,
        responses={
            201: OpenApiResponse(CallEventResultSerializer, description="The event was recorded."),
            200: OpenApiResponse(CallEventResultSerializer, description="A repeat: already recorded, no change."),
        },
    )
    def post(self, request):
        """Record an event of a call. The first event of a call id creates the call and pops it on the agents'
        screens: the caller's person record and open cases when the number is on record. The state only moves
        forward (ringing, answered, ended); an event arriving late fills in its time. `ended` without `answered`
        is a missed call, listed on the call desk for a call-back."""
        try:
            data = valid(CallEventSerializer, request.data)
        except exceptions.ValidationError as error:
            logger.warning("telephony: event refused for %s: %s", request.tenant.slug, error.detail)
            raise
        payload = {key: (value.isoformat() if key == "occurred_at" and value else value) for key, value in data.items()}
        call, recorded, warnings = call_event_record(tenant=request.tenant, payload=payload, **data)
        body = _result(call, recorded, warnings)
        return Response(body, status=status.HTTP_201_CREATED if recorded else status.HTTP_200_OK)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed | exceptions.PermissionDenied):
            tenant = getattr(self.request, "tenant", None)
            logger.warning(
                "telephony: %s refused on %s from %s: %s",
                type(exc).__name__,
                tenant.slug if tenant else "?",
                self.request.META.get("REMOTE_ADDR", "?"),
                exc.detail,
            )
        return super().handle_exception(exc)
