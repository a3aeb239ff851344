from django import forms
from django.contrib import admin

from .models import Connection, Hotline, HotlineChange, SyncRun


class ConnectionAdminForm(forms.ModelForm):
    """The API key is write-only: never rendered back, replaced only when a new one is typed."""

    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False, help_text="Leave empty to keep the current key."
    )

    class Meta:
        model = Connection
        fields = ["name", "base_url", "api_key", "page_size", "timeout", "is_active"]

    def clean_api_key(self):
        key = self.cleaned_data.get("api_key")
        if not key:
            if self.instance.pk:
                return self.instance.api_key
            raise forms.ValidationError("An API key is required.")
        return key


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionAdminForm
    list_display = ["name", "base_url", "masked_api_key", "page_size", "is_active"]


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    # Equivalent of the dashboard list: used as the peer in `make bench`.
    list_display = ["hotline", "name", "network", "status", "is_free_charge", "owner_id", "created_at", "updated_at"]
    list_filter = ["status", "network", "is_removed"]
    search_fields = ["hotline", "name", "description"]
    readonly_fields = [f.name for f in Hotline._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "connection",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "fetched",
        "created",
        "updated",
        "removed",
    ]
    list_filter = ["status", "trigger", "connection"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]


@admin.register(HotlineChange)
class HotlineChangeAdmin(admin.ModelAdmin):
    list_display = ["hotline", "kind", "field", "old_value", "new_value", "changed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["hotline", "sync_run"]
