from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "borough.identity"
    label = "identity"
    verbose_name = "Identity and access"
