from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "borough.identity"
    label = "identity"
    verbose_name = "Identity and access"

    def ready(self):
        # Registers the OpenAPI description of the Api-Key authentication with drf-spectacular.
        from borough.identity import api_schema  # noqa: F401
