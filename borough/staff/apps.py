from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "borough.staff"
    label = "staff"
    verbose_name = "Staff app shell"
