from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "borough.crm"
    label = "crm"
    verbose_name = "Customer contact"
