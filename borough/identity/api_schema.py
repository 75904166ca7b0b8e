"""How the OpenAPI schema describes the API's conventions: the `Api-Key` authentication (registered with
drf-spectacular when IdentityConfig.ready imports this module), and the error answers an endpoint can give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse

from borough.core.api import ErrorSerializer
from borough.identity.permissions import IsPublic


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "borough.identity.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)
        definition["description"] = (
            "A tenant's integration key, sent as `Authorization: Api-Key <key>` on that tenant's host name. "
            "Keys are created with `borough apikey create` and carry scopes (read, write, ...)."
        )
        return definition


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers (shaped like ErrorSerializer) an endpoint can give."""

    ERRORS = {
        "400": "The request has errors: field-level messages in `errors`.",
        "401": "No credentials, or an unknown or revoked API key.",
        "403": "The API key lacks a scope, or the user a role, that this endpoint needs.",
        "404": "Not found, or not visible to this tenant, key or user.",
        "415": "The body's content type is not one this endpoint reads, or the body cannot be parsed as it.",
        "429": "Too many requests for this key; retry after the `Retry-After` header's seconds.",
    }

    def _error_codes(self) -> list[str]:
        codes = []
        if self.method not in ("GET", "HEAD", "DELETE") or (self.method == "GET" and self._is_list_view()):
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if not any(isinstance(permission, IsPublic) for permission in self.view.get_permissions()):
            codes += ["401", "403", "404"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                error = OpenApiResponse(response=ErrorSerializer, description=self.ERRORS[code])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
