"""The form renderer: Django's own, with its commonest widgets written in Python.

An `<input>` or a `<select>` rendered through Django's widget templates (input.html including
attrs.html, select.html including select_option.html per option) costs ~0.1 ms each; the hotline
list's filter form has a dozen of them, a fifth of the page's CPU outside its rows. These functions
write the same characters as the templates (tests render every widget both ways); any widget, or
any value, they do not know goes to the templates as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
# Templates that are input.html and nothing else (text.html is `{% include "…/input.html" %}`).
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        *("input", "text", "number", "email", "url", "color", "search", "tel", "password", "hidden"),
        *("date", "datetime", "time", "checkbox"),
    )
)
OPTIONS = frozenset(f"{WIDGETS}{name}.html" for name in ("checkbox_option", "radio_option", "input_option"))
SELECT = f"{WIDGETS}select.html"
SELECT_OPTION = f"{WIDGETS}select_option.html"


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaped template."""
    return value if isinstance(value, SafeData) else escape("%s" % value)  # noqa: UP031 - as the filter does


def _text(value) -> str | None:
    """`{{ value }}` for text (a string or a lazy one); None for anything a template would localize."""
    if isinstance(value, str | Promise):
        return conditional_escape(value)
    return None


def attrs_html(attrs: dict) -> str:
    """attrs.html: ` name="value"` for each attribute, ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_s(value)}"')
    return "".join(parts)


def input_html(widget: dict) -> str:
    """input.html."""
    value = widget["value"]
    shown = f' value="{_s(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown}{attrs_html(widget['attrs'])}>"
    )


def select_html(widget: dict) -> str | None:
    """select.html with select_option.html per option; None when an optgroup or a non-text label
    (which the template would localize) asks for the template."""
    options = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            return None
        for option in group_choices:
            label = _text(option["label"])
            if label is None or option["template_name"] != SELECT_OPTION:
                return None
            options.append(f'\n  <option value="{_s(option["value"])}"{attrs_html(option["attrs"])}>{label}</option>\n')
    opening = f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>'
    return f"{opening}{''.join(options)}\n</select>"


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer (DjangoTemplates), but inputs, option inputs without a wrapping
    label, and plain selects are written in Python."""

    def render(self, template_name, context, request=None):
        html = None
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            # An option input without its label (`{{ choice.tag }}`) is a plain input.
            if template_name in INPUTS or (template_name in OPTIONS and not widget.get("wrap_label")):
                html = input_html(widget)
            elif template_name == SELECT:
                html = select_html(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)  # noqa: S308 - every name and value escaped above
