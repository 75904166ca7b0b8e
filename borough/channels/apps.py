from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "borough.channels"
    label = "channels"
    verbose_name = "Contact channels"

    def ready(self) -> None:
        from borough.channels import receivers  # noqa: F401 - connects the receivers
