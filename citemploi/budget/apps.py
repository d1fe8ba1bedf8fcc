from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "citemploi.budget"
    label = "budget"
    verbose_name = "Budget de la cité"
