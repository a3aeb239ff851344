"""Connections in the Django admin."""

from __future__ import annotations

from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from ..forms import ConnectionAdminForm
from ..models import Connection
from ..services.connections.writes import EDITABLE_FIELDS, connection_create, connection_set_active, connection_update
from .mixins import DeclaredFiltersOnly


@admin.register(Connection)
class ConnectionAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """Connections in the Django admin: the key is write-only and every save goes through the service."""

    form = ConnectionAdminForm
    list_display = ["name", "base_url", "masked_api_key", "page_size", "timeout", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "base_url"]

    @method_decorator(sensitive_post_parameters("api_key"))
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {field: data[field] for field in EDITABLE_FIELDS}
        if change:
            connection_update(connection=obj, api_key=data["api_key"], request=request, **fields)
            connection_set_active(connection=obj, is_active=data["is_active"], request=request)
            obj.refresh_from_db()
        else:
            created = connection_create(api_key=data["api_key"], request=request, **fields)
            connection_set_active(connection=created, is_active=data["is_active"], request=request)
            obj.pk = created.pk
            obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # A connection owns the mirror and its history; it is deactivated (audited), never deleted.
        return False
