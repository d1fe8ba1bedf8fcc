from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "citemploi.people"
    label = "people"

    def ready(self) -> None:
        # Every domain holding data about a person registers how to export, anonymise and erase it.
        from citemploi.people.lifecycle import autodiscover

        autodiscover()
