from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "citemploi.offer"
    label = "offer"
