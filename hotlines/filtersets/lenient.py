"""What the browsing lists' filtersets share (hotlines, tenants): always bound, lenient (a value
they cannot use is left out and reported, the valid filters still apply), removed rows hidden
unless `include_removed` asks, a quick search `q`, facets counted under the other filters."""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from collections.abc import Collection

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django_filters.filters import FilterMethod
from django_filters.filterset import FilterSetMetaclass

from ..search import Search, search_parse


def _names(without: str | Collection[str] | None) -> set[str]:
    if without is None:
        return set()
    return {without} if isinstance(without, str) else set(without)


class _FiltersCopiedShallow(OrderedDict):
    """A filterset class's `base_filters`, which django-filter deep-copies for every filterset it
    makes (once per list request): with their choices, widgets and querysets, that was about 1 ms
    of a list page's CPU. What a filterset changes of its filters is its own (`model`, `parent`,
    the field made from them, `extra` with its choices, set per data version), and nothing else
    in them is ever changed: each is copied with only those made its own, and the `method=` that
    binds a filter to its filterset made again for the copy."""

    def __deepcopy__(self, memo) -> dict:
        return OrderedDict((name, _filter_copy(filter_)) for name, filter_ in self.items())


def _filter_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    clone = copy.copy(filter_)
    clone.extra = dict(filter_.extra)  # choices are set per filterset (`extra["choices"] = …`)
    clone.__dict__.pop("_field", None)  # each filterset makes its own field, lazily
    if isinstance(clone.__dict__.get("filter"), FilterMethod):
        clone.filter = FilterMethod(clone)  # `method=`: calls the method of the clone's filterset
    return clone


class _LenientFilterSetMetaclass(FilterSetMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_filters = _FiltersCopiedShallow(new_class.base_filters)
        return new_class


class LenientFilterSet(django_filters.FilterSet, metaclass=_LenientFilterSetMetaclass):
    """A list's filters; subclasses declare `q`, `include_removed` and their `facets`."""

    facets: tuple[str, ...] = ()  # filters whose values are listed with counts beside them
    search_numbers = True  # the search reads a phone number as one (hotlines), not as words

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        # Always bound, so that the defaults (removed rows hidden) apply to an empty query too.
        super().__init__(data if data is not None else QueryDict(), queryset, request=request, prefix=prefix)

    @property
    def search(self) -> Search:
        if not hasattr(self, "_search"):
            text = self.data.get("q", "") if self.is_bound else ""
            self._search = search_parse(text, numbers=self.search_numbers)
        return self._search

    def filter_removed(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs  # applied in filter_queryset, where its absence matters as much as its presence

    def filter_queryset(self, queryset: QuerySet, *, without: str | Collection[str] | None = None) -> QuerySet:
        """Every valid filter but `without` (used for facet counts); removed rows unless asked."""
        cleaned = self.form.cleaned_data
        skip = _names(without)
        for name, value in cleaned.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        if cleaned.get("include_removed") == "only":
            queryset = queryset.filter(is_removed=True)
        elif self.live_only:
            queryset = queryset.filter(is_removed=False)
        return queryset

    @property
    def live_only(self) -> bool:
        """Removed rows are hidden (the default)."""
        return self.form.cleaned_data.get("include_removed") not in ("on", "only")

    def qs_without(self, name: str | Collection[str]) -> QuerySet:
        """The rows under every active filter except `name` (one name or several)."""
        self.errors  # noqa: B018 - validates the form
        return self.filter_queryset(self.queryset.all(), without=name)

    def active(self) -> dict:
        """The valid filters in force, by name (empty choices and unticked boxes left out)."""
        self.errors  # noqa: B018 - validates the form
        active = {name: value for name, value in self.form.cleaned_data.items() if not _empty(value)}
        if self.search.is_empty:
            active.pop("q", None)
        return active

    def facet_choices(self) -> dict[str, set[str] | None]:
        """The chosen values of each facet (as strings: account IDs too), None where none is."""
        active = self.active()
        chosen: dict[str, set[str] | None] = {}
        for name in self.facets:
            value = active.get(name)
            chosen[name] = None if value is None else {_key(item) for item in value}
        return chosen

    def state_key(self, *, without: str | Collection[str] | None = None) -> str:
        """A short stable key of the valid filters in force (for caching counts)."""
        self.errors  # noqa: B018 - validates the form
        parts = []
        skip = _names(without)
        for name, value in sorted(self.active().items()):
            if name in skip:
                continue
            parts.append(f"{name}={self.state_value(name, value)!r}")
        return hashlib.sha256("&".join(parts).encode()).hexdigest()[:32]

    def state_value(self, name: str, value):
        """What of a filter's value decides the rows (the cache key's part for it)."""
        if name == "q":
            return (self.search.number, self.search.words)
        if isinstance(value, list | tuple | QuerySet):
            return sorted(_key(item) for item in value)  # chosen accounts by ID
        return value


def _key(item) -> str:
    """A chosen value as the form sends it: a row's ID, or the value itself."""
    return str(getattr(item, "pk", item))


def _empty(value) -> bool:
    if value is None or value is False or value == "":
        return True
    return isinstance(value, list | tuple | QuerySet) and len(value) == 0
