from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "citemploi.offer"
    label = "offer"

    def ready(self) -> None:
        # The partnership map shows how many services each structure offers.
        from citemploi.offer.queries import services_count_by_structure
        from citemploi.partnership.mapping import CountProvider, register_count_provider

        register_count_provider(CountProvider("services", "Services", services_count_by_structure))
