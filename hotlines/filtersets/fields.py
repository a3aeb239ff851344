"""Filters any list may use: a day in a sane range, rows chosen by a strictly read ID, and
several values as one `IN`. Each refuses a crafted value as an invalid choice, never a 500."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from ..ids import id_parse

# Dates outside this range are typos (and would overflow some databases' date arithmetic).
DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2199, 12, 31)


class SafeDateField(forms.DateField):
    """An ISO date within a sensible range (a year 1 or 9999 would overflow time zone arithmetic)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value and not DATE_MIN <= value <= DATE_MAX:
            raise forms.ValidationError(
                gettext("Enter a date between %(min)s and %(max)s.") % {"min": DATE_MIN, "max": DATE_MAX}
            )


class SafeDateFilter(django_filters.DateFilter):
    """A day in the dashboard's time zone, compared with a datetime field: `on_or_after` the start
    of that day, or `before` the end of it."""

    field_class = SafeDateField

    def __init__(self, *args, bound: str = "after", **kwargs) -> None:
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: date | None) -> QuerySet:
        if not value:
            return qs
        start = timezone.make_aware(datetime.combine(value, time.min))
        if self.bound == "after":
            return qs.filter(**{f"{self.field_name}__gte": start})
        return qs.filter(**{f"{self.field_name}__lt": start + timedelta(days=1)})


class IdChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Chosen rows by ID, refusing what `id_parse` refuses before asking the database (SQLite
    raises OverflowError on IDs out of range, and `int()` reads "١" as 1)."""

    def _check_values(self, value):
        for pk in value:
            if id_parse(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:20]}
                )
        return super()._check_values(value)


class IdChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows chosen by ID (several may be ticked), read with `id_parse` (see IdChoiceField)."""

    field_class = IdChoiceField


class InFilter(django_filters.MultipleChoiceFilter):
    """Any of the chosen values, as one `IN` (django-filter's OR of Qs adds a costly DISTINCT)."""

    def filter(self, qs: QuerySet, value: list[str]) -> QuerySet:
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs
