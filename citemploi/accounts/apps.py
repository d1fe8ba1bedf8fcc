from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "citemploi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from citemploi.accounts import checks  # noqa: F401 - registers the deployment checks
