"""Form widgets of the screens that render the same HTML as Django's, for less work per request.

Django renders a `<select>` through its template engine: one template include per option, and another for the
attributes of each. The filter forms of the busiest pages (the people list, the person's file, the public
directory's search) have up to a few hundred options, and rendering them was a third of those pages' time.
`FastSelect` builds the very same markup (Django's `select.html`, `select_option.html` and `attrs.html`,
whitespace included) in Python from the same context; a test compares both on every form that uses it.
"""

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_stringformat(value)}"')
    return "".join(out)


def _stringformat(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape: str(value), escaped unless it was already safe."""
    return conditional_escape(value) if isinstance(value, SafeString) else conditional_escape(str(value))


class FastSelect(forms.Select):
    """A `forms.Select` whose markup is built in Python (same context, same HTML)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # the form renderer strips the template's last newline
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FastInputMixin:
    """For an `<input>` widget: Django's `input.html` and `attrs.html` markup built in Python (same context)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = "" if widget["value"] is None else f' value="{_stringformat(widget["value"])}"'
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f"{shown}{_attrs(widget['attrs'])}>"
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    pass
