from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "borough.crm"
    label = "crm"
    verbose_name = "Customer contact"

    def ready(self) -> None:
        from borough.crm import settings  # noqa: F401 - connects the receiver that forgets a changed settings row
