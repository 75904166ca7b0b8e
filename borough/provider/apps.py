from django.apps import AppConfig


class ProviderConfig(AppConfig):
    name = "borough.provider"
    label = "provider"
    verbose_name = "Provider console"
