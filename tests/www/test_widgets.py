"""FastSelect and the fast inputs render exactly what Django's widgets render, on every form that uses them."""

import copy

import pytest
from django import forms

from citemploi.offer import queries as offer_queries
from citemploi.www.directory.forms import SearchForm
from citemploi.www.people.forms import BeneficiaryFilterForm, BeneficiaryForm, ConsentForm, FollowUpForm
from citemploi.www.widgets import FastCheckboxInput, FastDateInput, FastInputMixin, FastSelect, FastTextInput
from tests.factories import BeneficiaryFactory, ctx_for

pytestmark = pytest.mark.django_db

ATTRS = [
    {},
    {"id": "id_x", "class": "fr-select"},
    {"id": "id_x", "class": "fr-select fr-select--error", "aria-describedby": "id_x-messages"},
    {"id": "id_x", "required": True, "disabled": False, "data-note": 'a "quoted" <b>&</b>'},
]


def _both(widget: forms.Select, name: str, value, attrs: dict) -> tuple[str, str]:
    return str(widget.render(name, value, attrs)), str(forms.Select.render(widget, name, value, attrs))


def _check(form: forms.Form) -> int:
    checked = 0
    for bound in form:
        widget = bound.field.widget
        if not isinstance(widget, FastSelect):
            continue
        values = [bound.value(), ""] + [str(v) for v, _label in list(bound.field.choices)[:3]]
        for value in values:
            for attrs in ATTRS:
                fast, django = _both(widget, bound.html_name, value, attrs)
                assert fast == django, (bound.name, value, attrs)
                checked += 1
        # the way the templates render it (through widget_tweaks and the bound field)
        plain = copy.copy(widget)
        plain.__class__ = forms.Select
        assert str(bound) == str(bound.as_widget(widget=plain)), bound.name
    return checked


def test_the_fast_select_renders_django_s_markup_on_the_screens_forms(world):
    ctx = ctx_for(world.coordinator)
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    forms_ = [
        BeneficiaryFilterForm({"gender": "F", "structure": str(world.ml.pk)}, ctx=ctx),
        BeneficiaryFilterForm(None, ctx=ctx),
        ConsentForm({"scope": "sharing"}),
        FollowUpForm(None, ctx=ctx, beneficiary=person),
        SearchForm({"frein": "mobilite"}, vocabulary=offer_queries.theme_vocabulary()),
        SearchForm(None, vocabulary=offer_queries.theme_vocabulary()),
    ]
    assert sum(_check(f) for f in forms_) > 50


def test_the_fast_select_escapes_and_groups_like_django():
    widget = FastSelect(
        choices=[
            ("", "Tous"),
            ('Groupe "A" <&>', [("a&b", "Étiquette <b>"), ('"q"', "Q")]),
            ("x", "X"),
            (3, "trois"),
        ]
    )
    for value in ["", "a&b", '"q"', "x", 3, None, ["x", "a&b"]]:
        for attrs in ATTRS:
            fast, django = _both(widget, 'n"<', value, attrs)
            assert fast == django, (value, attrs)
    multiple = FastSelect(choices=[("a", "A")], attrs={"multiple": True})
    assert _both(multiple, "m", ["a"], {})[0] == _both(multiple, "m", ["a"], {})[1]


#: the Django widget each fast input stands for
DJANGO_INPUTS = {
    FastTextInput: forms.TextInput,
    FastDateInput: forms.DateInput,
    FastCheckboxInput: forms.CheckboxInput,
}


def _check_inputs(form: forms.Form) -> int:
    checked = 0
    for bound in form:
        widget = bound.field.widget
        if not isinstance(widget, FastInputMixin):
            continue
        django_class = DJANGO_INPUTS[type(widget)]
        plain = copy.copy(widget)
        plain.__class__ = django_class
        for value in [bound.value(), None, "", 'a "b" <&>', "2024-05-02", True, False]:
            for attrs in ATTRS:
                fast = str(widget.render(bound.html_name, value, attrs))
                assert fast == str(plain.render(bound.html_name, value, attrs)), (bound.name, value, attrs)
                checked += 1
        # the way the templates render it (through widget_tweaks and the bound field)
        assert str(bound.as_widget()) == str(bound.as_widget(widget=plain)), bound.name
    return checked


def test_the_fast_inputs_render_django_s_markup_on_the_screens_forms(world):
    from datetime import date

    ctx = ctx_for(world.coordinator)
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    forms_ = [
        BeneficiaryFilterForm({"q": 'Awa "<b>"', "invisible": "on"}, ctx=ctx),
        BeneficiaryFilterForm(None, ctx=ctx),
        ConsentForm({"scope": "sharing", "given_on": "2024-05-02"}),
        ConsentForm(initial={"given_on": date(2024, 5, 2)}),
        FollowUpForm({"role": "Conseillère <CIP>"}, ctx=ctx, beneficiary=person),
        FollowUpForm(None, ctx=ctx, beneficiary=person),
        BeneficiaryForm(instance=person, ctx=ctx, creating=False),
    ]
    assert sum(_check_inputs(f) for f in forms_) > 100
