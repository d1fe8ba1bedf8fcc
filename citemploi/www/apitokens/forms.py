from django import forms

from citemploi.api.tokens import NAME_MAX_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text="Par exemple le logiciel qui l'utilisera : « Logiciel de suivi de la Mission locale ».",
    )
