from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "borough.channels.telephony"
    label = "channels_telephony"
    verbose_name = "Telephone: calls, screen pop, call-backs"
