"""What the hotline list says about its filters, in words: a removable chip per active value, and
a note per value it had to leave out. Read from a validated filterset; the filterset only filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from .filtersets import HotlineFilterSet


@dataclass(frozen=True, slots=True)
class Chip:
    """An active filter value shown above the results, with the list's URL query without it."""

    label: str
    value: str
    remove_query: str


def filter_notes(filterset: HotlineFilterSet) -> list[str]:
    """What in the query was left out, in words a person understands."""
    notes = []
    for name, errors in filterset.errors.items():
        field = filterset.form.fields.get(name)
        label = field.label if field else name
        reason = " ".join(errors)
        notes.append(gettext("“%(filter)s” was ignored: %(reason)s") % {"filter": label, "reason": reason})
    for field in filterset.form.fields.values():
        if dropped := getattr(field, "dropped", None):
            notes.append(
                ngettext(
                    "“%(filter)s”: %(values)s was left out (no such tenant, or removed upstream).",
                    "“%(filter)s”: %(values)s were left out (no such tenants, or removed upstream).",
                    len(dropped),
                )
                % {"filter": field.label, "values": ", ".join(f"“{value[:20]}”" for value in dropped[:5])}
            )
    if filterset.search.truncated:
        notes.append(gettext("The search was shortened to its first words and characters."))
    return notes


def filter_chips(filterset: HotlineFilterSet, query: QueryDict) -> list[Chip]:
    """One removable chip per active value, in the order of the form."""
    active = filterset.active()
    chips: list[Chip] = []
    for name, field in filterset.form.fields.items():
        if name not in active:
            continue
        value = active[name]
        if name == "q":
            chips.append(Chip(field.label, f"“{filterset.search.text}”", _without(query, name)))
        elif isinstance(field, forms.ModelMultipleChoiceField):
            for obj in value:
                chips.append(Chip(field.label, str(obj), _without(query, name, str(obj.pk))))
        elif isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            for item in value:
                chips.append(Chip(field.label, str(labels.get(item, item)), _without(query, name, item)))
        elif isinstance(field, forms.ChoiceField):
            chips.append(Chip(field.label, str(dict(field.choices).get(value, value)), _without(query, name)))
        elif isinstance(value, date):
            chips.append(Chip(field.label, date_format(value, "SHORT_DATE_FORMAT"), _without(query, name)))
        else:
            chips.append(Chip(field.label, str(value), _without(query, name)))
    return chips


def _without(query: QueryDict, name: str, value: str | None = None) -> str:
    """The query string without `name` (or only its `value`), back on the first page."""
    pairs = [
        (key, item)
        for key, items in query.lists()
        for item in items
        if key != "page" and not (key == name and (value is None or item == value))
    ]
    return urlencode(pairs)
