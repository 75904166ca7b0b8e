from django.apps import AppConfig


class RevenuesConfig(AppConfig):
    name = "borough.revenues"
    label = "revenues"
    verbose_name = "Revenues: council tax and business rates"
