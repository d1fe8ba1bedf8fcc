from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "citemploi.calls"
    label = "calls"

    def ready(self) -> None:
        from citemploi.calls import extensions
        from citemploi.partnership.mapping import COUNT_PROVIDERS, CountProvider, register_count_provider
        from citemploi.partnership.network import EDGE_SOURCES, EdgeSource, register_edge_source

        if not any(s.key == "calls" for s in EDGE_SOURCES):
            register_edge_source(EdgeSource("calls", "Actions financées en commun", extensions.funded_pairs))
        if not any(p.key == "funded_actions" for p in COUNT_PROVIDERS):
            register_count_provider(
                CountProvider("funded_actions", "Projets retenus (AAP)", extensions.funded_count_by_structure)
            )
