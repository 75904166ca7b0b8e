from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "borough.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
