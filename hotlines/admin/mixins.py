"""What every admin page of this app shares: declared filters only, a bounded search, read-only history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.db import models
from django.utils.translation import gettext

ADMIN_SEARCH_MAX = 200  # characters of a changelist search; longer ones are cut (SQLite refuses 50,000)


class DeclaredFiltersOnly:
    """A changelist filtered by its declared list filters only, with a bounded search.

    Django's admin lets any lookup on a local field through the query string (`raw__contains`,
    `name__regex=(((`, `id__in=<huge>`), and some fail in the database: a 500. Here a parameter
    is allowed only when a declared filter reads it; any other is the admin's own 400."""

    def lookup_allowed(self, lookup, value, request) -> bool:
        if "\x00" in str(value):  # PostgreSQL refuses NUL in text: refused here, not by the database
            return False
        return lookup in _filter_parameters(self, request) or _raw_id_popup_lookup(self.model, lookup, value)

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")
        if len(search_term) > ADMIN_SEARCH_MAX:
            search_term = search_term[:ADMIN_SEARCH_MAX]
            messages.warning(
                request, gettext("Search cut to the first %(count)s characters.") % {"count": ADMIN_SEARCH_MAX}
            )
        return super().get_search_results(request, queryset, search_term)


def _filter_parameters(model_admin: admin.ModelAdmin, request) -> set[str]:
    """The query parameters the changelist's declared filters read (Django's built-in ones)."""
    names: set[str] = set()
    if model_admin.date_hierarchy:
        names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            names.add(item.parameter_name)
            continue
        path = item[0] if isinstance(item, list | tuple) else item
        field = get_fields_from_path(model_admin.model, path)[-1]
        names.add(f"{path}__isnull")
        if field.remote_field:  # RelatedFieldListFilter
            names.add(f"{path}__{field.target_field.name}__exact")
        elif isinstance(field, models.DateField):  # DateFieldListFilter (DateTimeField included)
            names |= {f"{path}__gte", f"{path}__lt"}
        else:  # choices and booleans (`__exact`), all values (the bare path)
            names |= {path, f"{path}__exact"}
    return names


def _raw_id_popup_lookup(model, lookup: str, value) -> bool:
    """What Django allows for a raw-ID popup limited by a foreign key's `limit_choices_to`."""
    for fk_lookup in model._meta.related_fkey_lookups:
        fk_lookup = fk_lookup() if callable(fk_lookup) else fk_lookup
        if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
            return True
    return False


class HistoryAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """Records of what happened (syncs, hotline changes, audit entries, sign-in attempts): to read, never
    to add, edit or delete, in the admin as on the dashboard. Without the delete permission the
    changelist offers no "delete selected" action either."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
