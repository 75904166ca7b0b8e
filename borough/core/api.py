"""API conventions shared by every endpoint: error bodies with field-level messages, and pagination.

Their OpenAPI description is in borough.identity.api_schema: importing drf-spectacular's AutoSchema here would
import DRF's generic views while DRF is still importing this module for DEFAULT_PAGINATION_CLASS.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, serializers
from rest_framework.utils.serializer_helpers import BindingDict
from rest_framework.views import exception_handler as drf_exception_handler

INVALID_DETAIL = "The request has errors; see `errors`."


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class, not for every object read or written (DRF builds them
    on each instance: a few milliseconds a case, most of the cost of a case creation's reply). Only for serializers
    whose fields depend on nothing but the class: no request, context or partial updates (the fields keep the first
    instance as their parent)."""

    @property
    def fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = BindingDict(self)
            for name, field in self.get_fields().items():
                built[name] = field
            type(self)._fields_built = built
        return built


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    detail = serializers.CharField(help_text="What went wrong, in words.")
    code = serializers.CharField(help_text="A stable code: invalid, not_authenticated, permission_denied, ...")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For `invalid`: each field's messages (`non_field_errors`: the request as a whole).",
    )


def _messages(value):
    """Field errors as lists of strings (nested serializers keep their shape)."""
    if isinstance(value, dict):
        return {str(key): _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        return [item if isinstance(item, dict | list) else str(item) for item in value]
    return [str(value)]


def _as_drf_exception(exc):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _code(exc) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    """Every error answers `{"detail": ..., "code": ..., "errors": {field: [messages]}}`, never a bare 500 for
    bad input: a Django ValidationError raised by a service becomes a 400 with the service's messages."""
    exc = _as_drf_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        errors = _messages(data) if isinstance(data, dict) else {"non_field_errors": _messages(data)}
        response.data = {"detail": INVALID_DETAIL, "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"detail": str(detail), "code": _code(exc), "errors": {}}
    return response
