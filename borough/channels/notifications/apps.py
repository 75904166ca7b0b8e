from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "borough.channels.notifications"
    label = "channels_notifications"
    verbose_name = "Notifications to residents on their preferred channel"
