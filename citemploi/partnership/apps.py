from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "citemploi.partnership"
    label = "partnership"
