from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "borough.channels"
    label = "channels"
    verbose_name = "Contact channels"
