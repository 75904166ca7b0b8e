from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "borough.channels.notify"
    label = "channels_notify"
    verbose_name = "GOV.UK Notify: text messages in and out, email out"

    def ready(self) -> None:
        from borough.channels.notify import outbox  # noqa: F401 - registers the sms.notify and email.notify kinds
