from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "citemploi.accounts"
    label = "accounts"
